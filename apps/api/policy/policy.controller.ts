import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Person } from '@libs/domain/person';
import type { StoredPolicy } from '@libs/persistence';
import { CurrentPerson, Roles } from '../auth/auth.decorators';
import { CreateRequestDto } from '../requests/request.dto';
import { PolicyService } from './policy.service';

@ApiTags('policy')
@ApiBearerAuth()
@Controller('api/policy')
export class PolicyController {
  constructor(private readonly policy: PolicyService) {}

  @Get()
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'The policy version in force for new requests' })
  current(): Promise<StoredPolicy> {
    return this.policy.current();
  }

  @Get('versions')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'Every published version, newest first' })
  versions() {
    return this.policy.versions();
  }

  @Get('versions/:version')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'One published version' })
  async version(@Param('version') version: string): Promise<StoredPolicy> {
    return this.policy.version(version);
  }

  @Put()
  @Roles('admin')
  @ApiOperation({ summary: 'Validate and publish a new version (running requests keep theirs)' })
  @ApiHeader({
    name: 'X-Change-Reason',
    required: false,
    description:
      'Why this version is published (at most 2000 characters, UTF-8 percent-encoded where not ASCII): kept with ' +
      'the version as `changeReason` and in its policy.published audit entry. The body stays the policy document.',
  })
  async publish(
    @CurrentPerson() person: Person,
    @Body() body: unknown,
    @Headers('x-change-reason') reason?: string,
  ): Promise<StoredPolicy> {
    return this.policy.publish(person, body, reason);
  }

  @Post('validate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Check a policy document without publishing it: its problems, or the document as it would be stored',
  })
  validate(@Body() body: unknown) {
    return this.policy.validate(body);
  }

  @Post('simulate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary:
      'Policy impact before publishing: runs a draft over the requests submitted since a day and lists those it would ' +
      'route, block or require authorizations for differently than their pinned version did; changes nothing',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['policy', 'since'],
      properties: { policy: { type: 'object' }, since: { type: 'string', example: '2027-01-01' } },
    },
  })
  async simulate(@Body() body: unknown) {
    return this.policy.simulate(body);
  }

  @Post('evaluate')
  @ApiOperation({
    summary:
      'Dry run: the stages and parties a request would need, and why; records nothing but a dry run that hits the ' +
      'restricted-party list. Only admins and auditors see which entry matched and how closely.',
  })
  @ApiBody({ type: CreateRequestDto })
  async evaluate(
    @CurrentPerson() person: Person,
    @Body() body: unknown,
    @Query('tier') tier?: string,
    @Query('version') version?: string,
  ) {
    return this.policy.evaluate(person, body, tier, version);
  }
}
