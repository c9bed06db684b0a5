import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { workflowIdFor } from '@libs/contracts';
import { Keyring, KeyringError, openPassportNumber } from '@libs/crypto';
import { PassportEntity, passportKeyUsage, rotatePassportKeys } from '@libs/persistence';
import { findOrBuildTemporalCli } from '../../scripts/temporal-cli';
import { useMigratedDatabase } from '../support/migrated-database';
import { testDatabases } from '../support/databases';
import { passportInCustody } from '../support/passports';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { useBareTemporalClient, useSystem } from '../support/system';

const UI_ORIGIN = 'http://localhost:8233';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

/** Every string a history could hide a value in: its proto JSON, each bytes field as text, each base64 string decoded. */
function readableForms(history: unknown): string[] {
  const forms = [historyToJSON(history as Parameters<typeof historyToJSON>[0])];
  const walk = (value: unknown): void => {
    if (value instanceof Uint8Array) {
      forms.push(Buffer.from(value).toString('utf8'), Buffer.from(value).toString('latin1'));
    } else if (typeof value === 'string') {
      if (value.length >= 8 && /^[A-Za-z0-9+/=_-]+$/.test(value)) forms.push(unb64(value));
    } else if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(walk);
    }
  };
  walk(history);
  walk(JSON.parse(forms[0]));
  return forms;
}

/** Payloads, as proto JSON, anywhere in a history exported as JSON. */
function jsonPayloads(value: unknown, found: Array<{ metadata: Record<string, string>; data?: string }> = []) {
  if (Array.isArray(value)) value.forEach((v) => jsonPayloads(v, found));
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const metadata = record.metadata as Record<string, string> | undefined;
    if (metadata && typeof metadata.encoding === 'string') found.push(record as any);
    else Object.values(record).forEach((v) => jsonPayloads(v, found));
  }
  return found;
}

