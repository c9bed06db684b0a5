import { In, IsNull, QueryFailedError, type DataSource } from 'typeorm';
import { AuditLogRepository } from './audit-log.repository';
import { PassportEntity } from './entities';

export type PassportStatus = 'in_custody' | 'ready_for_hand_out' | 'released' | 'overdue';
export const PASSPORT_STATUSES: readonly PassportStatus[] = ['in_custody', 'ready_for_hand_out', 'released', 'overdue'];
/** The statuses of an active record: at most one per passport (index uq_passports_active_fingerprint). */
export const ACTIVE_PASSPORT_STATUSES: readonly PassportStatus[] = PASSPORT_STATUSES;

/** A deposit of a passport that already has an active record (found first, or by the unique index). */
export class PassportAlreadyActiveError extends Error {
  constructor(readonly existing: PassportEntity | null) {
    super('the passport already has an active record in the ledger');
    this.name = 'PassportAlreadyActiveError';
  }
}

/** A unique index refused the write (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE). */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: string } | undefined)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export interface PassportListFilter {
  employeeEmail?: string;
  statuses?: PassportStatus[];
  /** Only passports due back by then (ISO instant): a custodian's "due back soon". */
  dueBy?: string;
  limit: number;
  cursor?: { createdAt: string; id: string };
}

