import { randomBytes, randomUUID } from 'node:crypto';
import { Keyring } from '@libs/crypto';
import type { Person } from '@libs/domain/person';
import { DEFAULT_POLICY_DOCUMENT } from '@libs/domain/policy';
import {
  AuditLogEntity,
  AuditLogRepository,
  DirectoryRepository,
  PassportEntity,
  PolicyRepository,
  rotatePassportKeys,
  ScreeningEntryRepository,
} from '@libs/persistence';
import { useMigratedDatabase } from '../support/migrated-database';
import { testDatabases } from '../support/databases';
import { passportInCustody } from '../support/passports';

const PASSPORT_NUMBER = 'M12345678';

/** Everything that changes who reviews a request writes a signed audit entry in the same transaction. */
describe.each(testDatabases())('who-reviews changes in the audit chain on $name', (database) => {
  let cursor = 0;

  const db = useMigratedDatabase(database);

  /** The audit rows written since the last call. */
  async function newRows(): Promise<
    Array<{ event: string; actor: string | null; requestId: string | null; payload: any }>
  > {
    const rows = await db.dataSource.getRepository(AuditLogEntity).find({ order: { seq: 'ASC' } });
    const fresh = rows.filter((r) => r.seq > cursor);
    cursor = rows.length ? rows[rows.length - 1].seq : cursor;
    return fresh.map((r) => ({
      event: r.event,
      actor: r.actor,
      requestId: r.requestId,
      payload: JSON.parse(r.payload),
    }));
  }

  const person = (overrides: Partial<Person> = {}): Person => ({
    email: 'dana@example.com',
    name: 'Dana Secret-Name',
    tier: 'standard',
    roles: ['employee'],
    managerEmail: 'boss@example.com',
    flags: { classifiedAccess: false, confidentialityPeriodEnds: null },
    parties: [],
    ...overrides,
  });

  it('should record the bootstrap of policy version 1 once, and every published version', async () => {
    const policies = new PolicyRepository(db.dataSource);
    await policies.ensureDefault();
    await policies.ensureDefault();
    const [bootstrap, ...rest] = await newRows();
    expect(rest).toEqual([]);
    expect(bootstrap).toMatchObject({
      event: 'policy.bootstrapped',
      actor: 'system',
      requestId: null,
      payload: { version: 1, documentSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    await policies.publish(DEFAULT_POLICY_DOCUMENT, 'admin@example.com');
    expect(await newRows()).toEqual([
      expect.objectContaining({
        event: 'policy.published',
        actor: 'admin@example.com',
        payload: expect.objectContaining({ version: 2 }),
      }),
    ]);
  });

  it('should record a person created, a tier change and an update, with the actor and no name', async () => {
    const directory = new DirectoryRepository(db.dataSource);
    await directory.upsertPerson(person(), { actor: 'admin@example.com' });
    await directory.upsertPerson(person({ tier: 'core' }), { actor: 'admin@example.com' });
    await directory.upsertPerson(person({ tier: 'core', roles: ['employee', 'approver'], name: 'Dana Other' }), {
      actor: 'admin@example.com',
    });
    await directory.upsertPerson(person({ tier: 'core', roles: ['employee', 'approver'], name: 'Dana Other' }));
    const rows = await newRows();
    expect(rows).toEqual([
      {
        event: 'directory.person.created',
        actor: 'admin@example.com',
        requestId: null,
        payload: {
          subject: 'dana@example.com',
          tier: 'standard',
          roles: ['employee'],
          managerEmail: 'boss@example.com',
          parties: [],
        },
      },
      {
        event: 'directory.tier.changed',
        actor: 'admin@example.com',
        requestId: null,
        payload: { subject: 'dana@example.com', changes: { tier: { from: 'standard', to: 'core' } }, alsoChanged: [] },
      },
      {
        event: 'directory.person.updated',
        actor: 'admin@example.com',
        requestId: null,
        payload: {
          subject: 'dana@example.com',
          changes: { roles: { from: ['employee'], to: ['approver', 'employee'] } },
          alsoChanged: ['name'],
        },
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain('Dana');
  });

  it('should record an import: one entry per changed person and one for the import, or none when it rolls back', async () => {
    const directory = new DirectoryRepository(db.dataSource);
    await directory.importPeople(
      [
        person({ tier: 'strategic', roles: ['employee', 'approver'], name: 'Dana Other' }),
        person({ email: 'eli@example.com' }),
      ],
      { actor: 'admin@example.com' },
    );
    const rows = await newRows();
    expect(rows.map((r) => [r.event, r.actor, r.payload.subject])).toEqual([
      ['directory.tier.changed', 'admin@example.com', 'dana@example.com'],
      ['directory.person.created', 'admin@example.com', 'eli@example.com'],
      ['directory.imported', 'admin@example.com', undefined],
    ]);
    expect(rows[2].payload).toEqual({ created: 1, updated: 1, changed: 2 });
    await expect(
      directory.importPeople([person({ email: 'fay@example.com' }), person({ email: ' ' })], {
        actor: 'admin@example.com',
      }),
    ).rejects.toThrow('a person needs an email');
    expect(await newRows()).toEqual([]);
    expect(await directory.findPerson('fay@example.com')).toBeNull();
  });

  it('should record screening entries and imports with a content hash instead of the names', async () => {
    const screening = new ScreeningEntryRepository(db.dataSource);
    const entry = { name: 'Ivan Listed', aliases: ['I. Listed'], country: 'RU', source: 'SDN', externalId: 'x-1' };
    const created = await screening.create(entry, new Date().toISOString(), { actor: 'admin@example.com' });
    await screening.importEntries([entry, { ...entry, name: 'Olga Listed', externalId: 'x-2' }], {
      mode: 'replace',
      now: new Date().toISOString(),
      actor: 'admin@example.com',
    });
    const rows = await newRows();
    expect(rows).toEqual([
      {
        event: 'screening.entry.added',
        actor: 'admin@example.com',
        requestId: null,
        payload: {
          id: created.id,
          source: 'SDN',
          externalId: 'x-1',
          country: 'RU',
          contentSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      },
      {
        event: 'screening.imported',
        actor: 'admin@example.com',
        requestId: null,
        payload: {
          mode: 'replace',
          sources: ['SDN'],
          imported: 2,
          replaced: 1,
          duplicates: 0,
          contentSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain('Listed');
  });

  it('should record a key rotation with key ids and counts, never a passport number', async () => {
    const k1 = { id: 'k1', key: randomBytes(32) };
    const k2 = { id: 'k2', key: randomBytes(32) };
    const old = new Keyring({ keys: [k1], activeKeyId: 'k1' });
    for (let i = 0; i < 2; i += 1) {
      const id = randomUUID();
      await db.dataSource.getRepository(PassportEntity).insert(
        passportInCustody(old, id, PASSPORT_NUMBER, {
          employeeEmail: 'dana@example.com',
          issuingCountry: 'KR',
          expiryDate: '2035-01-01',
        }),
      );
    }
    await newRows();
    const report = await rotatePassportKeys(db.dataSource, new Keyring({ keys: [k2, k1], activeKeyId: 'k2' }), {
      actor: 'os:operator',
    });
    expect(report.rotated).toBe(2);
    const rows = await newRows();
    expect(rows).toEqual([
      {
        event: 'keys.rotated',
        actor: 'os:operator',
        requestId: null,
        payload: { target: 'passport-numbers', toKeyId: 'k2', fromKeys: { k1: 2 }, rotated: 2 },
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain(PASSPORT_NUMBER);
    expect(await new AuditLogRepository(db.dataSource).verify()).toMatchObject({ ok: true, problems: [] });
  });
});
