import { daysFromNow } from '../support/factories';
import { checkPage, signedIn, usePagesSystem } from '../support/browser';

/** Countries by name on the request form (issue 13): a searchable list, names sent as ISO codes, plain errors. */
describe('the country picker of the request form, in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  it('should offer countries by name, submit "Japan" as JP (never cut to "Ja"), and name the field of a country it does not know', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'carol@example.com');
    await page.goto('/app/requests/new?type=conference');
    const destination = page.getByLabel('Destination country');
    const listId = await destination.getAttribute('list');
    expect(listId).toBeTruthy();
    const names = await page
      .locator(`datalist#${listId} option`)
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(names).toEqual(expect.arrayContaining(['Japan', 'Germany', 'United States']));
    expect(names.length).toBeGreaterThan(200);

    // a name it does not know: a plain error naming the field, and what was typed kept
    await destination.fill('Atlantis');
    await page.getByRole('button', { name: 'Submit request' }).click();
    const alert = (await page.getByRole('alert').textContent())!;
    expect(alert).toContain('Destination country: choose a country from the list');
    expect(await destination.inputValue()).toBe('Atlantis');
    expect(await destination.getAttribute('aria-invalid')).toBe('true');
    await checkPage(page, 'request-form-country-error');

    await destination.fill('Japan');
    await page.getByLabel('Departure').fill(daysFromNow(30));
    await page.getByLabel('Return').fill(daysFromNow(37));
    await page.getByLabel('Purpose').fill('Present a paper');
    await page.getByLabel('Event name').fill('Example Conf');
    await page.getByLabel('Large models').check();
    await page.getByLabel('Presentation materials').check();
    await page.getByLabel('Organisation 1: name').fill('Example Org');
    await page.getByLabel('Organisation 1: country').fill('germany');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.waitForURL(/\/app\/requests\/[0-9a-f-]{36}/);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const view = (await http.as('carol@example.com', 'GET', `/api/requests/${id}`)).body;
    expect(view.destinationCountry).toBe('JP');
    expect(view.counterparties).toEqual([expect.objectContaining({ name: 'Example Org', country: 'DE' })]);
    await context.close();
  });
});
