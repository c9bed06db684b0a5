import type { DataSource } from 'typeorm';
import { PassportEntity } from './entities';

export type PassportStatus = 'in_custody' | 'released' | 'overdue';

/** The custody ledger. Numbers arrive sealed (see libs/crypto): this never sees one in plain text. */
export class PassportRepository {
  constructor(private readonly dataSource: DataSource) {}

  async deposit(
    row: Omit<PassportEntity, 'status' | 'releaseRequestId' | 'releasedAt' | 'dueBackAt' | 'returnedAt' | 'updatedAt'>,
  ): Promise<PassportEntity> {
    const entity = Object.assign(new PassportEntity(), {
      ...row,
      status: 'in_custody',
      releaseRequestId: null,
      releasedAt: null,
      dueBackAt: null,
      returnedAt: null,
      updatedAt: row.createdAt,
    });
    await this.dataSource.getRepository(PassportEntity).insert(entity);
    return entity;
  }

  async findById(id: string): Promise<PassportEntity | null> {
    return id ? this.dataSource.getRepository(PassportEntity).findOneBy({ id }) : null;
  }

  async list(employeeEmail?: string): Promise<PassportEntity[]> {
    return this.dataSource
      .getRepository(PassportEntity)
      .find({ where: employeeEmail ? { employeeEmail } : {}, order: { employeeEmail: 'ASC', createdAt: 'ASC' } });
  }

  async inCustodyFor(employeeEmail: string): Promise<PassportEntity | null> {
    return this.dataSource.getRepository(PassportEntity).findOne({
      where: { employeeEmail, status: 'in_custody' },
      order: { createdAt: 'ASC' },
    });
  }

  /**
   * Moves a passport of the employee out for a release request. Idempotent: a retry finds the
   * passport already released for this request and answers it.
   */
  async release(
    requestId: string,
    employeeEmail: string,
    dueBackAt: string,
    at: string,
  ): Promise<PassportEntity | null> {
    const repo = this.dataSource.getRepository(PassportEntity);
    const already = await repo.findOneBy({ releaseRequestId: requestId });
    if (already) return already;
    return this.dataSource.transaction(async (manager) => {
      const passport = await manager
        .getRepository(PassportEntity)
        .findOne({ where: { employeeEmail, status: 'in_custody' }, order: { createdAt: 'ASC' } });
      if (!passport) return null;
      const patch = {
        status: 'released',
        releaseRequestId: requestId,
        releasedAt: at,
        dueBackAt,
        returnedAt: null,
        updatedAt: at,
      };
      await manager.getRepository(PassportEntity).update({ id: passport.id, status: 'in_custody' }, patch);
      return Object.assign(passport, patch);
    });
  }

  async markOverdue(id: string, at: string): Promise<void> {
    await this.dataSource
      .getRepository(PassportEntity)
      .update({ id, status: 'released' }, { status: 'overdue', updatedAt: at });
  }

  async markReturned(id: string, at: string): Promise<void> {
    const repo = this.dataSource.getRepository(PassportEntity);
    const passport = await repo.findOneBy({ id });
    if (!passport || passport.status === 'in_custody') return;
    await repo.update({ id }, { status: 'in_custody', returnedAt: at, updatedAt: at });
  }
}
