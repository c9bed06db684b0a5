import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The files of the trip manifest's materials (issue 16): their SHA-256 and who attached them, as JSON
 * text on the request projection. The files themselves are sealed in `authorization_documents`
 * (kind `material-<index>`), which holds every stored document of a request.
 */
export class MaterialDocuments1763900008000 implements MigrationInterface {
  name = 'MaterialDocuments1763900008000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE requests ADD COLUMN material_documents text NOT NULL DEFAULT '[]'");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE requests DROP COLUMN material_documents');
  }
}
