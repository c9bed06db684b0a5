import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { returnPassportUpdate, custodyWorkflowIdFor } from '../../../libs/contracts';
import { Keyring, sealPassportNumber } from '../../../libs/crypto';
import type { Person } from '../../../libs/domain/person';
import { maskedPassport } from '../../../libs/mail';
import {
  DirectoryRepository,
  PassportRepository,
  type PassportEntity,
  type PassportStatus,
} from '../../../libs/persistence';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { DomainError } from '../common/domain-error';
import type { CollectedBody } from '../common/validate-body';
import { TemporalGateway } from '../temporal/temporal.gateway';
import type { DepositPassportDto } from './passport.dto';

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
export class PassportsService {
  constructor(
    private readonly passports: PassportRepository,
    private readonly directory: DirectoryRepository,
    private readonly keyring: Keyring,
    private readonly temporal: TemporalGateway,
  ) {}

  /** Records a passport deposited by a custodian; refuses the whole body at once when any field is wrong. */
  async deposit(custodian: Person, { value: dto, fields }: CollectedBody<DepositPassportDto>): Promise<PassportView> {
    const problems = [...fields];
    if (!problems.some((f) => f.field === 'expiryDate') && dto.expiryDate < new Date().toISOString().slice(0, 10)) {
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
    const passport = await this.passports.deposit({
      id,
      employeeEmail,
      ...sealPassportNumber(this.keyring, id, number),
      numberLast3: number.slice(-3),
      issuingCountry: dto.issuingCountry.toUpperCase(),
      expiryDate: dto.expiryDate,
      depositedBy: custodian.email,
      createdAt: new Date().toISOString(),
    });
    return toPassportView(passport);
  }

  /**
   * Custodians, security, auditors and admins see any passport (or one employee's); others only
   * their own. A page at a time, newest first, like the requests list.
   */
  async list(
    person: Person,
    options: { employee?: string; statuses?: PassportStatus[]; limit: number; cursor?: string },
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
