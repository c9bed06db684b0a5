import { randomUUID } from 'node:crypto';
import { PassportRepository } from '@libs/persistence';
import { testDatabases } from '../support/databases';
import { useMigratedDatabase } from '../support/migrated-database';

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** "Due back soon" is the released passports due within the window, not every released one. */
describe.each(testDatabases())('passports due back soon on $name', (database) => {
  const db = useMigratedDatabase(database);

  const released = async (passports: PassportRepository, employeeEmail: string, dueBackAt: string) => {
    const { id } = await passports.deposit(
      {
        id: randomUUID(),
        employeeEmail,
        numberCiphertext: 'ciphertext',
        numberKeyId: 'k1',
        numberLast3: '123',
        numberFingerprint: randomUUID(),
        issuingCountry: 'KR',
        expiryDate: '2035-01-01',
        depositedBy: 'custodian@example.com',
        createdAt: new Date().toISOString(),
      },
      [],
    );
    const requestId = randomUUID();
    const at = new Date().toISOString();
    await passports.readyForHandOut(requestId, employeeEmail, at);
    await passports.handOut({ passportId: id, requestId, by: 'custodian@example.com', at, dueBackAt });
    return id;
  };

  it('should list only the released passports due back by the given time', async () => {
    const passports = new PassportRepository(db.dataSource);
    const soon = `soon-${randomUUID()}@example.com`;
    const later = `later-${randomUUID()}@example.com`;
    const dueIn3 = await released(passports, soon, inDays(3));
    const dueIn30 = await released(passports, later, inDays(30));
    const ours = new Set([dueIn3, dueIn30]);

    const within7 = await passports.list({ statuses: ['released'], dueBy: inDays(7), limit: 500 });
    expect(within7.filter((p) => ours.has(p.id)).map((p) => p.id)).toEqual([dueIn3]);
    const within40 = await passports.list({ statuses: ['released'], dueBy: inDays(40), limit: 500 });
    expect(
      within40
        .filter((p) => ours.has(p.id))
        .map((p) => p.id)
        .sort(),
    ).toEqual([dueIn3, dueIn30].sort());
    const anyRelease = await passports.list({ statuses: ['released'], limit: 500 });
    expect(anyRelease.filter((p) => ours.has(p.id))).toHaveLength(2);
  });
});
