import { DataSource } from 'typeorm';
import { AuditLogEntity } from '@libs/persistence';
import { CSL_COLUMNS } from '@libs/screening/csl-csv';
import { testDatabases } from '../support/databases';
import { requestBody } from '../support/factories';
import { useSystem } from '../support/system';

const ADMIN = 'admin@example.com';
const AUDITOR = 'auditor@example.com';
const CSL = 'CSL';

/**
 * Issue 13 (admin and audit): the restricted-party list keeps one entry per identity (normalised
 * name + country + source), and its entries can be edited and removed with a reason, on the audit chain.
 */
describe.each(testDatabases())('editing the restricted-party list on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;

  const add = (body: Record<string, unknown>, email = ADMIN) => http.as(email, 'POST', '/api/screening/entries', body);
  const auditRows = async (event: string) =>
    (
      await used.system.app
        .get(DataSource)
        .getRepository(AuditLogEntity)
        .find({ where: { event }, order: { seq: 'ASC' } })
    ).map((r) => ({ actor: r.actor, payload: JSON.parse(r.payload) as Record<string, any> }));
  const hitsOf = async (name: string, country: string) =>
    (
      await http.as(
        ADMIN,
        'POST',
        '/api/policy/evaluate',
        requestBody('conference', { counterparties: [{ name, country }] }),
      )
    ).body.screeningHits as Array<{ entryId: string; entryName: string }>;

  it('should refuse a second entry with the same identity (409 naming the one on the list)', async () => {
    const first = await add({ name: 'ACME Quantum Research Institute', country: 'CN', source: CSL });
    expect(first.status).toBe(201);
    // Case, punctuation, word order and abbreviations do not make another entry.
    for (const name of [
      'acme quantum research inst.',
      'Research Institute, ACME Quantum',
      'ACME  QUANTUM Research Institute',
    ]) {
      const again = await add({ name, country: 'cn', source: ` ${CSL} ` });
      expect([name, again.status]).toEqual([name, 409]);
      expect(again.body).toMatchObject({
        code: 'SCREENING_ENTRY_DUPLICATE',
        message: 'Already on the list: ACME Quantum Research Institute (CN, CSL)',
        existing: { id: first.body.id, name: 'ACME Quantum Research Institute', country: 'CN', source: CSL },
      });
    }
    // Another country or another source is another entry.
    expect((await add({ name: 'ACME Quantum Research Institute', country: 'HK', source: CSL })).status).toBe(201);
    expect((await add({ name: 'ACME Quantum Research Institute', country: 'CN', source: 'internal' })).status).toBe(
      201,
    );
    const listed = await http.as(AUDITOR, 'GET', '/api/screening/entries?q=acme%20quantum');
    expect(listed.body.items).toHaveLength(3);
    // One counterparty hits each entry once, and a counterparty named twice is screened once.
    const hits = await hitsOf('Acme Quantum Research Inst.', 'CN');
    expect(hits).toHaveLength(3);
    expect(new Set(hits.map((h) => h.entryId)).size).toBe(3);
    const twice = (
      await http.as(
        ADMIN,
        'POST',
        '/api/policy/evaluate',
        requestBody('conference', {
          counterparties: [
            { name: 'Acme Quantum Research Inst.', country: 'CN' },
            { name: 'ACME quantum research institute', country: 'CN' },
          ],
        }),
      )
    ).body.screeningHits as unknown[];
    expect(twice).toHaveLength(3);
  });

  it('should report duplicates of an import row by row and store none of them', async () => {
    const line = (values: Record<string, string>) => CSL_COLUMNS.map((c) => values[c] ?? '').join(',');
    await add({ name: 'Stored Photonics Ltd', country: 'RU', source: 'dupes' });
    const csv = [
      CSL_COLUMNS.join(','),
      line({ _id: 'd-1', source: 'dupes', name: 'Fresh Optics Co', addresses: '"Moscow, RU"' }),
      line({ _id: 'd-2', source: 'dupes', name: 'Stored Photonics Limited', addresses: '"Moscow, RU"' }),
      line({ _id: 'd-3', source: 'dupes', name: 'fresh optics company', addresses: '"Moscow, RU"' }),
      line({ _id: 'd-4', source: 'dupes', name: 'Fresh Optics Co', addresses: '"Minsk, BY"' }),
    ].join('\n');
    const res = await http.request('POST', '/api/screening/import?mode=append', {
      raw: csv,
      headers: { authorization: `Bearer ${await http.token(ADMIN)}`, 'content-type': 'text/csv' },
    });
    expect(res.status).toBe(200);
    const stored = (await http.as(ADMIN, 'GET', '/api/screening/entries?q=stored%20photonics')).body.items;
    expect(res.body).toEqual({
      imported: 2,
      skipped: 2,
      replaced: 0,
      errors: [
        {
          row: 3,
          field: 'name',
          message: `duplicate of Stored Photonics Ltd (RU, dupes), already on the list (entry ${stored[0].id}); not imported`,
        },
        { row: 4, field: 'name', message: 'duplicate of Fresh Optics Co (RU, dupes) in row 2; not imported' },
      ],
    });
    const names = (await http.as(ADMIN, 'GET', '/api/screening/entries?source=dupes')).body.items.map(
      (e: { name: string; country: string }) => `${e.name} ${e.country}`,
    );
    expect(names.sort()).toEqual(['Fresh Optics Co BY', 'Fresh Optics Co RU', 'Stored Photonics Ltd RU']);
    expect((await auditRows('screening.imported')).at(-1)?.payload).toMatchObject({ imported: 2, duplicates: 2 });
  });

  it('should edit an entry with a reason, audited before → after, and refuse an edit into a duplicate', async () => {
    const entry = (await add({ name: 'Northwind Photonic GmbH', country: 'DE', source: 'edits' })).body;
    const other = (await add({ name: 'Southwind Optics', country: 'DE', source: 'edits' })).body;
    expect((await hitsOf('Northwind Photonic', 'DE')).map((h) => h.entryId)).toEqual([entry.id]);

    const noReason = await http.as(ADMIN, 'PATCH', `/api/screening/entries/${entry.id}`, { country: 'AT' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: { field: string }) => e.field)).toEqual(['reason']);
    const nothing = await http.as(ADMIN, 'PATCH', `/api/screening/entries/${entry.id}`, { reason: 'why not' });
    expect(nothing.status).toBe(400);
    const bad = await http.as(ADMIN, 'PATCH', `/api/screening/entries/${entry.id}`, {
      country: 'Austria',
      name: ' ',
      reason: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['country', 'name']);

    const edited = await http.as(ADMIN, 'PATCH', `/api/screening/entries/${entry.id}`, {
      name: 'Eastwind Photonic GmbH',
      country: 'AT',
      reason: 'Renamed and moved, list of 2026-11-20',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: entry.id, name: 'Eastwind Photonic GmbH', country: 'AT', source: 'edits' });
    expect(await hitsOf('Northwind Photonic', 'DE')).toEqual([]);
    expect((await hitsOf('Eastwind Photonic', 'AT')).map((h) => h.entryId)).toEqual([entry.id]);

    const [changed] = (await auditRows('screening.entry.changed')).slice(-1);
    expect(changed).toEqual({
      actor: ADMIN,
      payload: {
        id: entry.id,
        changed: ['name', 'country'],
        before: {
          nameSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          country: 'DE',
          source: 'edits',
          externalId: null,
        },
        after: {
          nameSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          country: 'AT',
          source: 'edits',
          externalId: null,
        },
        reason: 'Renamed and moved, list of 2026-11-20',
      },
    });
    expect(changed.payload.before.nameSha256).not.toBe(changed.payload.after.nameSha256);

    const intoDuplicate = await http.as(ADMIN, 'PATCH', `/api/screening/entries/${other.id}`, {
      name: 'eastwind photonic gmbh',
      country: 'AT',
      reason: 'typo',
    });
    expect(intoDuplicate.status).toBe(409);
    expect(intoDuplicate.body).toMatchObject({
      code: 'SCREENING_ENTRY_DUPLICATE',
      message: 'Already on the list: Eastwind Photonic GmbH (AT, edits)',
      existing: { id: entry.id, name: 'Eastwind Photonic GmbH' },
    });
    expect((await http.as(AUDITOR, 'GET', `/api/screening/entries/${other.id}`)).body.name).toBe('Southwind Optics');
  });

  it('should remove an entry softly with a reason: no more hits, listed only on request, audited', async () => {
    const entry = (await add({ name: 'Vortex Dynamics Co.', country: 'IR', source: 'removals' })).body;
    expect((await hitsOf('Vortex Dynamics Company', 'IR')).map((h) => h.entryId)).toEqual([entry.id]);

    const noReason = await http.as(ADMIN, 'DELETE', `/api/screening/entries/${entry.id}`);
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: { field: string }) => e.field)).toEqual(['reason']);

    const removed = await http.as(ADMIN, 'DELETE', `/api/screening/entries/${entry.id}`, {
      reason: 'Delisted on 2026-11-01',
    });
    expect(removed.status).toBe(200);
    expect(removed.body.removal).toEqual({ at: expect.any(String), by: ADMIN, reason: 'Delisted on 2026-11-01' });

    // No longer a hit, in the dry run and in a new request's screening.
    expect(await hitsOf('Vortex Dynamics Company', 'IR')).toEqual([]);
    const submitted = await http.as(
      'carol@example.com',
      'POST',
      '/api/requests',
      requestBody('conference', { counterparties: [{ name: 'Vortex Dynamics Company', country: 'IR' }] }),
    );
    expect(submitted.status).toBe(201);
    expect((await http.as(AUDITOR, 'GET', `/api/requests/${submitted.body.id}`)).body.screeningHits).toEqual([]);

    // Listed only when asked for, with who removed it and why.
    const listed = await http.as(AUDITOR, 'GET', '/api/screening/entries?source=removals');
    expect(listed.body.items).toEqual([]);
    const withRemoved = await http.as(AUDITOR, 'GET', '/api/screening/entries?source=removals&includeRemoved=true');
    expect(withRemoved.body.items).toEqual([
      expect.objectContaining({
        id: entry.id,
        removal: { at: expect.any(String), by: ADMIN, reason: 'Delisted on 2026-11-01' },
      }),
    ]);
    expect((await http.as(AUDITOR, 'GET', '/api/screening/entries?includeRemoved=maybe')).status).toBe(400);

    // Removing it again, or editing it, is refused; the same entry can be added again.
    const again = await http.as(ADMIN, 'DELETE', `/api/screening/entries/${entry.id}`, { reason: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('SCREENING_ENTRY_REMOVED');
    expect(
      (await http.as(ADMIN, 'PATCH', `/api/screening/entries/${entry.id}`, { country: 'IQ', reason: 'x' })).status,
    ).toBe(409);
    const readded = await add({ name: 'Vortex Dynamics Co.', country: 'IR', source: 'removals' });
    expect(readded.status).toBe(201);
    // The reason may come in the X-Change-Reason header instead (percent-encoded).
    const byHeader = await http.as(ADMIN, 'DELETE', `/api/screening/entries/${readded.body.id}`, undefined, {
      'x-change-reason': encodeURIComponent('Delisted — confirmed'),
    });
    expect(byHeader.status).toBe(200);
    expect(byHeader.body.removal.reason).toBe('Delisted — confirmed');

    const rows = (await auditRows('screening.entry.removed')).slice(-2);
    expect(rows).toEqual([
      {
        actor: ADMIN,
        payload: {
          id: entry.id,
          before: { nameSha256: expect.any(String), country: 'IR', source: 'removals', externalId: null },
          after: null,
          reason: 'Delisted on 2026-11-01',
        },
      },
      expect.objectContaining({ payload: expect.objectContaining({ reason: 'Delisted — confirmed' }) }),
    ]);
    // The chain has no names of the list and still verifies.
    expect(JSON.stringify(await auditRows('screening.entry.removed'))).not.toContain('Vortex');
    expect((await http.as(AUDITOR, 'GET', '/api/audit/chain/verify')).body.ok).toBe(true);
  });

  it('should answer 404 for an unknown entry and 403 to everyone but admins for changes', async () => {
    const entry = (await add({ name: 'Access Probe Trading', country: 'SY', source: 'authz' })).body;
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const path of [`/api/screening/entries/${unknown}`, '/api/screening/entries/not-an-id']) {
      expect((await http.as(ADMIN, 'PATCH', path, { country: 'IQ', reason: 'x' })).status).toBe(404);
      expect((await http.as(ADMIN, 'DELETE', path, { reason: 'x' })).status).toBe(404);
      expect((await http.as(AUDITOR, 'GET', path)).status).toBe(404);
    }
    expect((await http.as(AUDITOR, 'GET', `/api/screening/entries/${entry.id}`)).status).toBe(200);
    for (const email of [AUDITOR, 'alice@example.com', 'legal@example.com']) {
      const patch = await http.as(email, 'PATCH', `/api/screening/entries/${entry.id}`, { country: 'IQ', reason: 'x' });
      expect([email, patch.status, patch.body.code]).toEqual([email, 403, 'FORBIDDEN']);
      const del = await http.as(email, 'DELETE', `/api/screening/entries/${entry.id}`, { reason: 'x' });
      expect([email, del.status]).toEqual([email, 403]);
    }
    expect((await http.as('alice@example.com', 'GET', `/api/screening/entries/${entry.id}`)).status).toBe(403);
    expect((await http.request('DELETE', `/api/screening/entries/${entry.id}`)).status).toBe(401);
    const still = await http.as(AUDITOR, 'GET', `/api/screening/entries/${entry.id}`);
    expect(still.body).toMatchObject({ country: 'SY' });
    expect(still.body.removal).toBeUndefined();
  });
});
