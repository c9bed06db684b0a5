import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What amendments leave on a request: approvals given on content since amended (superseded, never
 * counted) and how amendments changed the route. JSON in text columns, portable to both databases.
 */
export class Amendments1763900006100 implements MigrationInterface {
  name = 'Amendments1763900006100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('requests', [
      new TableColumn({ name: 'superseded_approvals', type: 'text', default: "'[]'" }),
      new TableColumn({ name: 'route_changes', type: 'text', default: "'[]'" }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('requests', 'route_changes');
    await queryRunner.dropColumn('requests', 'superseded_approvals');
  }
}
