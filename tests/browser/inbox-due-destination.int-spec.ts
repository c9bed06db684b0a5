import { DataSource } from 'typeorm';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { insertPendingApprovals, loadRequestId } from '../support/inbox-rows';
import { checkPage, signedIn, usePagesSystem } from '../support/browser';

const HR = 'hr@example.com';

/**
 * The inbox's "Due soonest first" across pages and its destination picker (issues 13 and 15): page 2
 * continues the due order; "Japan" typed in the destination filters Japan, never cut to "Ja".
 */
describe('the inbox soonest due first and by destination, in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  const submit = async (destinationCountry: string): Promise<string> => {
    const res = await http.as(
      'carol@example.com',
      'POST',
      '/api/requests',
      requestBody('conference', { destinationCountry }),
    );
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    await eventually(
      async () => (await http.as(HR, 'GET', `/api/approvals/inbox?requestId=${id}`)).body.items.length === 1,
      'hr asked',
    );
    return id;
  };

  it('should continue the due order on the next page and filter by a destination typed by name', async () => {
    // 55 approvals submitted long ago (so first when oldest first) but falling due in 2030, a second apart
    const load = 55;
    const dataSource = pages.system.app.get(DataSource);
    await insertPendingApprovals(dataSource, {
      count: load,
      party: 'hr',
      requester: 'carol@example.com',
      from: '2025-01-01T00:00:00.000Z',
      prefix: 'dddddddd',
    });
    await dataSource.query(
      "UPDATE approvals SET due_at = '2030' || substr(due_at, 5) WHERE request_id LIKE 'dddddddd-%'",
    );
    // submitted through the API: due at the default policy's reminder, a day from now, before the load
    const japan = await submit('JP');
    const germany = await submit('DE');

    const hr = await signedIn(pages.browser, pages.system.baseUrl, HR);
    await hr.page.goto('/app/inbox');
    await hr.page.selectOption('#f-order', 'due');
    await hr.page.getByRole('button', { name: 'Filter' }).click();
    const links = () =>
      hr.page
        .locator('tbody a[href^="/app/requests/"]')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href')!.split('/').pop()));
    const first = await links();
    expect(first).toHaveLength(50);
    expect(first.slice(0, 2)).toEqual([japan, germany]);
    expect(first.slice(2)).toEqual(Array.from({ length: 48 }, (_, i) => loadRequestId('dddddddd', i)));
    await checkPage(hr.page, 'inbox-due-order');

    // "More" goes on where the page ended, in the same order
    await hr.page.locator('#more').click();
    expect(await links()).toEqual(Array.from({ length: load - 48 }, (_, i) => loadRequestId('dddddddd', 48 + i)));
    expect(await hr.page.locator('#f-order').inputValue()).toBe('due');

    // the destination is a country picked by name: "Japan" filters Japan
    await hr.page.goto('/app/inbox');
    const destination = hr.page.getByLabel('Destination');
    const listId = await destination.getAttribute('list');
    const names = await hr.page
      .locator(`datalist#${listId} option`)
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(names).toEqual(expect.arrayContaining(['Japan', 'Germany', 'France']));
    await destination.fill('Japan');
    await hr.page.getByRole('button', { name: 'Filter' }).click();
    expect(await links()).toEqual([japan]);
    expect(await hr.page.getByLabel('Destination').inputValue()).toBe('Japan');
    expect(await hr.page.locator('#count-total').textContent()).toBe('1');

    // a country it does not know: said, naming the field, kept as typed; never a filter on "Ja"
    await hr.page.getByLabel('Destination').fill('Atlantis');
    await hr.page.getByRole('button', { name: 'Filter' }).click();
    const alert = (await hr.page.getByRole('alert').textContent())!;
    expect(alert).toContain('Destination: choose a country from the list');
    expect(await hr.page.getByLabel('Destination').inputValue()).toBe('Atlantis');
    expect(await hr.page.getByLabel('Destination').getAttribute('aria-invalid')).toBe('true');
    await checkPage(hr.page, 'inbox-destination-error');
    await hr.context.close();
  }, 180_000);
});
