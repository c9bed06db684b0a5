import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * External authorizations and determinations on the request projection (JSON in text columns,
 * portable to both databases; rows from before hold none), and the decision documents, stored
 * encrypted (AES-256-GCM under ENCRYPTION_KEYS, base64 text) with their SHA-256.
 */
export class ExternalAuthorizations1763900007800 implements MigrationInterface {
  name = 'ExternalAuthorizations1763900007800';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Plain statements (TypeORM's addColumns rebuilds the table on SQLite and trips on its later indexes).
    await queryRunner.query("ALTER TABLE requests ADD COLUMN authorizations text NOT NULL DEFAULT '[]'");
    await queryRunner.query("ALTER TABLE requests ADD COLUMN determinations text NOT NULL DEFAULT '[]'");
    await queryRunner.query(
      'CREATE TABLE authorization_documents (' +
        'request_id varchar(36) NOT NULL, kind varchar(60) NOT NULL, content_type varchar(100) NOT NULL, ' +
        'size_bytes integer NOT NULL, sha256 varchar(64) NOT NULL, key_id varchar(64) NOT NULL, ciphertext text NOT NULL, ' +
        'uploaded_by varchar(254) NOT NULL, uploaded_at varchar(30) NOT NULL, ' +
        'CONSTRAINT pk_authorization_documents PRIMARY KEY (request_id, kind))',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE authorization_documents');
    await queryRunner.query('ALTER TABLE requests DROP COLUMN determinations');
    await queryRunner.query('ALTER TABLE requests DROP COLUMN authorizations');
  }
}
