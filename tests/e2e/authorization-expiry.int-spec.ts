import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, requestBody } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * An external authorization granted with a validity that ends before it is needed (CONTRACT.md,
 * "External authorizations and determinations": status `expired`), through HTTP, the real workflow
 * and a real database. The grants here end yesterday, so the workflow's durable timer to the end of
 * their validity fires at once: no test waits for a clock.
 */
describe.each(testDatabases())('expiry of external authorizations on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;

  const plain = (extra: Record<string, unknown> = {}) =>
    requestBody('conference', {
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { eventName: 'Quiet Conf', presenting: false },
      ...extra,
    });

  const MEMBERS: Record<string, string> = {
    hr: 'hr@example.com',
    legal: 'legal@example.com',
    security: 'security@example.com',
    data_governance: 'datagov@example.com',
  };

  const submit = async (email: string, body: Record<string, unknown>) => {
    const res = await http.as(email, 'POST', '/api/requests', body);
    expect(res.status).toBe(201);
    return res.body;
  };

  async function approveAll(id: string): Promise<any> {
    let view = (await http.as('admin@example.com', 'GET', `/api/requests/${id}`)).body;
    while (view.status === 'pending') {
      const stage = view.stages.find((s: any) => s.index === view.currentStage);
      for (const a of stage.approvals.filter((x: any) => x.status === 'pending')) {
        const res = await http.as(MEMBERS[a.party], 'POST', `/api/requests/${id}/decisions`, {
          party: a.party,
          decision: 'approve',
        });
        expect(res.status).toBe(200);
        view = res.body;
      }
    }
    return view;
  }

  const record = (email: string, id: string, kind: string, body: unknown) =>
    http.as(email, 'POST', `/api/requests/${id}/authorizations/${kind}`, body);

  const viewOf = async (email: string, id: string) => (await http.as(email, 'GET', `/api/requests/${id}`)).body;

  const expiredMail = (to: string, reference: string) =>
    eventually(async () => {
      const mails = (await http.request<any[]>('GET', `/dev/mailbox?to=${encodeURIComponent(to)}`)).body;
      return mails.find((m) => m.text.includes(reference) && /^\[Clearance\] Expired:/.test(m.subject));
    }, 'the expiry email');

  it('should expire a grant that ends before the return while the request waits, keep it waiting, and approve on a renewed grant', async () => {
    const body = plain();
    const view = await submit('alice@example.com', body);
    expect((await approveAll(view.id)).status).toBe('awaiting_authorization');
    const short = await record('alice@example.com', view.id, 'official_exit_approval', {
      status: 'granted',
      authority: 'Exit-entry administration',
      reference: 'EXIT-SHORT',
      decidedAt: daysFromNow(-3),
      validUntil: daysFromNow(-1),
    });
    expect(short.status).toBe(200);
    expect(short.body.status).toBe('awaiting_authorization');

    const expired = await eventually(async () => {
      const now = await viewOf('alice@example.com', view.id);
      return now.authorizations[0].status === 'expired' && now;
    }, 'the authorization to expire');
    expect(expired.status).toBe('awaiting_authorization');
    expect(expired.authorizations[0]).toMatchObject({ reference: 'EXIT-SHORT', validUntil: daysFromNow(-1) });

    const mail = await expiredMail('alice@example.com', view.reference);
    expect(mail.subject).toContain('Official exit approval');
    expect(mail.text).toContain(`/app/requests/${view.id}`);

    const timeline = (await http.as('auditor@example.com', 'GET', `/api/requests/${view.id}/timeline`)).body;
    expect(timeline.items.map((e: any) => e.title)).toContain(
      `Official exit approval: expired (valid until ${daysFromNow(-1)})`,
    );
    expect((await http.as('auditor@example.com', 'GET', '/api/audit/chain/verify')).status).toBe(200);

    const renewed = await record('alice@example.com', view.id, 'official_exit_approval', {
      status: 'granted',
      reference: 'EXIT-RENEWED',
      validUntil: body.returnDate,
    });
    expect(renewed.status).toBe(200);
    expect(renewed.body.status).toBe('approved');
    expect(renewed.body.authorizations[0]).toMatchObject({ status: 'granted', reference: 'EXIT-RENEWED' });
  });

  it('should make an approved request renew a grant re-recorded with a shorter validity: an overdue obligation, met by the renewal', async () => {
    const body = plain();
    const view = await submit('alice@example.com', body);
    expect(
      (
        await record('alice@example.com', view.id, 'official_exit_approval', {
          status: 'granted',
          validUntil: body.returnDate,
        })
      ).status,
    ).toBe(200);
    expect((await approveAll(view.id)).status).toBe('approved');
    await eventually(async () => (await viewOf('alice@example.com', view.id)).obligations.length > 0, 'obligations');

    // The authority shortened the validity: recorded after approval, by an admin.
    const shortened = await record('admin@example.com', view.id, 'official_exit_approval', {
      status: 'granted',
      reference: 'EXIT-SHORTENED',
      validUntil: daysFromNow(-1),
    });
    expect(shortened.status).toBe(200);
    expect(shortened.body.status).toBe('approved');

    const renew = await eventually(async () => {
      const now = await viewOf('alice@example.com', view.id);
      const o = now.obligations.find((x: any) => x.kind === 'authorization-official_exit_approval');
      return now.authorizations[0].status === 'expired' && o?.status === 'overdue' && o;
    }, 'the renewal obligation to be overdue');
    expect(renew.label).toBe('Renew Official exit approval');
    await expiredMail('alice@example.com', view.reference);

    const renewed = await record('alice@example.com', view.id, 'official_exit_approval', {
      status: 'granted',
      reference: 'EXIT-RENEWED',
      validUntil: body.returnDate,
    });
    expect(renewed.status).toBe(200);
    expect(renewed.body.obligations.find((o: any) => o.kind === 'authorization-official_exit_approval')).toMatchObject({
      status: 'fulfilled',
      fulfilledBy: 'alice@example.com',
    });
    expect(renewed.body.authorizations[0]).toMatchObject({ status: 'granted', reference: 'EXIT-RENEWED' });
  });

  it('should make the obligation of a departure-holding authorization overdue once its short grant expires', async () => {
    const view = await submit('carol@example.com', plain({ dataCategories: ['personal_data'] }));
    expect((await approveAll(view.id)).status).toBe('approved');
    await eventually(
      async () =>
        (await viewOf('carol@example.com', view.id)).obligations.some(
          (o: any) => o.kind === 'authorization-data_export_assessment',
        ),
      'the obligation for the data-export assessment',
    );
    const short = await record('carol@example.com', view.id, 'data_export_assessment', {
      status: 'granted',
      reference: 'DEA-SHORT',
      validUntil: daysFromNow(-1),
    });
    expect(short.status).toBe(200);
    const overdue = await eventually(async () => {
      const now = await viewOf('carol@example.com', view.id);
      const o = now.obligations.find((x: any) => x.kind === 'authorization-data_export_assessment');
      return now.authorizations[0].status === 'expired' && o?.status === 'overdue' && o;
    }, 'the obligation to be overdue');
    expect(overdue.label).toBe('Renew Data-export security assessment');
    await expiredMail('carol@example.com', view.reference);
  });
});
