import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Passport custody ledger, post-approval obligations and step-up codes. Portable types only. */
export class PassportsObligations1763900003000 implements MigrationInterface {
  name = 'PassportsObligations1763900003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const str = (name: string, length: number, isNullable = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
    });
    await queryRunner.createTable(
      new Table({
        name: 'passports',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('employee_email', 254),
          { name: 'number_ciphertext', type: 'text' },
          str('number_key_id', 64),
          str('number_last3', 3),
          str('issuing_country', 2),
          str('expiry_date', 10),
          str('status', 20),
          str('release_request_id', 36, true),
          str('released_at', 30, true),
          str('due_back_at', 30, true),
          str('returned_at', 30, true),
          str('deposited_by', 254),
          str('created_at', 30),
          str('updated_at', 30),
        ],
        indices: [new TableIndex({ name: 'idx_passports_employee', columnNames: ['employee_email'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'obligations',
        columns: [
          { ...str('request_id', 36), isPrimary: true },
          { ...str('kind', 60), isPrimary: true },
          str('label', 500),
          str('status', 20),
          str('due_at', 30, true),
          str('fulfilled_by', 254, true),
          str('fulfilled_at', 30, true),
          { name: 'note', type: 'text', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'idx_obligations_status', columnNames: ['status'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'step_up_codes',
        columns: [
          { ...str('token_hash', 64), isPrimary: true },
          str('code_hash', 64),
          str('expires_at', 30),
          { name: 'attempts', type: 'integer' },
          str('created_at', 30),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('step_up_codes');
    await queryRunner.dropTable('obligations');
    await queryRunner.dropTable('passports');
  }
}
