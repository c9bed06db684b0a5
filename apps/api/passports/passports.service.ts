import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { custodyWorkflowIdFor, handOutPassportUpdate, returnPassportUpdate } from '@libs/contracts';
import {
  Keyring,
  openPassportNumber,
  passportFingerprint,
  passportFingerprints,
  sealPassportNumber,
} from '@libs/crypto';
import { todayUtc } from '@libs/domain/calendar-date';
import { label } from '@libs/domain/labels';
import type { Person } from '@libs/domain/person';
import { maskedPassport } from '@libs/mail';
import {
  DirectoryRepository,
  PassportAlreadyActiveError,
  PassportRepository,
  type PassportEntity,
  type PassportStatus,
} from '@libs/persistence';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { DomainError } from '../common/domain-error';
import type { CollectedBody } from '../common/validate-body';
import { TemporalGateway } from '../temporal/temporal.gateway';
import type { DepositPassportDto, HandOutPassportDto } from './passport.dto';

/** A passport as anyone outside the vault sees it: the number masked to its last three characters. */
export function toPassportView(p: PassportEntity) {
  return {
    id: p.id,
    employeeEmail: p.employeeEmail,
    passportNumber: maskedPassport(p.numberLast3),
    issuingCountry: p.issuingCountry,
    expiryDate: p.expiryDate,
    status: p.status,
    releaseRequestId: p.releaseRequestId,
    handedOutBy: p.handedOutBy,
    handedOutAt: p.handedOutAt,
    releasedAt: p.releasedAt,
    dueBackAt: p.dueBackAt,
    returnedAt: p.returnedAt,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export type PassportView = ReturnType<typeof toPassportView>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The custody ledger: custodians deposit and take back passports; releases come from approved requests. */
@Injectable()
export class PassportsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(PassportsService.name);

  constructor(
    private readonly passports: PassportRepository,
    private readonly directory: DirectoryRepository,
    private readonly keyring: Keyring,
    private readonly temporal: TemporalGateway,
  ) {}

  /**
   * Fingerprints the rows stored before fingerprints existed (migration 1763900007700 cannot reach
   * the keys). Runs on every start; after the first it finds nothing to do.
   */
  async onApplicationBootstrap(): Promise<void> {
    const report = await this.passports.backfillFingerprints((row) => {
      try {
        return passportFingerprint(
          this.keyring,
          row.numberKeyId,
          row.issuingCountry,
          openPassportNumber(this.keyring, row),
        );
      } catch {
        return null; // its key is not configured: left for key rotation to report
      }
    });
    if (report.filled > 0) this.logger.log(`fingerprinted ${report.filled} passports stored before fingerprints`);
    if (report.duplicates.length > 0) {
      this.logger.warn(
        `passports ${report.duplicates.join(', ')} duplicate another active record of the same passport: resolve them in the ledger`,
      );
    }
    if (report.unreadable.length > 0) {
      this.logger.warn(`passports ${report.unreadable.join(', ')} could not be opened to fingerprint`);
    }
  }

  /** Records a passport deposited by a custodian; refuses the whole body at once when any field is wrong. */
  async deposit(custodian: Person, { value: dto, fields }: CollectedBody<DepositPassportDto>): Promise<PassportView> {
    const problems = [...fields];
    if (!problems.some((f) => f.field === 'expiryDate') && dto.expiryDate < todayUtc()) {
      problems.push({
        field: 'expiryDate',
        messages: ['expiryDate is in the past: an expired passport cannot be held for travel'],
      });
    }
    if (problems.length > 0) throw DomainError.validation(problems);
    const employeeEmail = dto.employeeEmail.toLowerCase();
    if (!(await this.directory.findPerson(employeeEmail))) {
      throw DomainError.validation([
        { field: 'employeeEmail', messages: [`${employeeEmail} is not in the directory`] },
      ]);
    }
    const id = randomUUID();
    const number = dto.passportNumber.toUpperCase();
    const issuingCountry = dto.issuingCountry.toUpperCase();
    const sealed = sealPassportNumber(this.keyring, id, number);
    try {
      const passport = await this.passports.deposit(
        {
          id,
          employeeEmail,
          ...sealed,
          numberFingerprint: passportFingerprint(this.keyring, sealed.numberKeyId, issuingCountry, number),
          numberLast3: number.slice(-3),
          issuingCountry,
          expiryDate: dto.expiryDate,
          depositedBy: custodian.email,
          createdAt: new Date().toISOString(),
        },
        passportFingerprints(this.keyring, issuingCountry, number),
      );
      return toPassportView(passport);
    } catch (error) {
      if (!(error instanceof PassportAlreadyActiveError)) throw error;
      const where = error.existing
        ? ` (record ${error.existing.id}, ${label(error.existing.status).toLowerCase()})`
        : '';
      throw new DomainError(
        'PASSPORT_IN_CUSTODY',
        `passport ${maskedPassport(number.slice(-3))} issued by ${issuingCountry} is already in the ledger${where}: one passport has one active record; find it there instead of depositing it again`,
      );
    }
  }

  /**
   * The custodian hands a passport ready for hand-out to its holder, having checked their
   * identity: the custody workflow records it and starts the due date.
   */
  async handOut(
    custodian: Person,
    id: string,
    { value: dto, fields }: CollectedBody<HandOutPassportDto>,
  ): Promise<PassportView> {
    if (fields.length > 0) throw DomainError.validation(fields);
    const passport = UUID.test(id) ? await this.passports.findById(id.toLowerCase()) : null;
    if (!passport) throw new DomainError('NOT_FOUND', `passport ${id.slice(0, 64)} not found`);
    const requestId = dto.requestId.toLowerCase();
    if (passport.status !== 'ready_for_hand_out' || passport.releaseRequestId !== requestId) {
      throw new DomainError(
        'PASSPORT_NOT_READY',
        passport.releaseRequestId === requestId && passport.status !== 'in_custody'
          ? 'the passport has already been handed out for this request'
          : `the passport is not ready for hand-out for request ${requestId}: it is ${label(passport.status).toLowerCase()}`,
      );
    }
    try {
      await this.temporal.updateWorkflow(
        { workflowId: custodyWorkflowIdFor(passport.id, requestId), requestId },
        handOutPassportUpdate,
        { by: custodian.email, at: new Date().toISOString(), identityChecked: true },
      );
    } catch (error) {
      // Readied a moment ago: its custody workflow starts right after the ledger says so.
      if (error instanceof DomainError && error.code === 'REQUEST_NOT_PENDING') {
        throw new DomainError('PASSPORT_NOT_READY', 'the hand-out is still being prepared; try again in a moment');
      }
      throw error;
    }
    return toPassportView((await this.passports.findById(passport.id))!);
  }

  /**
   * Custodians, security, auditors and admins see any passport (or one employee's); others only
   * their own. A page at a time, newest first, like the requests list.
   */
  async list(
    person: Person,
    options: { employee?: string; statuses?: PassportStatus[]; dueBy?: string; limit: number; cursor?: string },
  ): Promise<{ items: PassportView[]; nextCursor: string | null }> {
    const seesAll =
      person.roles.some((r) => r === 'custodian' || r === 'auditor' || r === 'admin') ||
      person.parties.some((m) => m.party === 'security');
    const wanted = options.employee?.trim().toLowerCase();
    if (!seesAll && wanted !== undefined && wanted !== person.email) {
      throw new DomainError('FORBIDDEN', 'you may see only your own passports');
    }
    const rows = await this.passports.list({
      employeeEmail: seesAll ? wanted : person.email,
      statuses: options.statuses,
      dueBy: options.dueBy,
      limit: options.limit + 1,
      cursor: options.cursor ? decodeCursor(options.cursor) : undefined,
    });
    const page = rows.slice(0, options.limit);
    return {
      items: page.map(toPassportView),
      nextCursor: rows.length > options.limit ? encodeCursor(page[page.length - 1]) : null,
    };
  }

  /** A released passport back in custody: the custody workflow records the return. */
  async returned(custodian: Person, id: string): Promise<PassportView> {
    const passport = UUID.test(id) ? await this.passports.findById(id.toLowerCase()) : null;
    if (!passport) throw new DomainError('NOT_FOUND', `passport ${id.slice(0, 64)} not found`);
    if (passport.status === 'in_custody' || !passport.releaseRequestId) {
      throw new DomainError('PASSPORT_IN_CUSTODY', 'the passport is already in custody');
    }
    if (passport.status === 'ready_for_hand_out') {
      throw new DomainError('PASSPORT_NOT_READY', 'the passport has not been handed out yet: it is still in custody');
    }
    const requestId = passport.releaseRequestId;
    await this.temporal.updateWorkflow(
      { workflowId: custodyWorkflowIdFor(passport.id, requestId), requestId },
      returnPassportUpdate,
      {
        by: custodian.email,
        at: new Date().toISOString(),
      },
    );
    return toPassportView((await this.passports.findById(passport.id))!);
  }
}
