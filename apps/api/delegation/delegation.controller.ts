import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsEmail, Matches, MaxLength } from 'class-validator';
import type { Person } from '../../../libs/domain/person';
import { DelegationRepository, DirectoryRepository, type Delegation } from '../../../libs/persistence';
import { CurrentPerson } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { collectErrors } from '../common/validate-body';

export class DelegationDto {
  @ApiProperty({ example: 'hr-lead@example.com' })
  @IsEmail({}, { message: 'delegateEmail must be an email address' })
  @MaxLength(254)
  delegateEmail!: string;

  @ApiProperty({ example: '2027-03-01', description: 'first day, inclusive' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be a date in the form YYYY-MM-DD' })
  from!: string;

  @ApiProperty({ example: '2027-03-14', description: 'last day, inclusive' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'until must be a date in the form YYYY-MM-DD' })
  until!: string;
}

function view(delegation: Delegation | null) {
  if (!delegation) return { delegation: null };
  const today = new Date().toISOString().slice(0, 10);
  return {
    delegation: {
      delegatorEmail: delegation.delegatorEmail,
      delegateEmail: delegation.delegateEmail,
      from: delegation.startsOn,
      until: delegation.endsOn,
      active: delegation.startsOn <= today && today <= delegation.endsOn,
    },
  };
}

const isDate = (v: string) =>
  !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

/**
 * An approver's stand-in while away: the delegate receives the approver's emails and may decide
 * for them ("X on behalf of Y"). No chains: a delegate cannot delegate onward, and nobody can
 * delegate to someone who is away themselves.
 */
@ApiTags('delegation')
@ApiBearerAuth()
@Controller('api/me/delegation')
export class DelegationController {
  constructor(
    private readonly delegations: DelegationRepository,
    private readonly directory: DirectoryRepository,
  ) {}

  @Get()
  @ApiOperation({ summary: 'My delegation, if any' })
  async get(@CurrentPerson() person: Person) {
    return view(await this.delegations.ofDelegator(person.email));
  }

  @Put()
  @ApiOperation({ summary: 'Set (or replace) my delegation for a period' })
  @ApiBody({ type: DelegationDto })
  async put(@CurrentPerson() person: Person, @Body() body: unknown) {
    const { value: dto, fields } = collectErrors(DelegationDto, body);
    const today = new Date().toISOString().slice(0, 10);
    const bad = new Set(fields.map((f) => f.field));
    const problems = [...fields];
    const check = (field: string, ok: boolean, message: string) => {
      if (!bad.has(field) && !ok) {
        bad.add(field);
        problems.push({ field, messages: [message] });
      }
    };
    check('from', isDate(dto.from), 'from is not a real date');
    check('until', isDate(dto.until), 'until is not a real date');
    check('until', bad.has('from') || dto.until >= dto.from, 'until must not be before from');
    check('until', dto.until >= today, 'until must not be in the past');
    check('delegateEmail', dto.delegateEmail?.toLowerCase() !== person.email, 'you cannot delegate to yourself');
    if (problems.length > 0) throw DomainError.validation(problems);
    const delegateEmail = dto.delegateEmail.toLowerCase();
    if (person.parties.length === 0) throw new DomainError('FORBIDDEN', 'only approvers (members of a party) delegate');
    const delegate = await this.directory.findPerson(delegateEmail);
    if (!delegate)
      throw DomainError.validation([
        { field: 'delegateEmail', messages: [`${delegateEmail} is not in the directory`] },
      ]);

    const onward = (await this.delegations.toDelegateOverlapping(person.email, dto.from, dto.until)).filter(
      (d) => d.delegatorEmail !== delegateEmail,
    );
    if (onward.length > 0) {
      throw new DomainError(
        'DELEGATION_CHAIN',
        `you stand in for ${onward[0].delegatorEmail} in that period and cannot delegate onward`,
      );
    }
    const delegatesOwn = await this.delegations.ofDelegator(delegateEmail);
    if (delegatesOwn && delegatesOwn.startsOn <= dto.until && dto.from <= delegatesOwn.endsOn) {
      throw new DomainError(
        'DELEGATION_CHAIN',
        `${delegateEmail} is away in that period (delegated to ${delegatesOwn.delegateEmail})`,
      );
    }
    const delegation = { delegatorEmail: person.email, delegateEmail, startsOn: dto.from, endsOn: dto.until };
    await this.delegations.save(delegation);
    return view(delegation);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'End my delegation' })
  async remove(@CurrentPerson() person: Person): Promise<void> {
    await this.delegations.remove(person.email);
  }
}
