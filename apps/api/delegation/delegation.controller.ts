import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Person } from '@libs/domain/person';
import { CurrentPerson } from '../auth/auth.decorators';
import { collectErrors } from '../common/validate-body';
import { DelegationDto } from './delegation.dto';
import { DelegationService, type DelegationView } from './delegation.service';

/** An approver's stand-in while away; the rules live in DelegationService. */
@ApiTags('delegation')
@ApiBearerAuth()
@Controller('api/me/delegation')
export class DelegationController {
  constructor(private readonly delegation: DelegationService) {}

  @Get()
  @ApiOperation({ summary: 'My delegation, if any' })
  get(@CurrentPerson() person: Person): Promise<DelegationView> {
    return this.delegation.of(person);
  }

  @Put()
  @ApiOperation({ summary: 'Set (or replace) my delegation for a period' })
  @ApiBody({ type: DelegationDto })
  put(@CurrentPerson() person: Person, @Body() body: unknown): Promise<DelegationView> {
    return this.delegation.set(person, collectErrors(DelegationDto, body));
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'End my delegation' })
  async remove(@CurrentPerson() person: Person): Promise<void> {
    await this.delegation.end(person);
  }
}
