import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { PASSPORT_STATUSES, type PassportStatus } from '@libs/persistence';
import type { Person } from '@libs/domain/person';
import { CurrentPerson, Roles } from '../auth/auth.decorators';
import { parseLimit } from '../common/cursor';
import { DomainError } from '../common/domain-error';
import { collectErrors } from '../common/validate-body';
import { DepositPassportDto, HandOutPassportDto } from './passport.dto';
import { PassportsService, type PassportView } from './passports.service';

/** The custody ledger over HTTP; the rules live in PassportsService. */
@ApiTags('passports')
@ApiBearerAuth()
@Controller('api/passports')
export class PassportsController {
  constructor(private readonly passports: PassportsService) {}

  @Post()
  @Roles('custodian')
  @ApiOperation({ summary: 'Record a passport deposited into custody' })
  @ApiBody({ type: DepositPassportDto })
  deposit(@CurrentPerson() person: Person, @Body() body: unknown): Promise<PassportView> {
    return this.passports.deposit(person, collectErrors(DepositPassportDto, body));
  }

  @Get()
  @ApiOperation({
    summary:
      'Passports in the ledger, newest first, a page at a time (custodians, security, auditors, admins: any; employees: their own)',
  })
  @ApiQuery({ name: 'employee', required: false })
  @ApiQuery({
    name: 'status',
    required: false,
    description: 'in_custody, ready_for_hand_out, released, overdue; several comma-separated',
  })
  @ApiQuery({
    name: 'dueWithinDays',
    required: false,
    description: 'only passports due back within this many days from now (0 to 365): "due back soon"',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 100, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  list(
    @CurrentPerson() person: Person,
    @Query() query: Record<string, unknown>,
  ): Promise<{ items: PassportView[]; nextCursor: string | null }> {
    const { employee, status, cursor, dueWithinDays } = query;
    for (const [field, value] of Object.entries({ employee, status, cursor, dueWithinDays })) {
      if (value !== undefined && typeof value !== 'string') {
        throw DomainError.validation([{ field, messages: [`${field} must be given at most once`] }]);
      }
    }
    const statuses = typeof status === 'string' && status !== '' ? status.split(',').map((s) => s.trim()) : undefined;
    const unknown = statuses?.filter((s) => !(PASSPORT_STATUSES as readonly string[]).includes(s)) ?? [];
    if (unknown.length > 0) {
      throw DomainError.validation([
        { field: 'status', messages: [`status must be among ${PASSPORT_STATUSES.join(', ')}`] },
      ]);
    }
    const days = dueWithinDays === undefined ? undefined : Number(dueWithinDays);
    if (days !== undefined && !(/^\d+$/.test(dueWithinDays as string) && days <= 365)) {
      throw DomainError.validation([
        { field: 'dueWithinDays', messages: ['dueWithinDays must be a whole number of days, 0 to 365'] },
      ]);
    }
    return this.passports.list(person, {
      employee: employee as string | undefined,
      statuses: statuses as PassportStatus[] | undefined,
      dueBy: days === undefined ? undefined : new Date(Date.now() + days * 86_400_000).toISOString(),
      limit: parseLimit(query.limit, 50),
      cursor: (cursor as string | undefined) || undefined,
    });
  }

  @Post(':id/hand-out')
  @HttpCode(200)
  @Roles('custodian')
  @ApiOperation({ summary: 'Record a passport ready for hand-out as handed to its holder, identity checked' })
  @ApiBody({ type: HandOutPassportDto })
  handOut(@CurrentPerson() person: Person, @Param('id') id: string, @Body() body: unknown): Promise<PassportView> {
    return this.passports.handOut(person, id, collectErrors(HandOutPassportDto, body));
  }

  @Post(':id/return')
  @HttpCode(200)
  @Roles('custodian')
  @ApiOperation({ summary: 'Record a released passport back in custody' })
  returned(@CurrentPerson() person: Person, @Param('id') id: string): Promise<PassportView> {
    return this.passports.returned(person, id);
  }
}
