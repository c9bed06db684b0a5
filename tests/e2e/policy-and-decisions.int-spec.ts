import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, depositPassport, requestBody } from '../support/factories';
import { Http } from '../support/http';
import { startSystem, type TestSystem } from '../support/system';

/**
 * Issue 3 through HTTP: versioned policy pinned per request, dry runs, screening at submission,
 * delegation, conflicts of interest, inbox filters and bulk decisions.
 */
describe.each(testDatabases())('policy, screening and decisions on $name', (database) => {
  let system: TestSystem;
  let http: Http;

  beforeAll(async () => {
    system = await startSystem(database);
    http = new Http(system.baseUrl);
    await depositPassport(http, 'alice@example.com');
  });

  afterAll(async () => {
    await system?.stop();
  });

  const plain = { technologyAreas: ['none'], dataCategories: ['none'], details: { eventName: 'E', presenting: false } };
  const submit = async (email: string, body: Record<string, unknown>) => {
    const res = await http.as(email, 'POST', '/api/requests', body);
    expect(res.status).toBe(201);
    return res.body;
  };
  const parties = (view: any): string[][] => view.stages.map((s: any) => s.approvals.map((a: any) => a.party).sort());
  const mailbox = async (to: string) =>
    (await http.request<any[]>('GET', `/dev/mailbox?to=${encodeURIComponent(to)}`)).body;
  const linkFor = (requestId: string, to: string, onBehalfOf?: string) =>
    eventually(
      async () =>
        (await mailbox(to))
          .flatMap((m) => m.links as string[])
          .find((l) => claims(l).rid === requestId && (onBehalfOf === undefined || claims(l).obo === onBehalfOf)),
      `a link for ${to}`,
    );
  const claims = (link: string) =>
    JSON.parse(Buffer.from(link.split('/approvals/')[1].split('.')[1], 'base64url').toString());

  it('should let admins and auditors read the policy, and only admins publish', async () => {
    const current = await http.as('auditor@example.com', 'GET', '/api/policy');
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ version: 1, createdBy: 'system', routes: expect.any(Object) });
    for (const who of ['alice@example.com', 'hr@example.com', 'custodian@example.com']) {
      expect((await http.as(who, 'GET', '/api/policy')).status).toBe(403);
    }
    for (const who of ['auditor@example.com', 'hr@example.com', 'alice@example.com']) {
      expect((await http.as(who, 'PUT', '/api/policy', current.body)).status).toBe(403);
    }
    expect((await http.request('PUT', '/api/policy', { body: current.body })).status).toBe(401);
    const bad = await http.as('admin@example.com', 'PUT', '/api/policy', {
      ...current.body,
      parties: { ...current.body.parties, hr: { quorum: 0, deadlines: current.body.parties.hr.deadlines } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'parties.hr.quorum', messages: [expect.any(String)] }]);
    expect((await http.as('auditor@example.com', 'GET', '/api/policy/versions/1')).status).toBe(200);
    expect((await http.as('auditor@example.com', 'GET', '/api/policy/versions/999')).status).toBe(404);
  });

  it('should pin each request to the version it started with; a new version affects only new requests', async () => {
    const before = await submit('carol@example.com', requestBody('conference', plain));
    expect(before.policyVersion).toBe((await http.as('admin@example.com', 'GET', '/api/policy')).body.version);
    expect(parties(before)).toEqual([['hr']]);

    const policy = (await http.as('admin@example.com', 'GET', '/api/policy')).body;
    policy.description = 'conference trips also need legal';
    policy.routes.conference.push({ party: 'legal', stage: 2, reason: 'legal reviews every trip this quarter' });
    const published = await http.as('admin@example.com', 'PUT', '/api/policy', policy);
    expect(published.status).toBe(200);
    expect(published.body.version).toBe(before.policyVersion + 1);
    expect(published.body.createdBy).toBe('admin@example.com');

    const after = await submit('carol@example.com', requestBody('conference', plain));
    expect(after.policyVersion).toBe(published.body.version);
    expect(parties(after)).toEqual([['hr'], ['legal']]);
    expect(after.stages[1].approvals[0].reasons).toEqual(['legal reviews every trip this quarter']);

    // The earlier request keeps its plan and finishes on it.
    const done = await http.as('hr@example.com', 'POST', `/api/requests/${before.id}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    expect(done.body).toMatchObject({ status: 'approved', policyVersion: before.policyVersion });
    expect(parties(done.body)).toEqual([['hr']]);
  });

  it('should dry-run the policy for anyone signed in, with reasons, recording nothing', async () => {
    const count = async () => (await http.as('admin@example.com', 'GET', '/api/requests?limit=100')).body.items.length;
    const before = await count();
    const res = await http.as(
      'alice@example.com',
      'POST',
      '/api/policy/evaluate',
      requestBody('conference', { destinationCountry: 'KP' }),
    );
    expect(res.status).toBe(201);
    expect(res.body.tier).toBe('core');
    expect(res.body.destinationRisk).toBe('high');
    const security = res.body.stages[0].parties.find((p: any) => p.party === 'security');
    expect(security.reasons).toEqual(["requester's tier is core", 'destination KP is rated high risk']);
    const asStandard = await http.as(
      'alice@example.com',
      'POST',
      '/api/policy/evaluate?tier=standard',
      requestBody('overseas_assignment'),
    );
    expect(asStandard.body.stages.map((s: any) => s.parties.map((p: any) => p.party))).toEqual([
      ['hr', 'security'],
      ['legal', 'data_governance'],
    ]);
    expect(
      (await http.as('alice@example.com', 'POST', '/api/policy/evaluate?tier=boss', requestBody('conference'))).status,
    ).toBe(400);
    expect((await http.as('alice@example.com', 'POST', '/api/policy/evaluate', { type: 'conference' })).status).toBe(
      400,
    );
    expect((await http.request('POST', '/api/policy/evaluate', { body: requestBody('conference') })).status).toBe(401);
    expect(await count()).toBe(before);
  });

  it('should screen counterparties at submission, add legal and security, and show the hit in the view and the emails', async () => {
    const entry = await http.as('admin@example.com', 'POST', '/api/screening/entries', {
      name: 'ACME Quantum Research Institute',
      country: 'CN',
      source: 'Test list',
    });
    expect(entry.status).toBe(201);
    const view = await submit(
      'carol@example.com',
      requestBody('ma_participation', { counterparties: [{ name: 'Acme Quantum Research Inst.', country: 'CN' }] }),
    );
    // the requester learns which counterparty needs review, not the entry (tests/security/requester-view-screening)
    expect(view.screeningHits).toEqual([{ counterparty: 'Acme Quantum Research Inst.', counterpartyCountry: 'CN' }]);
    const reviewed = (await http.as('legal@example.com', 'GET', `/api/requests/${view.id}`)).body;
    expect(reviewed.screeningHits).toEqual([
      expect.objectContaining({
        counterparty: 'Acme Quantum Research Inst.',
        entryName: 'ACME Quantum Research Institute',
        score: expect.any(Number),
      }),
    ]);
    expect(parties(view).flat()).toEqual(expect.arrayContaining(['hr', 'legal', 'security']));
    const legal = reviewed.stages.flatMap((st: any) => st.approvals).find((a: any) => a.party === 'legal');
    expect(legal.reasons.join(' ')).toContain('matches restricted party "ACME Quantum Research Institute"');
    const mail = await eventually(
      async () =>
        (await mailbox('legal@example.com')).find(
          (m) =>
            m.text.includes('Restricted-party screening hits') &&
            m.links.some((l: string) => claims(l).rid === view.id),
        ),
      'the legal email',
    );
    expect(mail.text).toContain(
      'Acme Quantum Research Inst. matches ACME Quantum Research Institute on the Test list, ',
    );
  });

  it('should send a delegate the emails and record their decision on behalf of the absent approver', async () => {
    const bad = await http.as('security@example.com', 'PUT', '/api/me/delegation', {
      delegateEmail: 'security@example.com',
      from: 'soon',
      until: daysFromNow(-1),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['delegateEmail', 'from', 'until']);
    expect(
      (
        await http.as('carol@example.com', 'PUT', '/api/me/delegation', {
          delegateEmail: 'dave@example.com',
          from: daysFromNow(0),
          until: daysFromNow(3),
        })
      ).status,
    ).toBe(403);

    // A delegate is a fellow member or a lead of the party, not just anyone.
    const anyone = await http.as('security@example.com', 'PUT', '/api/me/delegation', {
      delegateEmail: 'carol@example.com',
      from: daysFromNow(0),
      until: daysFromNow(7),
    });
    expect(anyone.status).toBe(400);
    expect(anyone.body.errors.map((e: any) => e.field)).toEqual(['delegateEmail']);

    const set = await http.as('security@example.com', 'PUT', '/api/me/delegation', {
      delegateEmail: 'security-lead@example.com',
      from: daysFromNow(0),
      until: daysFromNow(7),
    });
    expect(set.status).toBe(200);
    expect(set.body.delegation).toMatchObject({ delegateEmail: 'security-lead@example.com', active: true });
    // No chains: the lead stands in for security and cannot delegate onward; nobody delegates to someone away.
    expect(
      (
        await http.as('security-lead@example.com', 'PUT', '/api/me/delegation', {
          delegateEmail: 'security@example.com',
          from: daysFromNow(1),
          until: daysFromNow(2),
        })
      ).body.code,
    ).toBe('DELEGATION_CHAIN');

    const view = await submit('alice@example.com', requestBody('overseas_assignment'));
    // The lead gets their own link and, in place of the absent member, one that decides on their behalf.
    const link = await linkFor(view.id, 'security-lead@example.com', 'security@example.com');
    expect(claims(link)).toMatchObject({
      pty: 'security',
      sub: 'security-lead@example.com',
      obo: 'security@example.com',
    });
    expect(
      (await mailbox('security@example.com')).some((m) => m.links.some((l: string) => claims(l).rid === view.id)),
    ).toBe(false);
    const inbox = await http.as('security-lead@example.com', 'GET', '/api/approvals/inbox?party=security');
    expect(inbox.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ requestId: view.id })]));
    expect((await http.as('security-lead@example.com', 'GET', `/api/requests/${view.id}`)).status).toBe(200);

    const page = await http.request('POST', link, { form: { decision: 'approve' } });
    expect(page.status).toBe(200);
    const after = await http.as('alice@example.com', 'GET', `/api/requests/${view.id}`);
    expect(after.body.stages[0].approvals.find((a: any) => a.party === 'security')).toMatchObject({
      status: 'approved',
      decidedBy: 'security-lead@example.com',
      onBehalfOf: 'security@example.com',
    });
    // The absent approver already decided (through the delegate), so not again for another party either.
    expect(
      (
        await http.as('security-lead@example.com', 'POST', `/api/requests/${view.id}/decisions`, {
          party: 'hr',
          decision: 'approve',
        })
      ).status,
    ).toBe(403);
    expect((await http.as('security@example.com', 'DELETE', '/api/me/delegation')).status).toBe(204);
    expect((await http.as('security@example.com', 'GET', '/api/me/delegation')).body).toEqual({ delegation: null });
  });

  it('should refuse conflicted approvers with a clear reason and let the other members decide', async () => {
    // The requester's manager may not decide on their departure.
    const alice = (await http.as('admin@example.com', 'GET', '/api/directory/people/alice@example.com')).body;
    expect(
      (
        await http.as('admin@example.com', 'PUT', '/api/directory/people/alice@example.com', {
          name: alice.name,
          tier: alice.tier,
          roles: alice.roles,
          managerEmail: 'hr-lead@example.com',
          parties: [],
        })
      ).status,
    ).toBe(200);
    const departure = await submit('alice@example.com', requestBody('departure_abroad'));
    const refused = await http.as('hr-lead@example.com', 'POST', `/api/requests/${departure.id}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      code: 'CONFLICT_OF_INTEREST',
      message: expect.stringContaining("requester's manager"),
    });
    expect(
      (
        await http.as('hr@example.com', 'POST', `/api/requests/${departure.id}/decisions`, {
          party: 'hr',
          decision: 'approve',
        })
      ).status,
    ).toBe(200);
    expect(
      (await mailbox('hr-lead@example.com')).some((m) => m.links.some((l: string) => claims(l).rid === departure.id)),
    ).toBe(false);

    // A counterparty's contact is outside the company: naming a colleague there removes nobody, it is refused.
    const contactNamed = await http.as(
      'carol@example.com',
      'POST',
      '/api/requests',
      requestBody('conference', {
        ...plain,
        technologyAreas: ['eda'],
        counterparties: [{ name: 'Chip Co', country: 'TW', contactEmail: 'legal@example.com' }],
      }),
    );
    expect(contactNamed.status).toBe(400);
    expect(contactNamed.body.errors.map((e: any) => e.field)).toEqual(['counterparties.0.contactEmail']);

    // Someone named on the same deal may not decide on it.
    const lead = (await http.as('admin@example.com', 'GET', '/api/directory/people/legal-lead@example.com')).body;
    await http.as('admin@example.com', 'PUT', '/api/directory/people/legal-lead@example.com', {
      name: lead.name,
      tier: 'standard',
      roles: ['approver', 'employee'],
      parties: lead.parties,
    });
    await submit(
      'legal-lead@example.com',
      requestBody('ma_participation', {
        details: { dealName: 'Project Osprey', counterpartyRole: 'target', involvement: 'negotiation' },
      }),
    );
    const deal = await submit(
      'carol@example.com',
      requestBody('ma_participation', {
        details: { dealName: 'project osprey', counterpartyRole: 'target', involvement: 'integration' },
      }),
    );
    const named = await http.as('legal-lead@example.com', 'POST', `/api/requests/${deal.id}/decisions`, {
      party: 'legal',
      decision: 'approve',
    });
    expect(named.body).toMatchObject({ code: 'CONFLICT_OF_INTEREST', message: expect.stringContaining('same deal') });
    expect(
      (
        await http.as('legal@example.com', 'POST', `/api/requests/${deal.id}/decisions`, {
          party: 'legal',
          decision: 'approve',
        })
      ).status,
    ).toBe(200);
  });

  it('should filter the inbox, count it, and decide in bulk answering per item', async () => {
    const a = await submit('carol@example.com', requestBody('conference', { ...plain, destinationCountry: 'DE' }));
    const b = await submit('carol@example.com', requestBody('conference', { ...plain, destinationCountry: 'FR' }));
    const c = await submit('carol@example.com', requestBody('overseas_assignment', { destinationCountry: 'DE' }));
    const inbox = await http.as('hr-lead@example.com', 'GET', '/api/approvals/inbox?type=conference&destination=de');
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.map((i: any) => i.requestId)).toContain(a.id);
    expect(inbox.body.items.map((i: any) => i.requestId)).not.toContain(b.id);
    expect(inbox.body.items.map((i: any) => i.requestId)).not.toContain(c.id);
    expect(inbox.body.counts).toEqual({ hr: inbox.body.total });
    expect((await http.as('hr-lead@example.com', 'GET', '/api/approvals/inbox?type=holiday')).status).toBe(400);

    expect(
      (
        await http.as('hr-lead@example.com', 'POST', '/api/approvals/bulk', {
          decision: 'reject',
          items: [{ requestId: a.id, party: 'hr' }],
        })
      ).status,
    ).toBe(400);
    const bulk = await http.as('hr-lead@example.com', 'POST', '/api/approvals/bulk', {
      decision: 'approve',
      items: [
        { requestId: a.id, party: 'hr' },
        { requestId: b.id, party: 'hr' },
        { requestId: c.id, party: 'legal' },
        { requestId: a.id, party: 'hr' },
      ],
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.results.map((r: any) => r.status)).toEqual([200, 200, 403, 409]);
    expect(bulk.body).toMatchObject({ decided: 2, refused: 2 });
    expect(bulk.body.results[0].requestStatus).toEqual(expect.stringMatching(/^(pending|approved)$/));
    expect(
      (await http.as('carol@example.com', 'GET', `/api/requests/${b.id}`)).body.stages[0].approvals[0],
    ).toMatchObject({ decidedBy: 'hr-lead@example.com' });
  });
});
