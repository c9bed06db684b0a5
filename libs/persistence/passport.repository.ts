import { In, type DataSource } from 'typeorm';
import { AuditLogRepository } from './audit-log.repository';
import { PassportEntity } from './entities';

export type PassportStatus = 'in_custody' | 'released' | 'overdue';
export const PASSPORT_STATUSES: readonly PassportStatus[] = ['in_custody', 'released', 'overdue'];

export interface PassportListFilter {
  employeeEmail?: string;
  statuses?: PassportStatus[];
  limit: number;
  cursor?: { createdAt: string; id: string };
}

/** The custody ledger. Numbers arrive sealed (see libs/crypto): this never sees one in plain text. */
export class PassportRepository {
  private readonly audit: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
  }

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
    await this.audit.writeTransaction(async (manager) => {
      await manager.getRepository(PassportEntity).insert(entity);
      // Never the number nor its ciphertext: the log is for auditors, the number is personal data.
      await this.audit.append(
        [
          {
            event: 'passport.deposited',
            actor: entity.depositedBy,
            payload: {
              passportId: entity.id,
              employeeEmail: entity.employeeEmail,
              status: entity.status,
              depositedAt: entity.createdAt,
            },
          },
        ],
        manager,
      );
    });
    return entity;
  }

  async findById(id: string): Promise<PassportEntity | null> {
    return id ? this.dataSource.getRepository(PassportEntity).findOneBy({ id }) : null;
  }

  /**
   * A page of the ledger, newest first (created_at DESC, id DESC), after a keyset cursor; filtered
   * by employee and by stored status (indexes idx_passports_employee_created, idx_passports_status_created).
   */
  async list(filter: PassportListFilter): Promise<PassportEntity[]> {
    const qb = this.dataSource.getRepository(PassportEntity).createQueryBuilder('p');
    if (filter.employeeEmail) qb.andWhere('p.employee_email = :employee', { employee: filter.employeeEmail });
    if (filter.statuses?.length) qb.andWhere('p.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.cursor) {
      qb.andWhere('(p.created_at < :cAt OR (p.created_at = :cAt AND p.id < :cId))', {
        cAt: filter.cursor.createdAt,
        cId: filter.cursor.id,
      });
    }
    return qb.orderBy('p.created_at', 'DESC').addOrderBy('p.id', 'DESC').limit(filter.limit).getMany();
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
    return this.audit.writeTransaction(async (manager) => {
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
      await this.audit.append(
        [
          {
            requestId,
            event: 'passport.released',
            payload: {
              passportId: passport.id,
              employeeEmail: passport.employeeEmail,
              status: 'released',
              requestId,
              releasedAt: at,
              dueBackAt,
            },
          },
        ],
        manager,
      );
      return Object.assign(passport, patch);
    });
  }

  async markOverdue(id: string, at: string): Promise<void> {
    await this.audit.writeTransaction(async (manager) => {
      const result = await manager
        .getRepository(PassportEntity)
        .update({ id, status: 'released' }, { status: 'overdue', updatedAt: at });
      if (!result.affected) return;
      const passport = await manager.getRepository(PassportEntity).findOneBy({ id });
      await this.audit.append(
        [
          {
            requestId: passport?.releaseRequestId ?? null,
            event: 'passport.overdue',
            payload: {
              passportId: id,
              employeeEmail: passport?.employeeEmail ?? null,
              status: 'overdue',
              requestId: passport?.releaseRequestId ?? null,
              dueBackAt: passport?.dueBackAt ?? null,
              overdueAt: at,
            },
          },
        ],
        manager,
      );
    });
  }

  async markReturned(id: string, at: string): Promise<void> {
    const repo = this.dataSource.getRepository(PassportEntity);
    const passport = await repo.findOneBy({ id });
    if (!passport || passport.status === 'in_custody') return;
    await this.audit.writeTransaction(async (manager) => {
      const result = await manager
        .getRepository(PassportEntity)
        .update({ id, status: In(['released', 'overdue']) }, { status: 'in_custody', returnedAt: at, updatedAt: at });
      if (!result.affected) return; // a concurrent retry already took it back
      await this.audit.append(
        [
          {
            requestId: passport.releaseRequestId,
            event: 'passport.returned',
            payload: {
              passportId: id,
              employeeEmail: passport.employeeEmail,
              status: 'in_custody',
              requestId: passport.releaseRequestId,
              returnedAt: at,
            },
          },
        ],
        manager,
      );
    });
  }
}
