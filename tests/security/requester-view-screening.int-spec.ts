import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * Issue 12: the request view showed its requester which restricted-party entry their counterparty
 * matched, its source and score (and the reasons named the entry), so they could respell the
 * counterparty in the next request until it no longer matched. The requester learns only which of
 * their counterparties needs restricted-party review; those who review it see the entry.
 */
describe.each(testDatabases())('the request view does not show the requester the list on $name', (database) => {
  const { http } = useSystem(database);
  let id: string;
  const ENTRY = 'Zhongshan Photonic Weapons Bureau';
  const SOURCE = 'Secret test list';

  beforeAll(async () => {
    const entry = await http.as('admin@example.com', 'POST', '/api/screening/entries', {
      name: ENTRY,
      country: 'CN',
      source: SOURCE,
    });
    expect(entry.status).toBe(201);
    const res = await http.as(
      'carol@example.com',
      'POST',
      '/api/requests',
      requestBody('conference', {
        counterparties: [
          { name: 'Zhongshan Photonic Weapons Bureau Ltd', country: 'CN' },
          { name: 'Harmless Bakery', country: 'FR' },
        ],
      }),
    );
    expect(res.status).toBe(201);
    id = res.body.id;
  });

  const leaks = (text: string) =>
    text.match(/Photonic Weapons Bureau"|Secret test list|entryName|matchedName|"score"/g);

  it('should show the requester only which counterparty needs restricted-party review', async () => {
    const view = await http.as('carol@example.com', 'GET', `/api/requests/${id}`);
    expect(view.status).toBe(200);
    expect(view.body.screeningHits).toEqual([
      { counterparty: 'Zhongshan Photonic Weapons Bureau Ltd', counterpartyCountry: 'CN' },
    ]);
    expect(leaks(JSON.stringify(view.body))).toBeNull();
    const reasons = view.body.stages.flatMap((s: any) => s.approvals.flatMap((a: any) => a.reasons));
    expect(reasons).toContain('a counterparty needs restricted-party review');

    const list = await http.as('carol@example.com', 'GET', '/api/requests?mine=true');
    expect(leaks(JSON.stringify(list.body))).toBeNull();
  });

  it('should not show the requester the entry on the request page', async () => {
    const cookie = `clearance_session=${await http.token('carol@example.com')}`;
    const page = await http.request('GET', `/app/requests/${id}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Zhongshan Photonic Weapons Bureau Ltd');
    expect(page.text).not.toContain(SOURCE);
    expect(page.text).not.toContain(`${ENTRY} (`);
  });

  it('should show the entry, matched name, source and score to admins, auditors and its parties', async () => {
    const legal = await eventually(async () => {
      const res = await http.as('legal@example.com', 'GET', `/api/requests/${id}`);
      return res.status === 200 ? res : undefined;
    }, 'legal reading the request');
    for (const res of [
      legal,
      await http.as('auditor@example.com', 'GET', `/api/requests/${id}`),
      await http.as('admin@example.com', 'GET', `/api/requests/${id}`),
    ]) {
      expect(res.body.screeningHits).toEqual([
        expect.objectContaining({
          counterparty: 'Zhongshan Photonic Weapons Bureau Ltd',
          counterpartyCountry: 'CN',
          entryName: ENTRY,
          matchedName: expect.any(String),
          source: SOURCE,
          score: expect.any(Number),
        }),
      ]);
      const reasons = res.body.stages.flatMap((s: any) => s.approvals.flatMap((a: any) => a.reasons));
      expect(reasons.join('\n')).toContain(`matches restricted party "${ENTRY}"`);
    }
  });
});
