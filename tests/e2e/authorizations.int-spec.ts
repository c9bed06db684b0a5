import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, depositPassport, requestBody } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * External authorizations and determinations (CONTRACT.md) through HTTP, the real workflow on the real
 * Temporal server and a real database: what the default policy requires of whom, the status
 * `awaiting_authorization`, recording an authority's decision, a refusal, a blocked destination, and a
 * passport that waits for its authorization.
 */
describe.each(testDatabases())('external authorizations on $name', (database) => {
  const { http } = useSystem(database);

  /** A conference that asks only hr (and security for core and strategic staff). */
  const plain = (extra: Record<string, unknown> = {}) =>
    requestBody('conference', {
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { eventName: 'Quiet Conf', presenting: false },
      ...extra,
    });

  const submit = async (email: string, body: Record<string, unknown>) => {
    const res = await http.as(email, 'POST', '/api/requests', body);
    expect(res.status).toBe(201);
    return res.body;
  };

  const MEMBERS: Record<string, string> = {
    hr: 'hr@example.com',
    legal: 'legal@example.com',
    security: 'security@example.com',
    data_governance: 'datagov@example.com',
  };

  /** Every party of every stage approves; answers the last view. */
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

  it("should hold a core employee's conference at awaiting_authorization until the exit approval is granted through the return, then approve it", async () => {
    const body = plain();
    const submitted = await submit('alice@example.com', body);
    expect(submitted.authorizations).toEqual([
      expect.objectContaining({
        kind: 'official_exit_approval',
        label: 'Official exit approval',
        status: 'required',
        blocks: 'approval',
        reference: null,
        validUntil: null,
        documentSha256: null,
      }),
    ]);
    expect(submitted.authorizations[0].reasons[0]).toContain('government approval');
    expect(submitted.determinations).toEqual([]);

    const waiting = await approveAll(submitted.id);
    expect(waiting.status).toBe('awaiting_authorization');
    expect(waiting.stages.every((s: any) => s.status === 'approved')).toBe(true);
    const listed = (await http.as('alice@example.com', 'GET', '/api/requests?status=awaiting_authorization')).body;
    expect(listed.items.map((r: any) => r.id)).toContain(submitted.id);

    // The requester is told what waits (the workflow's main line sees the state once its emails are out).
    const told = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', '/dev/mailbox?to=alice%40example.com')).body;
      return mails.find((m) => m.text.includes(submitted.reference) && m.subject.includes('external authorization'));
    }, 'the email telling alice what waits');
    expect(told.text).toContain('Official exit approval');

    const applied = await record('alice@example.com', submitted.id, 'official_exit_approval', {
      status: 'applied',
      authority: 'Exit-entry administration',
      reference: 'EXIT-2027-0042',
    });
    expect(applied.status).toBe(200);
    expect(applied.body.status).toBe('awaiting_authorization');
    expect(applied.body.authorizations[0]).toMatchObject({ status: 'applied', reference: 'EXIT-2027-0042' });

    // A grant that ends before the return does not count.
    const short = await record('alice@example.com', submitted.id, 'official_exit_approval', {
      status: 'granted',
      decidedAt: daysFromNow(1),
      validUntil: daysFromNow(2),
    });
    expect(short.status).toBe(200);
    expect(short.body.status).toBe('awaiting_authorization');

    const granted = await record('alice@example.com', submitted.id, 'official_exit_approval', {
      status: 'granted',
      decidedAt: daysFromNow(1),
      validFrom: daysFromNow(1),
      validUntil: body.returnDate,
    });
    expect(granted.status).toBe(200);
    expect(granted.body.status).toBe('approved');
    expect(granted.body.authorizations[0]).toMatchObject({
      status: 'granted',
      authority: 'Exit-entry administration',
      reference: 'EXIT-2027-0042',
      validUntil: body.returnDate,
    });

    // In the timeline and the audit chain.
    const timeline = (await http.as('auditor@example.com', 'GET', `/api/requests/${submitted.id}/timeline`)).body;
    const titles = timeline.items.map((e: any) => e.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Status: awaiting external authorization',
        'Official exit approval: applied for (Exit-entry administration)',
        'Official exit approval: granted (Exit-entry administration)',
        'Status: approved',
      ]),
    );
  });

  it('should answer 404 to those who may not read, 403 to readers who are neither requester nor admin, 400 naming fields, 409 for kinds that do not apply', async () => {
    const view = await submit('alice@example.com', plain());
    expect((await record('carol@example.com', view.id, 'official_exit_approval', { status: 'applied' })).status).toBe(
      404,
    );
    expect((await record('hr@example.com', view.id, 'official_exit_approval', { status: 'applied' })).status).toBe(403);
    const bad = await record('alice@example.com', view.id, 'official_exit_approval', {
      status: 'maybe',
      validUntil: 'soon',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['status', 'validUntil']);
    const noReason = await record('alice@example.com', view.id, 'official_exit_approval', { status: 'refused' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: any) => e.field)).toEqual(['reason']);
    expect((await record('alice@example.com', view.id, 'data_export_assessment', { status: 'applied' })).status).toBe(
      409,
    );
    expect((await record('alice@example.com', view.id, 'Not-A-Kind', { status: 'applied' })).status).toBe(409);

    // A standard employee's plain trip needs none: empty lists, and nothing to record.
    const carol = await submit('carol@example.com', plain());
    expect(carol.authorizations).toEqual([]);
    expect(carol.determinations).toEqual([]);
    expect((await record('carol@example.com', carol.id, 'official_exit_approval', { status: 'applied' })).status).toBe(
      409,
    );
  });

  it("should reject the request with the authority's reason when the authorization is refused", async () => {
    const view = await submit('alice@example.com', plain());
    expect((await approveAll(view.id)).status).toBe('awaiting_authorization');
    const refused = await record('admin@example.com', view.id, 'official_exit_approval', {
      status: 'refused',
      authority: 'Exit-entry administration',
      reference: 'EXIT-2027-0099',
      decidedAt: daysFromNow(1),
      reason: 'pending national review of the research programme',
    });
    expect(refused.status).toBe(200);
    expect(refused.body.status).toBe('rejected');
    expect(refused.body.authorizations[0]).toMatchObject({
      status: 'refused',
      reason: 'pending national review of the research programme',
      recordedBy: 'admin@example.com',
    });
    // Nothing more is recorded on a rejected request.
    expect((await record('alice@example.com', view.id, 'official_exit_approval', { status: 'granted' })).status).toBe(
      409,
    );
    const outcome = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', '/dev/mailbox?to=alice%40example.com')).body;
      return mails.find((m) => m.text.includes(view.reference) && m.subject.includes('was rejected'));
    }, 'the rejection email');
    expect(outcome.text).toContain('pending national review of the research programme');
  });

  it('should refuse a blocked destination at submission with 422 and its reason, recording and starting nothing', async () => {
    const before = (await http.as('carol@example.com', 'GET', '/api/requests?mine=true&limit=100')).body.items.length;
    const res = await http.as('carol@example.com', 'POST', '/api/requests', plain({ destinationCountry: 'KP' }));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('DESTINATION_BLOCKED');
    expect(res.body.reason).toContain('North Korea');
    expect(res.body.contact).toContain('Legal');
    expect(res.body.message).toContain('Contact: Legal');
    const after = (await http.as('carol@example.com', 'GET', '/api/requests?mine=true&limit=100')).body.items.length;
    expect(after).toBe(before);

    // The dry run shows it, with the other determinations and the authorizations.
    const dry = await http.as('alice@example.com', 'POST', '/api/policy/evaluate', plain({ destinationCountry: 'KP' }));
    expect(dry.status).toBe(201);
    expect(dry.body.blocked).toBe(true);
    expect(dry.body.determinations.map((d: any) => d.rule)).toEqual([
      'embargoed_destination',
      'loaner_device_high_risk',
    ]);
    expect(dry.body.authorizations.map((a: any) => a.kind)).toEqual(['official_exit_approval']);
    expect(dry.body.stages.length).toBeGreaterThan(0);
  });

  it('should carry determined conditions on the request (loaner device for a high-risk destination)', async () => {
    const view = await submit('carol@example.com', plain({ destinationCountry: 'IR' }));
    expect(view.determinations).toEqual([
      expect.objectContaining({ rule: 'loaner_device_high_risk', outcome: 'condition' }),
    ]);
    expect(view.determinations[0].condition).toContain('Loaner device only');
  });

  it('should keep a strategic passport release in the vault until its authorization is granted', async () => {
    await depositPassport(http, 'dave@example.com');
    const view = await submit(
      'dave@example.com',
      requestBody('passport_release', { departureDate: daysFromNow(0), returnDate: daysFromNow(3) }),
    );
    // Dave is strategic and has classified access (seeded directory): his unit approves first, before approval.
    expect(view.authorizations).toEqual([
      expect.objectContaining({ kind: 'official_exit_approval', blocks: 'passport_release', status: 'required' }),
      expect.objectContaining({ kind: 'confidentiality_unit_approval', blocks: 'approval', status: 'required' }),
    ]);
    expect((await approveAll(view.id)).status).toBe('awaiting_authorization');
    const approved = await record('dave@example.com', view.id, 'confidentiality_unit_approval', {
      status: 'granted',
      reference: 'CONF-7',
    });
    expect(approved.body.status).toBe('approved');
    const passport = async () =>
      (await http.as('custodian@example.com', 'GET', '/api/passports?employee=dave@example.com')).body.items[0];
    // Approved, but the passport is not readied while the authority has not granted.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await passport()).status).toBe('in_custody');

    const granted = await record('dave@example.com', view.id, 'official_exit_approval', {
      status: 'granted',
      validUntil: daysFromNow(3),
    });
    expect(granted.status).toBe(200);
    const ready = await eventually(async () => {
      const p = await passport();
      return p.status === 'ready_for_hand_out' ? p : undefined;
    }, 'the passport to be ready for hand-out');
    expect(ready.releaseRequestId).toBe(view.id);
  });
});
