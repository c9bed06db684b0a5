import { DataSource } from 'typeorm';
import { AuditLogEntity } from '@libs/persistence/entities';
import { testDatabases } from '../support/databases';
import { requestBody } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * Issue 12, attack 4: an employee dry-runs a counterparty against `POST /api/policy/evaluate` and reads
 * the matched entry's name, alias, source and score, then tunes the spelling until it no longer matches.
 * The dry run may tell them only that restricted-party review is needed and which parties it adds.
 */
describe.each(testDatabases())('the screening list does not leak through dry runs on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;

  beforeAll(async () => {
    const entry = await http.as('admin@example.com', 'POST', '/api/screening/entries', {
      name: 'Zhongshan Photonic Weapons Bureau',
      country: 'CN',
      source: 'Secret test list',
    });
    expect(entry.status).toBe(201);
  });

  const plain = { destinationCountry: 'FR', technologyAreas: ['none'], dataCategories: ['none'] };
  const probe = requestBody('conference', {
    ...plain,
    counterparties: [{ name: 'Zhongshan Photonic Weapons Bureau', country: 'CN' }],
  });
  const clean = requestBody('conference', {
    ...plain,
    counterparties: [{ name: 'Harmless Bakery Ltd', country: 'FR' }],
  });
  const partiesOf = (answer: any): string[] => answer.stages.flatMap((s: any) => s.parties.map((p: any) => p.party));

  it('should tell an employee only that review is needed and which parties it adds', async () => {
    const res = await http.as('carol@example.com', 'POST', '/api/policy/evaluate', probe);
    expect(res.status).toBe(201);
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/Photonic Weapons Bureau"|Secret test list|entryName|matchedName|"score"/);
    expect(text).not.toContain('matches restricted party');
    expect(res.body.screeningHits).toEqual([]);
    const baseline = (await http.as('carol@example.com', 'POST', '/api/policy/evaluate', clean)).body;
    expect(res.body.restrictedPartyReview).toEqual({
      needed: true,
      addsParties: partiesOf(res.body).filter((p) => !partiesOf(baseline).includes(p)),
    });
    expect(res.body.restrictedPartyReview.addsParties.length).toBeGreaterThan(0);
    expect(baseline.restrictedPartyReview).toEqual({ needed: false, addsParties: [] });
  });

  it('should show admins and auditors the matched entry and its score', async () => {
    for (const email of ['admin@example.com', 'auditor@example.com']) {
      const res = await http.as(email, 'POST', '/api/policy/evaluate', probe);
      expect(res.status).toBe(201);
      expect(res.body.screeningHits).toEqual([
        expect.objectContaining({
          entryName: 'Zhongshan Photonic Weapons Bureau',
          source: 'Secret test list',
          score: expect.any(Number),
        }),
      ]);
      expect(res.body.restrictedPartyReview.needed).toBe(true);
    }
  });

  it('should record every dry run that hits the list, with who probed', async () => {
    await http.as('alice@example.com', 'POST', '/api/policy/evaluate', probe);
    const rows = await used.system.app
      .get(DataSource)
      .getRepository(AuditLogEntity)
      .find({ where: { event: 'screening.dry_run_hit' }, order: { seq: 'ASC' } });
    expect(rows.map((r) => r.actor)).toContain('alice@example.com');
    expect((await http.as('auditor@example.com', 'GET', '/api/audit/chain/verify')).body).toMatchObject({
      ok: true,
    });
  });
});
