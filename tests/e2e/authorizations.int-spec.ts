import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import JSZip from 'jszip';
import { DataSource } from 'typeorm';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, depositPassport, requestBody, sendBack } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * External authorizations and determinations (CONTRACT.md) through HTTP, the real workflow on the real
 * Temporal server and a real database: what the default policy requires of whom, the status
 * `awaiting_authorization`, recording an authority's decision, a refusal, a blocked destination, and a
 * passport that waits for its authorization.
 */
describe.each(testDatabases())('external authorizations on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;

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
    // Departure is 30 days away, as long as the authority usually takes: no warning yet.
    expect(submitted.warnings).toEqual([]);
    const soon = await submit(
      'alice@example.com',
      plain({ departureDate: daysFromNow(5), returnDate: daysFromNow(9) }),
    );
    expect(soon.warnings).toEqual([expect.stringContaining('Official exit approval: the')]);
    expect(soon.warnings[0]).toContain('30 days');
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

  it('should let the requester withdraw a request while it waits for the authority (the trip is off), and record nothing after', async () => {
    const view = await submit('alice@example.com', plain());
    expect((await approveAll(view.id)).status).toBe('awaiting_authorization');
    expect((await http.as('hr@example.com', 'POST', `/api/requests/${view.id}/withdraw`, {})).status).toBe(403);
    const withdrawn = await http.as('alice@example.com', 'POST', `/api/requests/${view.id}/withdraw`, {
      reason: 'the conference was cancelled',
    });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    expect((await record('alice@example.com', view.id, 'official_exit_approval', { status: 'granted' })).status).toBe(
      409,
    );
    expect((await http.as('alice@example.com', 'POST', `/api/requests/${view.id}/withdraw`, {})).status).toBe(409);
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
    // Approvers read it in the email that asks them, beside the request's details.
    const asked = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', '/dev/mailbox?to=hr%40example.com')).body;
      return mails.find((m) => m.subject.includes(view.reference));
    }, "hr's approval email");
    expect(asked.text).toContain('Determined by the policy: Condition: Loaner device only');
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

  /** PUT a file as the multipart field `field`. */
  async function upload(
    email: string,
    id: string,
    kind: string,
    bytes: Buffer,
    field = 'document',
    type = 'application/pdf',
  ) {
    const form = new FormData();
    form.append(field, new Blob([new Uint8Array(bytes)], { type }), 'decision.pdf');
    const res = await fetch(`${http.baseUrl}/api/requests/${id}/authorizations/${kind}/document`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await http.token(email)}` },
      body: form,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  it("should store the authority's decision document encrypted, and keep only its SHA-256 in the view and the history", async () => {
    const view = await submit('alice@example.com', plain());
    const marker = `CLEARANCE-DOCUMENT-${randomBytes(8).toString('hex')}`;
    const pdf = Buffer.from(`%PDF-1.4\n1 0 obj << /Title (${marker}) >> endobj\n${marker}\n%%EOF\n`);
    const sha256 = createHash('sha256').update(pdf).digest('hex');

    // Who may not read learns nothing; other readers may not; the field is named when wrong.
    expect((await upload('carol@example.com', view.id, 'official_exit_approval', pdf)).status).toBe(404);
    expect((await upload('hr@example.com', view.id, 'official_exit_approval', pdf)).status).toBe(403);
    expect((await upload('alice@example.com', view.id, 'data_export_assessment', pdf)).status).toBe(409);
    const wrongField = await upload('alice@example.com', view.id, 'official_exit_approval', pdf, 'file');
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.errors[0].field).toBe('document');
    const notPdf = await upload(
      'alice@example.com',
      view.id,
      'official_exit_approval',
      Buffer.from('hello'),
      'document',
      'text/plain',
    );
    expect(notPdf.status).toBe(400);
    expect(notPdf.body.errors[0].field).toBe('document');
    const huge = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * 1024 * 1024 + 10, 0x20)]);
    const tooLarge = await upload('alice@example.com', view.id, 'official_exit_approval', huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.errors[0].field).toBe('document');

    const stored = await upload('alice@example.com', view.id, 'official_exit_approval', pdf);
    expect(stored.status).toBe(200);
    expect(stored.body.authorizations[0]).toMatchObject({ kind: 'official_exit_approval', documentSha256: sha256 });

    // Nowhere in the database in the clear (nor as base64 or hex): every row of every table.
    const dataSource = used.system.app.get(DataSource);
    const dump: string[] = [];
    for (const meta of dataSource.entityMetadatas) {
      const rows = await dataSource.query(`SELECT * FROM ${meta.tableName}`);
      dump.push(JSON.stringify(rows));
    }
    const everything = dump.join('\n');
    expect(everything).toContain(sha256);
    for (const form of [marker, pdf.toString('base64'), pdf.toString('hex'), Buffer.from(marker).toString('base64')]) {
      expect(everything.includes(form)).toBe(false);
    }

    // The history, decoded through the codec server: the hash is there, the file is not.
    const exported = await http.as('auditor@example.com', 'GET', `/api/audit/requests/${view.id}/history`);
    expect(exported.status).toBe(200);
    const payloads: unknown[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const r = v as Record<string, any>;
        if (r.metadata && typeof r.metadata.encoding === 'string') payloads.push(r);
        else Object.values(r).forEach(walk);
      }
    };
    walk(exported.body);
    const decoded = await http.as(
      'auditor@example.com',
      'POST',
      '/codec/decode',
      { payloads },
      { 'x-namespace': 'default' },
    );
    expect(decoded.status).toBe(200);
    const texts = (decoded.body.payloads as Array<{ data?: string }>)
      .map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8'))
      .join('\n');
    expect(texts).toContain(sha256);
    for (const form of [marker, pdf.toString('base64'), pdf.toString('hex')]) expect(texts.includes(form)).toBe(false);
    expect(JSON.stringify(exported.body).includes(marker)).toBe(false);

    // The evidence pack checks the stored document against the hash on the record (without the file).
    const pack = await fetch(`${http.baseUrl}/api/audit/requests/${view.id}/evidence`, {
      headers: { authorization: `Bearer ${await http.token('auditor@example.com')}` },
    });
    expect(pack.status).toBe(200);
    const zip = await JSZip.loadAsync(Buffer.from(await pack.arrayBuffer()));
    const checks = JSON.parse(await zip.file('documents.json')!.async('string'));
    expect(checks).toEqual([
      expect.objectContaining({
        kind: 'official_exit_approval',
        recordedSha256: sha256,
        openedSha256: sha256,
        contentType: 'application/pdf',
        matches: true,
      }),
    ]);
    for (const name of Object.keys(zip.files)) {
      expect((await zip.file(name)!.async('string')).includes(marker)).toBe(false);
    }
  });

  it('should simulate a stricter draft over past requests and list what it would change, changing nothing (admins only)', async () => {
    const toUs = await submit('carol@example.com', plain());
    const toJapan = await submit('carol@example.com', plain({ destinationCountry: 'JP' }));
    const current = (await http.as('admin@example.com', 'GET', '/api/policy')).body;
    const { version: _v, createdBy: _b, createdAt: _a, ...draft } = current;
    draft.determinations = [
      ...draft.determinations,
      {
        rule: 'no_us_travel',
        when: { destinationIn: ['US'] },
        outcome: 'blocked',
        reason: 'No travel to the US this quarter.',
      },
    ];
    draft.authorizations = draft.authorizations.map((a: any) =>
      a.kind === 'official_exit_approval' ? { ...a, appliesWhen: { tierIn: ['standard', 'core', 'strategic'] } } : a,
    );
    const since = daysFromNow(0);

    for (const who of ['carol@example.com', 'hr@example.com', 'auditor@example.com']) {
      expect((await http.as(who, 'POST', '/api/policy/simulate', { policy: draft, since })).status).toBe(403);
    }
    const bad = await http.as('admin@example.com', 'POST', '/api/policy/simulate', {
      policy: { ...draft, determinations: [{ ...draft.determinations[0], outcome: 'maybe' }] },
      since: 'yesterday',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['policy.determinations.0.outcome', 'since']);

    const res = await http.as('admin@example.com', 'POST', '/api/policy/simulate', { policy: draft, since });
    expect(res.status).toBe(200);
    expect(res.body.requests).toBeGreaterThanOrEqual(2);
    const byId = new Map(res.body.changed.map((c: any) => [c.requestId, c]));
    expect(byId.get(toUs.id)).toEqual(
      expect.objectContaining({
        before: { stages: [['hr']], blocked: [], authorizations: [] },
        after: { stages: [['hr']], blocked: ['no_us_travel'], authorizations: ['official_exit_approval:approval'] },
      }),
    );
    expect(byId.get(toJapan.id)).toEqual(
      expect.objectContaining({
        after: expect.objectContaining({ blocked: [], authorizations: ['official_exit_approval:approval'] }),
      }),
    );
    // Nothing changed: the same policy in force, the requests as they were.
    expect((await http.as('admin@example.com', 'GET', '/api/policy')).body.version).toBe(current.version);
    const after = (await http.as('carol@example.com', 'GET', `/api/requests/${toUs.id}`)).body;
    expect(after.authorizations).toEqual([]);
    expect(after.status).toBe('pending');
  });

  it('should determine the authorizations again after an amendment, keeping what was recorded, and refuse one into a blocked destination', async () => {
    const body = plain();
    const view = await submit('alice@example.com', body);
    const applied = await record('alice@example.com', view.id, 'official_exit_approval', {
      status: 'applied',
      reference: 'EXIT-9',
    });
    expect(applied.status).toBe(200);
    await sendBack(http, view.id, 'hr', 'hr@example.com', 'say what data you take');

    const blocked = await http.as('alice@example.com', 'POST', `/api/requests/${view.id}/amend`, {
      ...body,
      destinationCountry: 'KP',
    });
    expect(blocked.status).toBe(422);
    expect(blocked.body.reason).toContain('North Korea');

    const returnDate = daysFromNow(40);
    const amended = await http.as('alice@example.com', 'POST', `/api/requests/${view.id}/amend`, {
      ...body,
      returnDate,
      dataCategories: ['training_data'],
    });
    expect(amended.status).toBe(200);
    expect(amended.body.authorizations.map((a: any) => [a.kind, a.status, a.reference, a.neededThrough])).toEqual([
      ['official_exit_approval', 'applied', 'EXIT-9', returnDate],
      ['data_export_assessment', 'required', null, returnDate],
    ]);
  });

  it('should approve a request whose authorization holds only the departure, and track it as an obligation until granted', async () => {
    const view = await submit('carol@example.com', plain({ dataCategories: ['personal_data'] }));
    expect(view.authorizations).toEqual([
      expect.objectContaining({ kind: 'data_export_assessment', blocks: 'departure', status: 'required' }),
    ]);
    const approved = await approveAll(view.id);
    expect(approved.status).toBe('approved');
    const obligation = await eventually(async () => {
      const now = (await http.as('carol@example.com', 'GET', `/api/requests/${view.id}`)).body;
      return now.obligations.find((o: any) => o.kind === 'authorization-data_export_assessment');
    }, 'the obligation for the data-export assessment');
    expect(obligation).toMatchObject({
      status: 'open',
      label: 'Data-export security assessment granted before departure',
    });
    const granted = await record('carol@example.com', view.id, 'data_export_assessment', {
      status: 'granted',
      reference: 'DEA-1',
    });
    expect(granted.status).toBe(200);
    expect(granted.body.obligations.find((o: any) => o.kind === 'authorization-data_export_assessment')).toMatchObject({
      status: 'fulfilled',
      fulfilledBy: 'carol@example.com',
    });
  });
});
