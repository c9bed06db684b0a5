import type { EntityManager } from 'typeorm';

/** A request's human reference: `CLR-<year of submission>-<number in that year, six digits at least>`. */
export function requestReference(year: number, number: number): string {
  return `CLR-${year}-${String(number).padStart(6, '0')}`;
}

/**
 * The next reference of the year `submittedAt` falls in (UTC), taken from the year's counter by one
 * atomic upsert inside the caller's transaction: the counter row stays locked until that transaction
 * ends (PostgreSQL row lock; on SQLite the database's write lock), so two submissions at the same
 * moment, from any process, get consecutive numbers, and a transaction that rolls back gives its
 * number back. The same statement on both databases (SQLite ≥ 3.35 has UPSERT and RETURNING).
 */
export async function nextRequestReference(manager: EntityManager, submittedAt: string): Promise<string> {
  const year = Number(submittedAt.slice(0, 4));
  const postgres = manager.connection.driver.options.type === 'postgres';
  const rows = await manager.query<Array<{ last_number: number | string }>>(
    'INSERT INTO request_reference_counters (year, last_number) VALUES (' +
      (postgres ? '$1' : '?') +
      ', 1) ON CONFLICT (year) DO UPDATE SET last_number = request_reference_counters.last_number + 1 ' +
      'RETURNING last_number',
    [year],
  );
  return requestReference(year, Number(rows[0].last_number));
}
