import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * The trip manifest (issue 16) through HTTP, the real workflow on the real Temporal server and a real
 * database: what travels is stored and shown, an unpublished material asks data governance with its
 * title as the reason, a bad manifest is a 400 naming the field, approvers read the devices in their
 * email, the dry run shows the effect, and a changed manifest is an amendment change that re-routes.
 */
describe.each(testDatabases())('trip manifest on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;

  const MANIFEST = {
    devices: [{ kind: 'company_laptop', assetTag: 'LT-1234' }, { kind: 'loaner_phone' }],
    materials: [{ title: 'Scaling laws', published: false }],
  };

  /** A standard employee's conference that asks only hr, unless the manifest says otherwise. */
  const quiet = (extra: Record<string, unknown> = {}) =>
    requestBody('conference', {
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { eventName: 'Quiet Conf', presenting: false },
      ...extra,
    });

  const parties = (view: any): string[] => view.stages.flatMap((s: any) => s.approvals.map((a: any) => a.party));

  it('should store the manifest, show it in the view and ask data governance for unpublished material', async () => {
    const res = await http.as('carol@example.com', 'POST', '/api/requests', quiet({ manifest: MANIFEST }));
    expect(res.status).toBe(201);
    const view = res.body;
    expect(view.manifest).toEqual(MANIFEST);
    expect(parties(view).sort()).toEqual(['data_governance', 'hr']);
    const dg = view.stages.flatMap((s: any) => s.approvals).find((a: any) => a.party === 'data_governance');
    expect(JSON.stringify(dg)).toContain('unpublished material to be shown: Scaling laws');

    const read = (await http.as('carol@example.com', 'GET', `/api/requests/${view.id}`)).body;
    expect(read.manifest).toEqual(MANIFEST);
    // Which request took laptop LT-1234: the list's search reads the manifest too.
    const found = (await http.as('carol@example.com', 'GET', '/api/requests?q=lt-1234')).body;
    expect(found.items.map((r: any) => r.id)).toEqual([view.id]);

    // Approvers read the devices and materials in words, beside the request's details.
    const asked = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', '/dev/mailbox?to=datagov%40example.com')).body;
      return mails.find((m) => m.subject.includes(view.reference));
    }, "data governance's approval email");
    expect(asked.text).toContain('Devices taken: Company laptop (asset LT-1234); Loaner phone');
    expect(asked.text).toContain("Materials shown or carried: 'Scaling laws' — unpublished");

    // The page the email's link opens shows them too, where the decision is made.
    const link = asked.links.find((l: string) => l.includes('/approvals/'));
    const page = await http.request('GET', link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Devices taken');
    expect(page.text).toContain('Company laptop (asset LT-1234); Loaner phone');
    expect(page.text).toMatch(/(&#x27;|&#39;|')Scaling laws(&#x27;|&#39;|') — unpublished/);
  });

  it('should keep working without a manifest, and route published material as before', async () => {
    const none = await http.as('carol@example.com', 'POST', '/api/requests', quiet());
    expect(none.status).toBe(201);
    expect(none.body.manifest).toBeNull();
    expect(parties(none.body)).toEqual(['hr']);
    const published = await http.as(
      'carol@example.com',
      'POST',
      '/api/requests',
      quiet({ manifest: { devices: [], materials: [{ title: 'Public talk', published: true }] } }),
    );
    expect(published.status).toBe(201);
    expect(parties(published.body)).toEqual(['hr']);
  });

  it('should refuse a bad manifest with a 400 naming the field', async () => {
    const bad = async (manifest: unknown) => {
      const res = await http.as('carol@example.com', 'POST', '/api/requests', quiet({ manifest }));
      expect(res.status).toBe(400);
      return JSON.stringify(res.body);
    };
    expect(await bad({ devices: [{ kind: 'company_laptop' }] })).toContain('manifest.devices.0.assetTag');
    expect(await bad({ devices: [{ kind: 'tablet' }] })).toContain('manifest.devices.0.kind');
    expect(await bad({ materials: [{ title: 'x'.repeat(201), published: false }] })).toContain(
      'manifest.materials.0.title',
    );
    expect(await bad({ materials: [{ title: 'Slides' }] })).toContain('manifest.materials.0.published');
    expect(await bad({ devices: Array.from({ length: 21 }, () => ({ kind: 'personal_device' })) })).toContain(
      'manifest.devices',
    );
    expect(await bad('laptop')).toContain('"manifest"');
  });

  it('should show the effect in the dry run: data governance asked, no "published material only"', async () => {
    const presenting = (manifest?: unknown) =>
      quiet({ details: { eventName: 'Quiet Conf', presenting: true }, ...(manifest ? { manifest } : {}) });
    const plain = await http.as('carol@example.com', 'POST', '/api/policy/evaluate', presenting());
    expect(plain.status).toBe(201);
    expect(plain.body.determinations.map((d: any) => d.rule)).toContain('published_material_only');
    const dry = await http.as('carol@example.com', 'POST', '/api/policy/evaluate', presenting(MANIFEST));
    expect(dry.status).toBe(201);
    expect(dry.body.determinations.map((d: any) => d.rule)).not.toContain('published_material_only');
    expect(JSON.stringify(dry.body.stages)).toContain('unpublished material to be shown: Scaling laws');
  });

  it('should flag a company device declared for a high-risk destination: take a loaner instead, in evaluate, view, page and approval email', async () => {
    const devices = (list: unknown[]) =>
      quiet({ destinationCountry: 'IR', manifest: { devices: list, materials: [] } });
    const company = devices([{ kind: 'company_laptop', assetTag: 'LT-1234' }, { kind: 'loaner_phone' }]);
    const flagged = (body: any) => body.determinations.find((d: any) => d.rule === 'company_device_high_risk');

    const dry = await http.as('carol@example.com', 'POST', '/api/policy/evaluate', company);
    expect(dry.status).toBe(201);
    expect(flagged(dry.body)).toEqual(
      expect.objectContaining({
        outcome: 'condition',
        condition: 'Take a loaner instead of company laptop LT-1234',
      }),
    );
    expect(flagged(dry.body).reason).toContain('company device');

    const view = (await http.as('carol@example.com', 'POST', '/api/requests', company)).body;
    expect(flagged(view).condition).toBe('Take a loaner instead of company laptop LT-1234');
    const asked = await eventually(async () => {
      const mails = (await http.request<any[]>('GET', '/dev/mailbox?to=hr%40example.com')).body;
      return mails.find((m) => m.subject.includes(view.reference));
    }, "hr's approval email");
    expect(asked.text).toContain('Take a loaner instead of company laptop LT-1234');
    // The page the email's link opens, where hr decides.
    const page = await http.request(
      'GET',
      asked.links.find((l: string) => l.includes('/approvals/')),
    );
    expect(page.text).toContain('Take a loaner instead of company laptop LT-1234');

    // Loaners only, or a low-risk destination: nothing to flag.
    const loaners = await http.as(
      'carol@example.com',
      'POST',
      '/api/policy/evaluate',
      devices([{ kind: 'loaner_laptop' }]),
    );
    expect(flagged(loaners.body)).toBeUndefined();
    const home = await http.as(
      'carol@example.com',
      'POST',
      '/api/policy/evaluate',
      quiet({ manifest: { devices: [{ kind: 'company_laptop', assetTag: 'LT-1234' }], materials: [] } }),
    );
    expect(flagged(home.body)).toBeUndefined();
  });

  it('should list a changed manifest among the amendment changes and re-route it', async () => {
    const submitted = (await http.as('carol@example.com', 'POST', '/api/requests', quiet())).body;
    expect(parties(submitted)).toEqual(['hr']);
    const back = await http.as('hr@example.com', 'POST', `/api/requests/${submitted.id}/decisions`, {
      party: 'hr',
      decision: 'request_changes',
      comment: 'say what you take',
    });
    expect(back.body.status).toBe('changes_requested');
    const amended = await http.as('carol@example.com', 'POST', `/api/requests/${submitted.id}/amend`, {
      ...quiet({ departureDate: submitted.departureDate, returnDate: submitted.returnDate }),
      manifest: MANIFEST,
    });
    expect(amended.status).toBe(200);
    expect(amended.body.manifest).toEqual(MANIFEST);
    expect(parties(amended.body).sort()).toEqual(['data_governance', 'hr']);
    const timeline = await eventually(async () => {
      const t = (await http.as('carol@example.com', 'GET', `/api/requests/${submitted.id}/timeline`)).body;
      const text = JSON.stringify(t);
      return text.includes('Amended by') && text.includes('added because') ? text : null;
    }, 'the amendment in the timeline');
    expect(timeline).toContain('manifest (none) → Company laptop (asset LT-1234)');
    expect(timeline).toContain('unpublished material to be shown: Scaling laws');
  });
});
