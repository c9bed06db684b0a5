import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trip manifest of a request (issue 16): devices taken and materials to be shown, as JSON text
 * (TypeORM `simple-json`), null when none was declared. Asset tags and material titles do not
 * identify a person, so the column is plain like `details`. Reads the same on SQLite and PostgreSQL.
 */
export class TripManifest1763900007900 implements MigrationInterface {
  name = 'TripManifest1763900007900';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE requests ADD COLUMN manifest text NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE requests DROP COLUMN manifest');
  }
}
