import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { IsEmail, IsISO31661Alpha2, Matches, MaxLength } from 'class-validator';
import { returnPassportUpdate, custodyWorkflowIdFor } from '../../../libs/contracts';
import { Keyring, sealPassportNumber } from '../../../libs/crypto';
import type { Person } from '../../../libs/domain/person';
import { maskedPassport } from '../../../libs/mail';
import { DirectoryRepository, PassportRepository, type PassportEntity } from '../../../libs/persistence';
import { CurrentPerson, Roles } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { collectErrors } from '../common/validate-body';
import { TemporalGateway } from '../temporal/temporal.gateway';

export class DepositPassportDto {
  @ApiProperty({ example: 'alice@example.com' })
  @IsEmail({}, { message: 'employeeEmail must be an email address' })
  @MaxLength(254)
  employeeEmail!: string;

  @ApiProperty({ example: 'M12345678', description: 'stored encrypted; answered masked' })
  @Matches(/^[A-Za-z0-9]{6,20}$/, { message: 'passportNumber must be 6 to 20 letters and digits' })
  passportNumber!: string;

  @ApiProperty({ example: 'KR' })
  @IsISO31661Alpha2({ message: 'issuingCountry must be an ISO 3166-1 alpha-2 country code' })
  issuingCountry!: string;

  @ApiProperty({ example: '2031-05-31' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'expiryDate must be a date in the form YYYY-MM-DD' })
  expiryDate!: string;
}

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The custody ledger: custodians deposit and take back passports; releases come from approved requests. */
@ApiTags('passports')
@ApiBearerAuth()
@Controller('api/passports')
export class PassportsController {
  constructor(
    private readonly passports: PassportRepository,
    private readonly directory: DirectoryRepository,
    private readonly keyring: Keyring,
    private readonly temporal: TemporalGateway,
  ) {}

  @Post()
  @Roles('custodian')
  @ApiOperation({ summary: 'Record a passport deposited into custody' })
  @ApiBody({ type: DepositPassportDto })
  async deposit(@CurrentPerson() person: Person, @Body() body: unknown) {
    const { value: dto, fields } = collectErrors(DepositPassportDto, body);
    const today = new Date().toISOString().slice(0, 10);
    if (!fields.some((f) => f.field === 'expiryDate')) {
      const real = new Date(`${dto.expiryDate}T00:00:00Z`);
      if (Number.isNaN(real.getTime()) || !real.toISOString().startsWith(dto.expiryDate)) {
        fields.push({ field: 'expiryDate', messages: ['expiryDate is not a real date'] });
      } else if (dto.expiryDate < today) {
        fields.push({
          field: 'expiryDate',
          messages: ['expiryDate is in the past: an expired passport cannot be held for travel'],
        });
      }
    }
    if (fields.length > 0) throw DomainError.validation(fields);
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
      depositedBy: person.email,
      createdAt: new Date().toISOString(),
    });
    return toPassportView(passport);
  }

  @Get()
  @ApiOperation({
    summary: 'Passports in the ledger (custodians, security, auditors, admins: any; employees: their own)',
  })
  async list(@CurrentPerson() person: Person, @Query('employee') employee?: string) {
    const seesAll =
      person.roles.some((r) => r === 'custodian' || r === 'auditor' || r === 'admin') ||
      person.parties.some((m) => m.party === 'security');
    if (employee !== undefined && typeof employee !== 'string') {
      throw DomainError.validation([{ field: 'employee', messages: ['employee must be given at most once'] }]);
    }
    const wanted = employee?.trim().toLowerCase();
    if (!seesAll && wanted !== undefined && wanted !== person.email) {
      throw new DomainError('FORBIDDEN', 'you may see only your own passports');
    }
    const rows = await this.passports.list(seesAll ? wanted : person.email);
    return { items: rows.map(toPassportView) };
  }

  @Post(':id/return')
  @HttpCode(200)
  @Roles('custodian')
  @ApiOperation({ summary: 'Record a released passport back in custody' })
  async returned(@CurrentPerson() person: Person, @Param('id') id: string) {
    const passport = UUID.test(id) ? await this.passports.findById(id.toLowerCase()) : null;
    if (!passport) throw new DomainError('NOT_FOUND', `passport ${id.slice(0, 64)} not found`);
    if (passport.status === 'in_custody' || !passport.releaseRequestId) {
      throw new DomainError('PASSPORT_IN_CUSTODY', 'the passport is already in custody');
    }
    await this.temporal.updateWorkflow(
      custodyWorkflowIdFor(passport.id, passport.releaseRequestId),
      returnPassportUpdate,
      {
        by: person.email,
        at: new Date().toISOString(),
      },
    );
    return toPassportView((await this.passports.findById(passport.id))!);
  }
}