/** The custody ledger. Numbers arrive sealed (see libs/crypto): this never sees one in plain text. */
export class PassportRepository {
  private readonly audit: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
  }

  /**
   * Records a deposit, unless the passport already has an active record: looked up by its
   * fingerprints under every configured key (`sameAs`), and, against a concurrent deposit of the
   * same passport, refused by the unique index on the fingerprint. Either way PassportAlreadyActiveError.
   */
  async deposit(
    row: Omit<
      PassportEntity,
      | 'status'
      | 'releaseRequestId'
      | 'releasedAt'
      | 'dueBackAt'
      | 'returnedAt'
      | 'updatedAt'
      | 'handedOutBy'
      | 'handedOutAt'
      | 'numberFingerprint'
    > & { numberFingerprint: string },
    sameAs: string[],
  ): Promise<PassportEntity> {
    const entity = Object.assign(new PassportEntity(), {
      ...row,
      status: 'in_custody',
      releaseRequestId: null,
      handedOutBy: null,
      handedOutAt: null,
      releasedAt: null,
      dueBackAt: null,
      returnedAt: null,
      updatedAt: row.createdAt,
    });
    const active = () =>
      this.dataSource.getRepository(PassportEntity).findOneBy({
        numberFingerprint: In([...new Set([row.numberFingerprint, ...sameAs])]),
        status: In([...ACTIVE_PASSPORT_STATUSES]),
      });
    const existing = await active();
    if (existing) throw new PassportAlreadyActiveError(existing);
    try {
      await this.insertDeposit(entity);
    } catch (error) {
      if (isUniqueViolation(error)) throw new PassportAlreadyActiveError(await active());
      throw error;
    }
    return entity;
  }

  private async insertDeposit(entity: PassportEntity): Promise<void> {
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
  }

  /**
   * Fills the fingerprint of rows stored before it existed (see migration 1763900007700): the
   * caller opens each number and fingerprints it, so this never sees one. Idempotent and safe to
   * run from several processes at once. A row whose passport already has another active record
   * keeps its null and is answered in `duplicates`, for a custodian to resolve.
   */
  async backfillFingerprints(
    fingerprint: (row: PassportEntity) => string | null,
  ): Promise<{ filled: number; duplicates: string[]; unreadable: string[] }> {
    const repo = this.dataSource.getRepository(PassportEntity);
    const report = { filled: 0, duplicates: [] as string[], unreadable: [] as string[] };
    const rows = await repo.find({ where: { numberFingerprint: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' } });
    for (const row of rows) {
      const value = fingerprint(row);
      if (value === null) {
        report.unreadable.push(row.id);
        continue;
      }
      try {
        const { affected } = await repo.update(
          { id: row.id, numberFingerprint: IsNull() },
          { numberFingerprint: value },
        );
        report.filled += affected ?? 0;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        report.duplicates.push(row.id);
      }
    }
    return report;
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
    if (filter.dueBy) qb.andWhere('p.due_back_at <= :dueBy', { dueBy: filter.dueBy });
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
    return this.takeFromCustody(
      requestId,
      employeeEmail,
      { status: 'released', releasedAt: at, dueBackAt, returnedAt: null, updatedAt: at },
      { event: 'passport.released', payload: { status: 'released', requestId, releasedAt: at, dueBackAt } },
    );
  }

  /**
   * An approved release: the employee's passport in custody becomes ready to be handed out for the
   * request (it stays in the vault until the custodian hands it out). Idempotent like release.
   */
  async readyForHandOut(requestId: string, employeeEmail: string, at: string): Promise<PassportEntity | null> {
    return this.takeFromCustody(
      requestId,
      employeeEmail,
      {
        status: 'ready_for_hand_out',
        handedOutBy: null,
        handedOutAt: null,
        releasedAt: null,
        dueBackAt: null,
        returnedAt: null,
        updatedAt: at,
      },
      { event: 'passport.ready_for_hand_out', payload: { status: 'ready_for_hand_out', requestId, at } },
    );
  }

  /**
   * The employee's oldest passport in custody, bound to the release request with `patch`, and its
   * audit entry in the same transaction. A retry finds it already bound and answers it.
   */
  private async takeFromCustody(
    requestId: string,
    employeeEmail: string,
    patch: Partial<PassportEntity>,
    audit: { event: 'passport.released' | 'passport.ready_for_hand_out'; payload: Record<string, unknown> },
  ): Promise<PassportEntity | null> {
    const already = await this.dataSource.getRepository(PassportEntity).findOneBy({ releaseRequestId: requestId });
    if (already) return already;
    return this.audit.writeTransaction(async (manager) => {
      const passports = manager.getRepository(PassportEntity);
      const passport = await passports.findOne({
        where: { employeeEmail, status: 'in_custody' },
        order: { createdAt: 'ASC' },
      });
      if (!passport) return null;
      const change = { ...patch, releaseRequestId: requestId };
      const { affected } = await passports.update({ id: passport.id, status: 'in_custody' }, change);
      if (!affected) return null;
      const payload = { passportId: passport.id, employeeEmail: passport.employeeEmail, ...audit.payload };
      await this.audit.append([{ requestId, event: audit.event, payload }], manager);
      return Object.assign(passport, change);
    });
  }

  /**
   * The custodian hands the passport out, the holder's identity checked: `released`, due back by
   * `dueBackAt`. Idempotent: a retry finds it already handed out for the request and answers it.
   */
  async handOut(input: {
    passportId: string;
    requestId: string;
    by: string;
    at: string;
    dueBackAt: string;
  }): Promise<PassportEntity | null> {
    const { passportId, requestId, by, at, dueBackAt } = input;
    return this.audit.writeTransaction(async (manager) => {
      const repo = manager.getRepository(PassportEntity);
      const patch = { status: 'released', handedOutBy: by, handedOutAt: at, releasedAt: at, dueBackAt, updatedAt: at };
      const { affected } = await repo.update(
        { id: passportId, status: 'ready_for_hand_out', releaseRequestId: requestId },
        patch,
      );
      const passport = await repo.findOneBy({ id: passportId });
      if (!affected) return passport?.releaseRequestId === requestId ? passport : null;
      await this.audit.append(
        [
          {
            requestId,
            actor: by,
            event: 'passport.handed_out',
            payload: {
              passportId,
              employeeEmail: passport?.employeeEmail ?? null,
              status: 'released',
              requestId,
              handedOutBy: by,
              handedOutAt: at,
              identityChecked: true,
              dueBackAt,
            },
          },
        ],
        manager,
      );
      return passport;
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

  /**
   * A release nobody collected by the date the passport was due back: it never left the vault, so it
   * is simply in custody again, with the lapse on the record.
   */
  async markNotCollected(id: string, requestId: string, at: string): Promise<void> {
    await this.audit.writeTransaction(async (manager) => {
      const passports = manager.getRepository(PassportEntity);
      const { affected } = await passports.update(
        { id, status: 'ready_for_hand_out', releaseRequestId: requestId },
        { status: 'in_custody', updatedAt: at },
      );
      if (!affected) return; // handed out after all, or a retry already did it
      const passport = await passports.findOneByOrFail({ id });
      await this.audit.append(
        [
          {
            requestId,
            event: 'passport.not_collected',
            payload: { passportId: id, employeeEmail: passport.employeeEmail, status: 'in_custody', requestId, at },
          },
        ],
        manager,
      );
    });
  }
}
