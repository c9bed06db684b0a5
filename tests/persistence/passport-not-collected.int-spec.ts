import { randomUUID } from 'node:crypto';
import { AuditLogEntity, PassportRepository } from '@libs/persistence';
import { testDatabases } from '../support/databases';
import { useMigratedDatabase } from '../support/migrated-database';

/** A release nobody collected by the end of its return day lapses: the passport is in custody again, on the record. */
describe.each(testDatabases())('an uncollected passport release on $name', (database) => {
  const db = useMigratedDatabase(database);

  const deposit = async (passports: PassportRepository, employeeEmail: string) =>
    passports.deposit(
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

  it('should put a passport ready for hand-out back in custody once, with a passport.not_collected audit entry', async () => {
    const passports = new PassportRepository(db.dataSource);
    const employee = `nc-${randomUUID()}@example.com`;
    const requestId = randomUUID();
    const { id } = await deposit(passports, employee);
    expect(await passports.readyForHandOut(requestId, employee, new Date().toISOString())).toMatchObject({ id });

    await passports.markNotCollected(id, randomUUID(), '2030-01-02T00:00:00.000Z'); // another request's lapse: nothing
    expect((await passports.findById(id))!.status).toBe('ready_for_hand_out');

    await passports.markNotCollected(id, requestId, '2030-01-02T00:00:00.000Z');
    await passports.markNotCollected(id, requestId, '2030-01-02T00:00:01.000Z'); // a retried activity
    expect((await passports.findById(id))!.status).toBe('in_custody');
    const entries = await db.dataSource.getRepository(AuditLogEntity).findBy({ event: 'passport.not_collected' });
    const mine = entries.filter((e) => JSON.parse(e.payload).passportId === id);
    expect(mine).toHaveLength(1);
    expect(JSON.parse(mine[0].payload)).toMatchObject({ requestId, status: 'in_custody', employeeEmail: employee });
    // in custody again: a later release request can take it
    expect(await passports.inCustodyFor(employee)).toMatchObject({ id });
  });

  it('should leave a passport that was handed out alone', async () => {
    const passports = new PassportRepository(db.dataSource);
    const employee = `nc-${randomUUID()}@example.com`;
    const requestId = randomUUID();
    const { id } = await deposit(passports, employee);
    await passports.readyForHandOut(requestId, employee, new Date().toISOString());
    const at = new Date().toISOString();
    await passports.handOut({ passportId: id, requestId, by: 'custodian@example.com', at, dueBackAt: '2030-01-05' });
    await passports.markNotCollected(id, requestId, at);
    expect((await passports.findById(id))!.status).toBe('released');
  });
});
