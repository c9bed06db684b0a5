import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Person } from '../../../libs/domain/person';
import { CurrentPerson, Roles } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { collectErrors } from '../common/validate-body';
import { DepositPassportDto } from './passport.dto';
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
    summary: 'Passports in the ledger (custodians, security, auditors, admins: any; employees: their own)',
  })
  list(@CurrentPerson() person: Person, @Query('employee') employee?: string): Promise<{ items: PassportView[] }> {
    if (employee !== undefined && typeof employee !== 'string') {
      throw DomainError.validation([{ field: 'employee', messages: ['employee must be given at most once'] }]);
    }
    return this.passports.list(person, employee);
  }

  @Post(':id/return')
  @HttpCode(200)
  @Roles('custodian')
  @ApiOperation({ summary: 'Record a released passport back in custody' })
  returned(@CurrentPerson() person: Person, @Param('id') id: string): Promise<PassportView> {
    return this.passports.returned(person, id);
  }
}
