import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Personnel flags (DOMAIN.md): classified access and the end of a confidentiality period. Portable types only. */
export class PeopleFlags1763900001000 implements MigrationInterface {
  name = 'PeopleFlags1763900001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('people', [
      new TableColumn({ name: 'classified_access', type: 'boolean', default: 'false' }),
      // An ISO date `YYYY-MM-DD`, like the request dates.
      new TableColumn({ name: 'confidentiality_period_ends', type: 'varchar', length: '10', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('people', 'confidentiality_period_ends');
    await queryRunner.dropColumn('people', 'classified_access');
  }
}
