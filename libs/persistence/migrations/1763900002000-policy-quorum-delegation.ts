import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Versioned policy, quorum per party (who approved so far), and delegations. Portable types only. */
export class PolicyQuorumDelegation1763900002000 implements MigrationInterface {
  name = 'PolicyQuorumDelegation1763900002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'policy_versions',
        columns: [
          { name: 'version', type: 'integer', isPrimary: true },
          { name: 'document', type: 'text' },
          { name: 'created_by', type: 'varchar', length: '254' },
          { name: 'created_at', type: 'varchar', length: '30' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'delegations',
        columns: [
          { name: 'delegator_email', type: 'varchar', length: '254', isPrimary: true },
          { name: 'delegate_email', type: 'varchar', length: '254' },
          { name: 'starts_on', type: 'varchar', length: '10' },
          { name: 'ends_on', type: 'varchar', length: '10' },
          { name: 'created_at', type: 'varchar', length: '30' },
        ],
        indices: [new TableIndex({ name: 'idx_delegations_delegate', columnNames: ['delegate_email'] })],
      }),
    );
    await queryRunner.addColumns('approvals', [
      new TableColumn({ name: 'quorum', type: 'integer', default: 1 }),
      new TableColumn({ name: 'approved_by', type: 'text', default: "'[]'" }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('approvals', 'approved_by');
    await queryRunner.dropColumn('approvals', 'quorum');
    await queryRunner.dropTable('delegations');
    await queryRunner.dropTable('policy_versions');
  }
}
