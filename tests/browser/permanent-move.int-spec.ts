import { daysFromNow } from '../support/factories';
import { checkPage, signedIn, usePagesSystem } from '../support/browser';

/** A departure abroad is a permanent move: its form does not ask for a return date (issue 13). */
describe('a permanent move through the pages in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  it('should not require a return date on the departure form and say "No return (permanent move)" once submitted', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'carol@example.com');
    await page.goto('/app/requests/new?type=departure_abroad');
    const ret = page.getByLabel('Return');
    await expect(ret.getAttribute('required')).resolves.toBeNull();
    await expect(page.locator('label.required[for="f-returnDate"]').count()).resolves.toBe(0);
    await expect(page.locator('#h-returnDate').textContent()).resolves.toContain('Not needed for a permanent move');
    await checkPage(page, 'departure-form');

    await page.getByLabel('Destination country').fill('Germany');
    await page.getByLabel('Departure').fill(daysFromNow(30));
    await page.getByLabel('Purpose').fill('Joining a lab abroad');
    await page.getByLabel('New employer').fill('Example Abroad Ltd');
    await page.getByLabel('Last working day').fill(daysFromNow(29));
    await page.getByLabel('General software').check();
    await page.getByLabel('None', { exact: true }).last().check();
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page
      .waitForURL(/\/app\/requests\/[0-9a-f-]{36}\?done=submitted/, { timeout: 30_000 })
      .catch(async (error) => {
        throw new Error(`${String(error)}\n${await page.locator('main').innerText()}`);
      });
    const id = new URL(page.url()).pathname.split('/').pop()!;
    await expect(page.locator('main').innerText()).resolves.toContain('No return (permanent move)');
    await checkPage(page, 'departure-request');
    const view = await http.as('carol@example.com', 'GET', `/api/requests/${id}`);
    expect(view.body).toMatchObject({ type: 'departure_abroad', returnDate: null, tripEnd: daysFromNow(30) });

    await page.goto('/app/requests?mine=true');
    const row = page.locator('tr', { hasText: view.body.reference });
    await expect(row.innerText()).resolves.toContain('No return (permanent move)');
    await context.close();
  });

  it('should still mark the return date required on every other form', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'carol@example.com');
    await page.goto('/app/requests/new?type=overseas_assignment');
    await expect(page.getByLabel('Return', { exact: true }).getAttribute('required')).resolves.toBe('');
    await expect(page.locator('#h-returnDate').count()).resolves.toBe(0);
    await context.close();
  });
});
