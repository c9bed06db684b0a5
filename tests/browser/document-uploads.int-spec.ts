import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requestBody } from '../support/factories';
import { signedIn, checkPage, usePagesSystem } from '../support/browser';

/**
 * Uploads from the request page, in real Chromium: the authority's decision document (issue 16, point 3)
 * and the file of a material on the trip manifest, which data governance then downloads from the page.
 */
describe('document uploads on the request page in Chromium', () => {
  const pages = usePagesSystem();
  const { http } = pages;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-uploads-'));
  const file = (name: string, content: Buffer) => {
    const at = path.join(dir, name);
    fs.writeFileSync(at, content);
    return at;
  };

  it("should upload the authority's decision document, saying in plain words when the file is wrong", async () => {
    const body = requestBody('conference', {
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { eventName: 'Quiet Conf', presenting: false },
    });
    const view = (await http.as('alice@example.com', 'POST', '/api/requests', body)).body;
    const { context, page } = await signedIn(pages.browser, pages.system.baseUrl, 'alice@example.com');
    await page.goto(`/app/requests/${view.id}`);

    await page
      .getByLabel('Decision document for Official exit approval')
      .setInputFiles(file('notes.txt', Buffer.from('hello')));
    await page.getByRole('button', { name: 'Upload the decision document' }).click();
    await page.waitForURL(/problem=type/);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not a PDF or an image');
    await checkPage(page, 'request-upload-problem');

    const pdf = Buffer.from('%PDF-1.4\n% exit approval letter\n%%EOF\n');
    await page.getByLabel('Decision document for Official exit approval').setInputFiles(file('letter.pdf', pdf));
    await page.getByRole('button', { name: 'Upload the decision document' }).click();
    await page.waitForURL(/done=document/);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    await expect(page.locator('#authorization-official_exit_approval').textContent()).resolves.toContain(sha256);
    await context.close();
  });

  it('should let the requester upload the slides of a material and data governance download them', async () => {
    const body = requestBody('conference', {
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { eventName: 'Quiet Conf', presenting: true },
      manifest: { devices: [], materials: [{ title: 'Scaling laws', published: false }] },
    });
    const view = (await http.as('carol@example.com', 'POST', '/api/requests', body)).body;
    const slides = Buffer.from('%PDF-1.4\n% the slides\n%%EOF\n');
    const carol = await signedIn(pages.browser, pages.system.baseUrl, 'carol@example.com');
    await carol.page.goto(`/app/requests/${view.id}`);
    await carol.page.getByLabel("File of 'Scaling laws'").setInputFiles(file('slides.pdf', slides));
    await carol.page.getByRole('button', { name: "Upload the file of 'Scaling laws'" }).click();
    await carol.page.waitForURL(/done=material/);
    await expect(carol.page.locator('#material-0').textContent()).resolves.toContain(
      createHash('sha256').update(slides).digest('hex'),
    );
    await checkPage(carol.page, 'request-material-file');
    await carol.context.close();

    const dg = await signedIn(pages.browser, pages.system.baseUrl, 'datagov@example.com');
    await dg.page.goto(`/app/requests/${view.id}`);
    const [download] = await Promise.all([
      dg.page.waitForEvent('download'),
      dg.page.getByRole('link', { name: "Download 'Scaling laws'" }).click(),
    ]);
    const saved = path.join(dir, 'downloaded.pdf');
    await download.saveAs(saved);
    expect(fs.readFileSync(saved).equals(slides)).toBe(true);
    await dg.context.close();
  });
});
