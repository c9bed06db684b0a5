import { DataSource } from 'typeorm';
import { DecisionEntity } from '@libs/persistence';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { depositPassport, requestBody } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * Issue 12, attack 5: a passport release decided from a forwarded email link is confirmed with a
 * one-time code. Twelve parallel wrong codes were all checked although the limit is five (the
 * attempt counter was read, then written), and every POST without a code issued a new code, reset
 * the counter and mailed the approver again, without limit. Guessing must stay bounded: five wrong
 * codes per code, ten per link in all, three codes per link per hour, and a code confirms only the
 * decision it was issued for.
 */
describe.each(testDatabases())('step-up codes cannot be guessed on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;
  const APPROVER = 'security@example.com';

  const mailbox = async (to: string): Promise<any[]> =>
    (await http.request<any[]>('GET', `/dev/mailbox?to=${encodeURIComponent(to)}`)).body;
  const rid = (link: string): string =>
    JSON.parse(Buffer.from(link.split('/approvals/')[1].split('.')[1], 'base64url').toString()).rid;
  const codeMails = async (): Promise<any[]> =>
    (await mailbox(APPROVER)).filter((m) => m.subject.includes('confirmation code'));

  /** A fresh passport release of carol's and security's link to it, with the mailbox emptied. */
  async function releaseLink(): Promise<{ id: string; link: string }> {
    const view = (await http.as('carol@example.com', 'POST', '/api/requests', requestBody('passport_release'))).body;
    const link = await eventually(
      async () => (await mailbox(APPROVER)).flatMap((m) => m.links as string[]).find((l) => rid(l) === view.id),
      'the security link',
    );
    await http.request('DELETE', '/dev/mailbox');
    return { id: view.id, link };
  }

  /** Asks for a code for this decision and reads it from the newest code email. */
  async function askCode(link: string, form: Record<string, string>): Promise<string> {
    const before = (await codeMails()).length;
    const asked = await http.request('POST', link, { form });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('One-time code');
    const mail = await eventually(async () => {
      const mails = await codeMails();
      return mails.length > before ? mails[0] : undefined;
    }, 'the code email');
    return /code is (\d{6})/.exec(mail.text)![1];
  }

  const wrongCodes = (code: string, n: number): string[] =>
    Array.from({ length: n }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));

  const securityStatus = async (id: string): Promise<string> =>
    (await http.as('carol@example.com', 'GET', `/api/requests/${id}`)).body.stages[0].approvals.find(
      (a: any) => a.party === 'security',
    ).status;

  beforeAll(async () => {
    await depositPassport(http, 'carol@example.com');
  });

  it('should check at most five of twelve parallel wrong codes, then refuse even the right one', async () => {
    const { id, link } = await releaseLink();
    const form = { decision: 'approve', comment: 'ok' };
    const code = await askCode(link, form);
    const answers = await Promise.all(
      wrongCodes(code, 12).map((wrong) => http.request('POST', link, { form: { ...form, code: wrong } })),
    );
    const checked = answers.filter((a) => a.text.includes('not right'));
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(answers.every((a) => a.status >= 400)).toBe(true);
    const right = await http.request('POST', link, { form: { ...form, code } });
    expect(right.status).toBe(403);
    expect(right.text).toContain('Too many wrong codes');
    expect(await securityStatus(id)).toBe('pending');
  });

  it('should allow at most ten wrong codes per link across re-issued codes, then ask for a fresh email', async () => {
    const { id, link } = await releaseLink();
    const form = { decision: 'approve', comment: 'ok' };
    for (let round = 0; round < 2; round += 1) {
      const code = await askCode(link, form);
      for (const wrong of wrongCodes(code, 5)) {
        await http.request('POST', link, { form: { ...form, code: wrong } });
      }
    }
    const mailsBefore = (await codeMails()).length;
    const third = await http.request('POST', link, { form });
    expect(third.status).toBe(403);
    expect(third.text).toContain('fresh email');
    expect(third.text).not.toContain('One-time code');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await codeMails()).length).toBe(mailsBefore);
    expect(await securityStatus(id)).toBe('pending');
  });

  it('should send at most three codes per link per hour, and say when the next one can be sent', async () => {
    const { link } = await releaseLink();
    const form = { decision: 'approve', comment: 'ok' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => http.request('POST', link, { form })));
    expect(answers.filter((a) => a.status === 200 && a.text.includes('One-time code'))).toHaveLength(3);
    const held = answers.filter((a) => a.status === 429);
    expect(held).toHaveLength(3);
    expect(held[0].text).toMatch(/next code can be sent at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    await eventually(async () => (await codeMails()).length === 3 || undefined, 'three code emails');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await codeMails()).toHaveLength(3);
  });

  it('should not let a code issued to confirm an approval confirm a rejection', async () => {
    const { id, link } = await releaseLink();
    const code = await askCode(link, { decision: 'approve', comment: 'fine' });
    const swapped = await http.request('POST', link, { form: { decision: 'reject', comment: 'no', code } });
    expect(swapped.status).toBe(403);
    expect(swapped.text).toContain('confirms another decision');
    expect(await securityStatus(id)).toBe('pending');
    const changedComment = await http.request('POST', link, {
      form: { decision: 'approve', comment: 'fine, and more', code },
    });
    expect(changedComment.status).toBe(403);
    const confirmed = await http.request('POST', link, { form: { decision: 'approve', comment: 'fine', code } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('Decision recorded');
    const rows = await used.system.app.get(DataSource).getRepository(DecisionEntity).findBy({ requestId: id });
    expect(rows.map((r) => [r.decision, r.via])).toEqual([['approve', 'email-otp']]);
  });
});
