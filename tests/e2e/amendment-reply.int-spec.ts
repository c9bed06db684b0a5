import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { workflowIdFor } from '@libs/contracts';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { requestBody, sendBack } from '../support/factories';
import { useBareTemporalClient, useSystem } from '../support/system';

const REQUESTER = 'carol@example.com';

/** Every string of a history (as proto JSON) and each base64 string decoded: where a plain reply would show. */
function readableForms(value: unknown, forms: string[] = []): string[] {
  if (typeof value === 'string') {
    forms.push(value);
    if (value.length >= 8 && /^[A-Za-z0-9+/=_-]+$/.test(value))
      forms.push(Buffer.from(value, 'base64').toString('utf8'));
  } else if (Array.isArray(value)) value.forEach((v) => readableForms(v, forms));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => readableForms(v, forms));
  return forms;
}

/**
 * The requester answers the reviewer who sent the request back: the reply travels with the amendment
 * (sealed in the workflow history like every payload), is on the timeline, and is read by the parties
 * asked again, in the new round's approval email and on its link page (issue 13).
 */
describe.each(testDatabases())('the requester’s reply to a change request on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;
  const bare = useBareTemporalClient(used);

  async function sentBack(): Promise<string> {
    const res = await http.as(REQUESTER, 'POST', '/api/requests', requestBody('conference'));
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    await eventually(async () => {
      const view = (await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body;
      return view.stages.some((s: any) => s.approvals.some((a: any) => a.party === 'hr' && a.status === 'pending'));
    }, 'hr asked');
    await sendBack(http, id, 'hr', 'hr@example.com', 'Name the sessions you attend');
    return id;
  }

  const mailbox = async (to: string) =>
    (await http.request<any[]>('GET', `/dev/mailbox?to=${encodeURIComponent(to)}`)).body;

  it('should put the reply on the timeline, in the new round’s approval email and on its link page', async () => {
    const id = await sentBack();
    const reply = `The keynote and the export-control panel (${id.slice(0, 8)})`;
    const amended = await http.as(REQUESTER, 'POST', `/api/requests/${id}/amend`, {
      ...requestBody('conference', { purpose: 'Present a paper and attend two sessions' }),
      reply: `  ${reply}  `,
    });
    expect(amended.status).toBe(200);
    expect(amended.body).toMatchObject({ status: 'pending', round: 2 });

    const timeline = await eventually(async () => {
      const items = (await http.as(REQUESTER, 'GET', `/api/requests/${id}/timeline`)).body.items as any[];
      return items.some((e) => e.kind === 'amended') && items;
    }, 'the amendment on the timeline');
    const replied = timeline.find((e) => e.kind === 'amended' && e.title.startsWith('Carol Lee replied'));
    expect(replied).toMatchObject({ title: `Carol Lee replied: “${reply}”`, actor: REQUESTER });

    // hr is asked again in round 2 and reads the reply in the email and on the link page
    const mail = await eventually(
      async () =>
        (await mailbox('hr@example.com')).find(
          (m) => m.text.includes('asked again') && m.links.some((l: string) => l.includes('/approvals/')),
        ),
      'the round-2 approval email to hr',
    );
    expect(mail.text).toContain(`The requester's reply: “${reply}”`);
    expect(mail.html).toContain(`<p>The requester's reply: “${reply}”</p>`);
    const link = mail.links.find((l: string) => l.includes('/approvals/')) as string;
    const page = await http.request('GET', link);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Carol Lee replied: “${reply}”`);

    // the reply is the requester's words: sealed in the workflow history, as every payload
    const history = await bare.workflow.getHandle(workflowIdFor(id)).fetchHistory();
    const forms = readableForms(JSON.parse(historyToJSON(history)));
    expect(forms.some((f) => f.includes('json/plain'))).toBe(true); // the reading decodes what is not sealed
    expect(forms.filter((f) => f.includes(reply))).toEqual([]);
  });

  it('should refuse a reply that is too long or not text, naming reply, and leave the request as it was', async () => {
    const id = await sentBack();
    const tooLong = await http.as(REQUESTER, 'POST', `/api/requests/${id}/amend`, {
      ...requestBody('conference'),
      reply: 'x'.repeat(2001),
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors.map((e: { field: string }) => e.field)).toEqual(['reply']);
    expect(JSON.stringify(tooLong.body)).toContain('reply must be at most 2000 characters');
    const notText = await http.as(REQUESTER, 'POST', `/api/requests/${id}/amend`, {
      ...requestBody('conference'),
      reply: 42,
    });
    expect(notText.status).toBe(400);
    expect(notText.body.errors.map((e: { field: string }) => e.field)).toEqual(['reply']);
    expect((await http.as(REQUESTER, 'GET', `/api/requests/${id}`)).body.status).toBe('changes_requested');

    // without a reply an amendment is as before: no reply on the timeline
    const amended = await http.as(REQUESTER, 'POST', `/api/requests/${id}/amend`, requestBody('conference'));
    expect(amended.status).toBe(200);
    const items = (await http.as(REQUESTER, 'GET', `/api/requests/${id}/timeline`)).body.items as any[];
    expect(items.some((e) => /replied/.test(e.title))).toBe(false);
  });
});
