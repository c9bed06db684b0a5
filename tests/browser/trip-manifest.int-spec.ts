import { daysFromNow } from '../support/factories';
import { signedIn, checkPage, usePagesSystem } from '../support/browser';

/** The trip manifest in real Chromium: the requester declares devices and material on the form and reads them on the request. */
describe('trip manifest in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;

  it('should take devices and materials on the form, name a missing asset tag, and show them in words on the request', async () => {
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'carol@example.com');
    await page.goto('/app/requests/new?type=conference');
    await page.getByLabel('Destination country').fill('US');
    await page.getByLabel('Departure').fill(daysFromNow(30));
    await page.getByLabel('Return').fill(daysFromNow(37));
    await page.getByLabel('Purpose').fill('Present a paper');
    await page.getByLabel('Event name').fill('Example Conf');
    await page.locator('#t-none').check();
    await page.locator('#d-none').check();
    await page.getByLabel('Device 1', { exact: true }).selectOption('company_laptop');
    await page.getByLabel('Device 2', { exact: true }).selectOption('loaner_phone');
    await page.getByLabel('Material 1 (title)', { exact: true }).fill('Scaling laws');
    await page.getByLabel('Material 1 is', { exact: true }).selectOption('no');
    await checkPage(page, 'request-form-manifest');

    // A company laptop without its asset tag: the form comes back naming the field, with what was typed.
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.locator('[id="e-manifest.devices.0.assetTag"]').waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'Device 1: asset tag: enter the asset tag of the company device',
    );
    const tag = page.getByLabel('Asset tag 1', { exact: true });
    await expect(tag.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('[id="e-manifest.devices.0.assetTag"]').textContent()).resolves.toContain(
      'enter the asset tag of the company device',
    );
    await expect(page.getByLabel('Material 1 (title)', { exact: true }).inputValue()).resolves.toBe('Scaling laws');

    await tag.fill('LT-1234');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.waitForURL(/\/app\/requests\/[0-9a-f-]{36}\?done=submitted/);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('Company laptop (asset LT-1234); Loaner phone');
    expect(text).toContain("'Scaling laws' — unpublished");
    expect(text).toContain('unpublished material to be shown: Scaling laws');
    await checkPage(page, 'request-detail-manifest');

    const id = /\/app\/requests\/([0-9a-f-]{36})/.exec(page.url())![1];
    const view = (await http.as('carol@example.com', 'GET', `/api/requests/${id}`)).body;
    expect(view.manifest).toEqual({
      devices: [{ kind: 'company_laptop', assetTag: 'LT-1234' }, { kind: 'loaner_phone' }],
      materials: [{ title: 'Scaling laws', published: false }],
    });
    await context.close();
  });
});
