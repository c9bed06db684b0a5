import type { MigrationInterface, QueryRunner } from 'typeorm';

const REQUIRED = /"return_date" varchar\(10\) NOT NULL/;
const OPTIONAL = /"return_date" varchar\(10\)(?! NOT NULL)/;

/**
 * A departure abroad may name no return date (issue 13: a permanent move), so `requests.return_date`
 * allows NULL. PostgreSQL drops the constraint in place. SQLite cannot alter a column: the table is
 * rebuilt the way SQLite documents (create the new table, copy, drop, rename, recreate its indexes),
 * from the table's own stored DDL so that every column later migrations added stays as it is. The
 * migration executor turns foreign keys off for SQLite before it starts; run by hand, it does so itself.
 * Undone, a permanent move gets its departure date as its return (the day its trip ends, tripEnd).
 */
export class PermanentMove1763900009100 implements MigrationInterface {
  name = 'PermanentMove1763900009100';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'postgres') {
      await queryRunner.query('ALTER TABLE requests ALTER COLUMN return_date DROP NOT NULL');
      return;
    }
    await rebuildRequests(queryRunner, (sql) => sql.replace(REQUIRED, '"return_date" varchar(10)'));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('UPDATE requests SET return_date = departure_date WHERE return_date IS NULL');
    if (queryRunner.connection.driver.options.type === 'postgres') {
      await queryRunner.query('ALTER TABLE requests ALTER COLUMN return_date SET NOT NULL');
      return;
    }
    await rebuildRequests(queryRunner, (sql) => sql.replace(OPTIONAL, '"return_date" varchar(10) NOT NULL'));
  }
}

/** SQLite: rebuilds `requests` with the DDL `change` gives, keeping its rows, indexes and triggers. */
async function rebuildRequests(queryRunner: QueryRunner, change: (sql: string) => string): Promise<void> {
  const [table] = (await queryRunner.query(
    `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'requests'`,
  )) as Array<{ sql: string }>;
  const changed = change(table.sql);
  if (changed === table.sql) throw new Error('requests.return_date is not in the form this migration expects');
  const dependents = (await queryRunner.query(
    `SELECT sql FROM sqlite_master WHERE tbl_name = 'requests' AND type IN ('index', 'trigger') AND sql IS NOT NULL`,
  )) as Array<{ sql: string }>;
  const [{ foreign_keys: enforced }] = (await queryRunner.query('PRAGMA foreign_keys')) as Array<{
    foreign_keys: number;
  }>;
  // A no-op inside a transaction: then the executor has already turned them off (see the class comment).
  if (enforced) await queryRunner.query('PRAGMA foreign_keys = OFF');
  try {
    await queryRunner.query(changed.replace(/^CREATE TABLE "requests"/, 'CREATE TABLE "requests_rebuilt"'));
    await queryRunner.query('INSERT INTO "requests_rebuilt" SELECT * FROM "requests"');
    await queryRunner.query('DROP TABLE "requests"');
    await queryRunner.query('ALTER TABLE "requests_rebuilt" RENAME TO "requests"');
    for (const { sql } of dependents) await queryRunner.query(sql);
    const broken = (await queryRunner.query('PRAGMA foreign_key_check')) as unknown[];
    if (broken.length > 0) throw new Error(`rebuilding requests broke ${broken.length} foreign keys`);
  } finally {
    if (enforced) await queryRunner.query('PRAGMA foreign_keys = ON');
  }
}
