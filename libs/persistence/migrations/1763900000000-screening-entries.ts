import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

// Portable columns only (varchar, text), as in the initial schema: runs on SQLite and PostgreSQL.
const str = (name: string, length: number, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  ...extra,
});

export class ScreeningEntries1763900000000 implements MigrationInterface {
  name = 'ScreeningEntries1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'screening_entries',
        columns: [
          str('id', 36, { isPrimary: true }),
          str('name', 300),
          { name: 'aliases', type: 'text' },
          str('country', 2, { isNullable: true }),
          str('source', 100),
          str('external_id', 100, { isNullable: true }),
          str('created_at', 30),
        ],
        indices: [
          new TableIndex({ name: 'idx_screening_entries_name', columnNames: ['name', 'id'] }),
          new TableIndex({ name: 'idx_screening_entries_source', columnNames: ['source'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('screening_entries');
  }
}
