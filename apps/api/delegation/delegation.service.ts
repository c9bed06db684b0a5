import { Injectable } from '@nestjs/common';
import type { Person } from '../../../libs/domain/person';
import { DelegationRepository, DirectoryRepository, type Delegation } from '../../../libs/persistence';
import { DomainError, type FieldError } from '../common/domain-error';
import type { CollectedBody } from '../common/validate-body';
import type { DelegationDto } from './delegation.dto';

const todayUtc = () => new Date().toISOString().slice(0, 10);

export interface DelegationView {
  delegation: {
    delegatorEmail: string;
    delegateEmail: string;
    from: string;
    until: string;
    active: boolean;
  } | null;
}

function toDelegationView(delegation: Delegation | null): DelegationView {
  if (!delegation) return { delegation: null };
  const today = todayUtc();
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

/**
 * An approver's stand-in while away: the delegate receives the approver's emails and may decide
 * for them ("X on behalf of Y"). No chains: a delegate cannot delegate onward, and nobody can
 * delegate to someone who is away themselves.
 */
@Injectable()
export class DelegationService {
  constructor(
    private readonly delegations: DelegationRepository,
    private readonly directory: DirectoryRepository,
  ) {}

  async of(delegator: Person): Promise<DelegationView> {
    return toDelegationView(await this.delegations.ofDelegator(delegator.email));
  }

  /** Sets (or replaces) the actor's delegation; refuses the whole body at once when any field is wrong. */
  async set(actor: Person, input: CollectedBody<DelegationDto>): Promise<DelegationView> {
    const problems = this.periodProblems(actor, input);
    if (problems.length > 0) throw DomainError.validation(problems);
    const { from, until } = input.value;
    const delegateEmail = input.value.delegateEmail.toLowerCase();
    if (actor.parties.length === 0) throw new DomainError('FORBIDDEN', 'only approvers (members of a party) delegate');
    const delegate = await this.directory.findPerson(delegateEmail);
    if (!delegate)
      throw DomainError.validation([
        { field: 'delegateEmail', messages: [`${delegateEmail} is not in the directory`] },
      ]);

    const onward = (await this.delegations.toDelegateOverlapping(actor.email, from, until)).filter(
      (d) => d.delegatorEmail !== delegateEmail,
    );
    if (onward.length > 0) {
      throw new DomainError(
        'DELEGATION_CHAIN',
        `you stand in for ${onward[0].delegatorEmail} in that period and cannot delegate onward`,
      );
    }
    const delegatesOwn = await this.delegations.ofDelegator(delegateEmail);
    if (delegatesOwn && delegatesOwn.startsOn <= until && from <= delegatesOwn.endsOn) {
      throw new DomainError(
        'DELEGATION_CHAIN',
        `${delegateEmail} is away in that period (delegated to ${delegatesOwn.delegateEmail})`,
      );
    }
    const delegation = { delegatorEmail: actor.email, delegateEmail, startsOn: from, endsOn: until };
    await this.delegations.save(delegation);
    return toDelegationView(delegation);
  }

  async end(delegator: Person): Promise<void> {
    await this.delegations.remove(delegator.email);
  }

  /** Whether `delegateEmail` stands in for `delegatorEmail` today. */
  async standsInFor(delegateEmail: string, delegatorEmail: string): Promise<boolean> {
    const delegation = await this.delegations.activeFor(delegatorEmail, todayUtc());
    return delegation?.delegateEmail === delegateEmail;
  }

  /** The body's field errors plus the period's: one problem per field, the first that applies. */
  private periodProblems(actor: Person, { value: dto, fields }: CollectedBody<DelegationDto>): FieldError[] {
    const bad = new Set(fields.map((f) => f.field));
    const problems = [...fields];
    const check = (field: string, ok: boolean, message: string) => {
      if (!bad.has(field) && !ok) {
        bad.add(field);
        problems.push({ field, messages: [message] });
      }
    };
    check('until', bad.has('from') || dto.until >= dto.from, 'until must not be before from');
    check('until', dto.until >= todayUtc(), 'until must not be in the past');
    check('delegateEmail', dto.delegateEmail?.toLowerCase() !== actor.email, 'you cannot delegate to yourself');
    return problems;
  }
}
