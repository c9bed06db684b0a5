import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Step-up codes hold under guessing: each code is bound to the decision it confirms, and a link keeps
 * its budget of wrong codes and its window of issued codes across re-issued codes. Decisions record
 * `via: email-session`, longer than the old ten characters (SQLite does not enforce the length).
 */
export class StepUpBudget1763900006200 implements MigrationInterface {
  name = 'StepUpBudget1763900006200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('step_up_codes', [
      new TableColumn({ name: 'decision_hash', type: 'varchar', length: '64', default: "''" }),
      new TableColumn({ name: 'wrong_total', type: 'integer', default: 0 }),
      new TableColumn({ name: 'issued_in_window', type: 'integer', default: 0 }),
      new TableColumn({ name: 'window_started_at', type: 'varchar', length: '30', default: "''" }),
    ]);
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query('ALTER TABLE "decisions" ALTER COLUMN "via" TYPE varchar(20)');
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query('ALTER TABLE "decisions" ALTER COLUMN "via" TYPE varchar(10)');
    }
    for (const column of ['window_started_at', 'issued_in_window', 'wrong_total', 'decision_hash']) {
      await queryRunner.dropColumn('step_up_codes', column);
    }
  }
}