describe.each(testDatabases())('payload encryption on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;
  // Deliberately without the codec: what anyone with access to Temporal itself would see.
  const plainClient = useBareTemporalClient(used);

  it('should keep the purpose and counterparty out of the Temporal history, and intact in the API', async () => {
    const marker = randomBytes(4).toString('hex');
    const purpose = `Brief the Vexillo Syndicate ${marker} on lattice routing`;
    const counterparty = `Quorvane Photonics ${marker} GmbH`;
    const submitted = await http.as(
      'alice@example.com',
      'POST',
      '/api/requests',
      requestBody('conference', { purpose, counterparties: [{ name: counterparty, country: 'DE' }] }),
    );
    expect(submitted.status).toBe(201);
    const id = submitted.body.id as string;
    // Let the workflow run its activities too (screening, projection, notification emails).
    await eventually(async () => {
      const mails = (await http.request<any[]>('GET', '/dev/mailbox?to=hr@example.com')).body;
      return mails.some((m) => m.links.some((l: string) => l.includes('/approvals/'))) && mails;
    }, 'the approval email to hr');

    const history = await plainClient.workflow.getHandle(workflowIdFor(id)).fetchHistory();
    const forms = readableForms(history);
    for (const secret of [purpose, counterparty, marker]) {
      expect(forms.filter((form) => form.includes(secret))).toEqual([]);
    }
    const payloads = jsonPayloads(JSON.parse(historyToJSON(history)));
    const encrypted = payloads.filter((p) => unb64(p.metadata.encoding) === 'binary/encrypted');
    expect(encrypted.length).toBeGreaterThanOrEqual(3);
    expect(encrypted.every((p) => unb64(p.metadata['encryption-key-id']) === 'dev-1')).toBe(true);

    // The codec server turns the recorded workflow input back into the request.
    const decoded = await http.as(
      'auditor@example.com',
      'POST',
      '/codec/decode',
      { payloads: encrypted },
      {
        'x-namespace': 'default',
      },
    );
    expect(decoded.status).toBe(200);
    const texts = (decoded.body.payloads as Array<{ metadata: Record<string, string>; data: string }>).map((p) =>
      unb64(p.data),
    );
    expect(texts.some((t) => t.includes(purpose) && t.includes(counterparty))).toBe(true);
    expect(unb64(decoded.body.payloads[0].metadata.encoding)).toMatch(/^(json\/plain|binary\/null)$/);

    const view = await http.as('alice@example.com', 'GET', `/api/requests/${id}`);
    expect(view.status).toBe(200);
    expect(view.body.purpose).toBe(purpose);
    expect(view.body.counterparties).toEqual([expect.objectContaining({ name: counterparty, country: 'DE' })]);
  });

  it('should let the Temporal CLI show the history decoded through the codec server', async () => {
    const cli = findOrBuildTemporalCli(() => undefined);
    if (!cli) return; // the dev server came from the SDK's download: no CLI to try
    const purpose = `Survey the Ondrevik ${randomBytes(4).toString('hex')} archive`;
    const submitted = await http.as(
      'alice@example.com',
      'POST',
      '/api/requests',
      requestBody('conference', { purpose }),
    );
    expect(submitted.status).toBe(201);
    const show = (...extra: string[]) =>
      promisify(execFile)(cli, [
        'workflow',
        'show',
        '--address',
        process.env.TEST_TEMPORAL_ADDRESS!,
        '--namespace',
        used.system.config.temporal.namespace,
        '--workflow-id',
        workflowIdFor(submitted.body.id),
        '--output',
        'json',
        ...extra,
      ]);
    // `--output json` prints payload data in base64, decoded or not.
    const texts = (stdout: string) => jsonPayloads(JSON.parse(stdout)).map((p) => (p.data ? unb64(p.data) : ''));
    expect(texts((await show()).stdout).filter((t) => t.includes(purpose))).toEqual([]);
    const token = await http.token('auditor@example.com');
    const decoded = await show('--codec-endpoint', `${used.system.baseUrl}/codec`, '--codec-auth', `Bearer ${token}`);
    expect(texts(decoded.stdout).filter((t) => t.includes(purpose)).length).toBeGreaterThan(0);
  });

  describe('codec server', () => {
    const plain = { metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify({ passport: 'X1234567' })) };

    it('should refuse callers without a token (401) and employees (403)', async () => {
      expect((await http.request('POST', '/codec/decode', { body: { payloads: [plain] } })).status).toBe(401);
      expect((await http.request('POST', '/codec/encode', { body: { payloads: [plain] } })).status).toBe(401);
      expect((await http.as('alice@example.com', 'POST', '/codec/decode', { payloads: [plain] })).status).toBe(403);
      expect((await http.as('custodian@example.com', 'POST', '/codec/encode', { payloads: [plain] })).status).toBe(403);
    });

    it('should encode and decode for an auditor and an admin', async () => {
      const encoded = await http.as('auditor@example.com', 'POST', '/codec/encode', { payloads: [plain] });
      expect(encoded.status).toBe(200);
      const [sealed] = encoded.body.payloads;
      expect(unb64(sealed.metadata.encoding)).toBe('binary/encrypted');
      expect(unb64(sealed.metadata['encryption-key-id'])).toBe('dev-1');
      expect(unb64(sealed.data)).not.toContain('X1234567');
      const decoded = await http.as('admin@example.com', 'POST', '/codec/decode', { payloads: [sealed, plain] });
      expect(decoded.status).toBe(200);
      expect(decoded.body).toEqual({ payloads: [plain, plain] });
      const empty = await http.as('auditor@example.com', 'POST', '/codec/decode', { payloads: [] });
      expect(empty.body).toEqual({ payloads: [] });
      // Proto3 JSON leaves empty fields out: the Temporal CLI sends `{}` for no payloads.
      const omitted = await http.as('auditor@example.com', 'POST', '/codec/decode', {});
      expect(omitted.status).toBe(200);
      expect(omitted.body).toEqual({ payloads: [] });
      const bare = await http.as('auditor@example.com', 'POST', '/codec/encode', { payloads: [{}] });
      expect(bare.status).toBe(200);
      const [roundTrip] = (await http.as('auditor@example.com', 'POST', '/codec/decode', bare.body)).body.payloads;
      expect(roundTrip).toEqual({ metadata: {}, data: '' });
    });

    it('should answer 400 for a malformed body or a payload it cannot decrypt', async () => {
      const notArray = await http.as('auditor@example.com', 'POST', '/codec/decode', { payloads: 'x' });
      expect(notArray.status).toBe(400);
      const badBase64 = await http.as('auditor@example.com', 'POST', '/codec/decode', {
        payloads: [{ metadata: { encoding: 'not base64!' }, data: '' }],
      });
      expect(badBase64.status).toBe(400);
      expect(badBase64.body.errors).toEqual([
        { field: 'payloads.0.metadata.encoding', messages: ['payloads.0.metadata.encoding must be base64'] },
      ]);
      const forged = {
        metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('dev-1') },
        data: randomBytes(40).toString('base64'),
      };
      const refused = await http.as('auditor@example.com', 'POST', '/codec/decode', { payloads: [plain, forged] });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([{ field: 'payloads.1', messages: [expect.stringMatching(/authenticate/)] }]);
    });

    it('should allow CORS preflight only from the Temporal UI origin, and nowhere else in the API', async () => {
      const preflight = (path: string, origin: string) =>
        http.request('OPTIONS', path, {
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type,x-namespace',
          },
        });
      const allowed = await preflight('/codec/decode', UI_ORIGIN);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
      expect(allowed.headers.get('access-control-allow-headers')?.split(/,\s*/).sort()).toEqual([
        'authorization',
        'content-type',
        'x-namespace',
      ]);
      expect(allowed.headers.get('vary')).toMatch(/origin/i);
      expect((await preflight('/codec/encode', UI_ORIGIN)).status).toBe(204);

      const refused = await preflight('/codec/decode', 'https://evil.example.com');
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(refused.headers.get('access-control-allow-credentials')).toBeNull();
      expect(refused.status).toBe(403);

      // The actual call from the UI carries the header too, also when it is refused (so the UI can show why).
      const call = await http.request('POST', '/codec/decode', {
        body: { payloads: [plain] },
        headers: { origin: UI_ORIGIN, authorization: `Bearer ${await http.token('auditor@example.com')}` },
      });
      expect(call.status).toBe(200);
      expect(call.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
      const anonymous = await http.request('POST', '/codec/decode', {
        body: { payloads: [plain] },
        headers: { origin: UI_ORIGIN },
      });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);

      const api = await preflight('/api/requests', UI_ORIGIN);
      expect(api.headers.get('access-control-allow-origin')).toBeNull();
      const apiGet = await http.request('GET', '/health/live', { headers: { origin: UI_ORIGIN } });
      expect(apiGet.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});

describe.each(testDatabases())('passport key rotation on $name', (database) => {
  const keyA = { id: 'key-a', key: randomBytes(32) };
  const keyB = { id: 'key-b', key: randomBytes(32) };
  const underA = new Keyring({ keys: [keyA, keyB], activeKeyId: 'key-a' });
  const underB = new Keyring({ keys: [keyA, keyB], activeKeyId: 'key-b' });
  const onlyB = new Keyring({ keys: [keyB], activeKeyId: 'key-b' });

  const db = useMigratedDatabase(database);

  it('should re-seal every number under the new active key, batch by batch', async () => {
    const numbers = new Map<string, string>(Array.from({ length: 5 }, (_, i) => [randomUUID(), `C0${i}F7K${i}9R`]));
    const repo = db.dataSource.getRepository(PassportEntity);
    for (const [id, number] of numbers) await repo.insert(passportInCustody(underA, id, number));
    const lostId = randomUUID();
    const lost = new Keyring({ keys: [{ id: 'retired', key: randomBytes(32) }], activeKeyId: 'retired' });
    await repo.insert(passportInCustody(lost, lostId, 'L0ST12345'));
    const before = new Map((await repo.find()).map((row) => [row.id, row]));
    expect(await passportKeyUsage(db.dataSource)).toEqual({ 'key-a': 5, retired: 1 });

    const report = await rotatePassportKeys(db.dataSource, underB, { batchSize: 2 });
    expect(report).toMatchObject({ activeKeyId: 'key-b', examined: 6, rotated: 5, changedMeanwhile: 0 });
    expect(report.failed).toEqual([
      { id: lostId, keyId: 'retired', reason: expect.stringMatching(/no encryption key "retired"/) },
    ]);
    expect(await passportKeyUsage(db.dataSource)).toEqual({ 'key-b': 5, retired: 1 });

    for (const row of await repo.find()) {
      if (row.id === lostId) {
        expect(row).toEqual(before.get(lostId)); // never altered
        continue;
      }
      expect(row.numberKeyId).toBe('key-b');
      expect(row.numberCiphertext).not.toBe(before.get(row.id)!.numberCiphertext);
      expect(openPassportNumber(underB, row)).toBe(numbers.get(row.id));
      expect(openPassportNumber(onlyB, row)).toBe(numbers.get(row.id));
      const old = before.get(row.id)!;
      expect(() => openPassportNumber(onlyB, old)).toThrow(KeyringError);
      expect(() => openPassportNumber(onlyB, { ...old, numberKeyId: 'key-b' })).toThrow(/does not authenticate/);
    }

    const again = await rotatePassportKeys(db.dataSource, underB);
    expect(again).toMatchObject({ examined: 1, rotated: 0 });
  });
});
