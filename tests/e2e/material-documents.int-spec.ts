import { createHash, randomBytes } from 'node:crypto';
import JSZip from 'jszip';
import { DataSource } from 'typeorm';
import { testDatabases } from '../support/databases';
import { requestBody } from '../support/factories';
import { useSystem } from '../support/system';

/**
 * The file of a material on the trip manifest (issue 16): the requester uploads it, it is stored
 * sealed like an authority's decision document, only its SHA-256 goes to the workflow, the view,
 * the audit chain and the timeline; data governance (and auditors, admins, the requester) download
 * it; the evidence pack checks it against its hash. Through HTTP, the real workflow and a real database.
 */
describe.each(testDatabases())('material files on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;

  const body = () =>
    requestBody('conference', {
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { eventName: 'Quiet Conf', presenting: true },
      manifest: { devices: [], materials: [{ title: 'Scaling laws', published: false }] },
    });

  const path = (id: string, index: number | string) => `/api/requests/${id}/manifest/materials/${index}/document`;

  async function upload(email: string, id: string, index: number | string, bytes: Buffer, field = 'document') {
    const form = new FormData();
    form.append(field, new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), 'slides.pdf');
    const res = await fetch(`${http.baseUrl}${path(id, index)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await http.token(email)}` },
      body: form,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async function download(email: string, id: string, index: number | string) {
    const res = await fetch(`${http.baseUrl}${path(id, index)}`, {
      headers: { authorization: `Bearer ${await http.token(email)}` },
    });
    return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  }

  it('should store a material file sealed, record only its hash, let data governance download it and check it in the evidence pack', async () => {
    const submitted = await http.as('carol@example.com', 'POST', '/api/requests', body());
    expect(submitted.status).toBe(201);
    const view = submitted.body;
    const marker = `CLEARANCE-SLIDES-${randomBytes(8).toString('hex')}`;
    const pdf = Buffer.from(`%PDF-1.4\n1 0 obj << /Title (${marker}) >> endobj\n${marker}\n%%EOF\n`);
    const sha256 = createHash('sha256').update(pdf).digest('hex');

    // Only the requester uploads; who may not read learns nothing; fields are named.
    expect((await upload('alice@example.com', view.id, 0, pdf)).status).toBe(404);
    expect((await upload('datagov@example.com', view.id, 0, pdf)).status).toBe(403);
    expect((await upload('carol@example.com', view.id, 3, pdf)).status).toBe(404);
    const badIndex = await upload('carol@example.com', view.id, 'first', pdf);
    expect(badIndex.status).toBe(400);
    expect(badIndex.body.errors[0].field).toBe('index');
    const notPdf = await upload('carol@example.com', view.id, 0, Buffer.from('PK\u0003\u0004 a zip, say a pptx'));
    expect(notPdf.status).toBe(400);
    expect(notPdf.body.errors[0].field).toBe('document');

    const stored = await upload('carol@example.com', view.id, 0, pdf);
    expect(stored.status).toBe(200);
    expect(stored.body.manifest.materials[0]).toMatchObject({
      title: 'Scaling laws',
      published: false,
      document: expect.objectContaining({ sha256, contentType: 'application/pdf', sizeBytes: pdf.length }),
    });

    // Data governance, auditors and the requester download it; other readers may not; others learn nothing.
    for (const who of ['datagov@example.com', 'auditor@example.com', 'carol@example.com']) {
      const got = await download(who, view.id, 0);
      expect(got.status).toBe(200);
      expect(got.type).toBe('application/pdf');
      expect(got.bytes.equals(pdf)).toBe(true);
    }
    expect((await download('hr@example.com', view.id, 0)).status).toBe(403);
    expect((await download('alice@example.com', view.id, 0)).status).toBe(404);

    // In the timeline by its hash.
    const timeline = (await http.as('auditor@example.com', 'GET', `/api/requests/${view.id}/timeline`)).body;
    const attached = timeline.items.find((e: any) => e.title === "Material 'Scaling laws': file attached");
    expect(attached.detail).toContain(sha256);

    // Nowhere in the database in the clear.
    const dataSource = used.system.app.get(DataSource);
    const dump: string[] = [];
    for (const meta of dataSource.entityMetadatas) {
      dump.push(JSON.stringify(await dataSource.query(`SELECT * FROM ${meta.tableName}`)));
    }
    const everything = dump.join('\n');
    expect(everything).toContain(sha256);
    for (const form of [marker, pdf.toString('base64'), pdf.toString('hex')]) {
      expect(everything.includes(form)).toBe(false);
    }

    // The history carries the hash, never the file.
    const exported = await http.as('auditor@example.com', 'GET', `/api/audit/requests/${view.id}/history`);
    expect(exported.status).toBe(200);
    expect(JSON.stringify(exported.body).includes(marker)).toBe(false);

    // The evidence pack opens the stored file and checks it against the hash on the record.
    const pack = await fetch(`${http.baseUrl}/api/audit/requests/${view.id}/evidence`, {
      headers: { authorization: `Bearer ${await http.token('auditor@example.com')}` },
    });
    const zip = await JSZip.loadAsync(Buffer.from(await pack.arrayBuffer()));
    const checks = JSON.parse(await zip.file('documents.json')!.async('string'));
    expect(checks).toEqual([
      expect.objectContaining({
        kind: 'material-0',
        label: "Material 'Scaling laws'",
        recordedSha256: sha256,
        openedSha256: sha256,
        matches: true,
      }),
    ]);
  });
});
