import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, requestBody } from '../support/factories';
import { useSystem } from '../support/system';

const ADMIN = 'admin@example.com';
const ALICE = 'alice@example.com'; // core: an official exit approval, training before departure
const MEMBER: Record<string, string> = {
  hr: 'hr@example.com',
  legal: 'legal@example.com',
  security: 'security@example.com',
  data_governance: 'datagov@example.com',
};

/** A permanent move: a departure abroad without a return date, through to approval (issue 13). */
describe.each(testDatabases())('a departure abroad without a return on $name', (database) => {
  const { http } = useSystem(database);

  const departure = daysFromNow(40);
  const dayBefore = daysFromNow(39);
  const move = () => {
    const { returnDate: _none, ...body } = requestBody('departure_abroad', {
      departureDate: departure,
      technologyAreas: ['general_software'],
      dataCategories: ['none'],
      details: { newEmployer: 'Example Labs Ltd', lastWorkingDay: dayBefore },
    });
    return body;
  };

  async function approveEveryParty(id: string) {
    return eventually(async () => {
      const view = (await http.as(ALICE, 'GET', `/api/requests/${id}`)).body;
      if (view.status !== 'pending') return view;
      for (const a of view.stages.flatMap((s: any) => s.approvals).filter((a: any) => a.status === 'pending')) {
        await http.as(MEMBER[a.party], 'POST', `/api/requests/${id}/decisions`, {
          party: a.party,
          decision: 'approve',
          ...(a.party === 'hr' ? { conditions: ['Hand in the laptop on the last day'] } : {}),
        });
      }
      return undefined;
    }, 'every party decided');
  }

  it('should still require a return date of every other type, naming the field', async () => {
    const { returnDate: _none, ...conference } = requestBody('conference');
    const refused = await http.as(ALICE, 'POST', '/api/requests', conference);
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['returnDate']);
  });

  it('should approve a permanent move with its authorizations and obligations counted from the departure date', async () => {
    // a debrief for departures too, so that the trip's end shows in an obligation
    const policy = (await http.as(ADMIN, 'GET', '/api/policy')).body;
    policy.afterApproval = {
      ...policy.afterApproval,
      debriefTypes: [...policy.afterApproval.debriefTypes, 'departure_abroad'],
    };
    expect((await http.as(ADMIN, 'PUT', '/api/policy', policy, { 'x-change-reason': 'exit debriefs' })).status).toBe(
      200,
    );

    const preview = await http.as(ALICE, 'POST', '/api/policy/evaluate', move());
    expect(preview.status).toBe(201);
    const submitted = await http.as(ALICE, 'POST', '/api/requests', move());
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({ returnDate: null, tripEnd: departure });
    const id = submitted.body.id as string;

    // the approvers' email says it in words
    const mail = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', `/dev/mailbox?to=${encodeURIComponent(MEMBER.hr)}`)).body;
      return mails.find((m) => m.text.includes(submitted.body.reference));
    }, 'the approval email');
    expect(mail.text).toContain('No return (permanent move)');
    expect(mail.html).toContain('No return (permanent move)');
    expect(mail.html).not.toMatch(/ to <\/td>/);

    const waiting = await approveEveryParty(id);
    expect(waiting.status).toBe('awaiting_authorization');
    const exit = waiting.authorizations.find((a: { kind: string }) => a.kind === 'official_exit_approval');
    expect(exit).toMatchObject({ status: 'required', neededThrough: departure });

    // a grant that ends before the departure does not hold it; one through the departure day does
    const record = (validUntil: string) =>
      http.as(ALICE, 'POST', `/api/requests/${id}/authorizations/official_exit_approval`, {
        status: 'granted',
        authority: 'Exit office',
        reference: 'EX-1',
        validUntil,
      });
    expect((await record(dayBefore)).body.status).toBe('awaiting_authorization');
    expect((await record(departure)).status).toBe(200);
    const approved = await eventually(async () => {
      const view = (await http.as(ALICE, 'GET', `/api/requests/${id}`)).body;
      return view.status === 'approved' && view.obligations.length > 0 ? view : undefined;
    }, 'approved once the grant holds through the departure');

    const due = Object.fromEntries(approved.obligations.map((o: { kind: string; dueAt: string }) => [o.kind, o.dueAt]));
    expect(due).toEqual({
      training: new Date(Date.parse(`${departure}T00:00:00Z`) - 1 * 86_400_000).toISOString(),
      'condition-1': `${departure}T00:00:00.000Z`,
      debrief: new Date(Date.parse(`${departure}T00:00:00Z`) + 5 * 86_400_000).toISOString(),
    });

    // the requester's outcome email gives the dates in words, not an empty return
    const outcome = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', `/dev/mailbox?to=${encodeURIComponent(ALICE)}`)).body;
      return mails.find((m) => m.text.includes(submitted.body.reference) && /approved/.test(m.text));
    }, 'the approval outcome email');
    expect(outcome.text).toContain(`Dates: ${departure}, No return (permanent move)`);

    // the debrief waits for the trip's end: the departure date
    const early = await http.as(ALICE, 'POST', `/api/requests/${id}/obligations/debrief`, {});
    expect(early.status).toBe(409);
    expect(early.body.message).toContain(
      `on or after the departure date ${departure} (a permanent move has no return)`,
    );
  });

  it('should still accept a departure abroad that names a return date', async () => {
    const withReturn = { ...move(), returnDate: daysFromNow(60) };
    const submitted = await http.as(ALICE, 'POST', '/api/requests', withReturn);
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({ returnDate: daysFromNow(60), tripEnd: daysFromNow(60) });
    const early = await http.as(ALICE, 'POST', '/api/requests', { ...move(), returnDate: dayBefore });
    expect(early.status).toBe(400);
    expect(early.body.errors.map((e: { field: string }) => e.field)).toEqual(['returnDate']);
  });
});
