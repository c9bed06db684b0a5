import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { delegationPeriodProblems, delegationSettingsOf, partiesTheDelegateLacks } from '@libs/domain/delegation';
import { isMemberOf, type Person } from '@libs/domain/person';
import type { Party } from '@libs/domain/vocabulary';
import { Mailer, renderNotice } from '@libs/mail';
import {
  AuditLogRepository,
  DelegationRepository,
  DirectoryRepository,
  PolicyRepository,
  type AuditEvent,
  type Delegation,
} from '@libs/persistence';
import { DomainError, type FieldError } from '../common/domain-error';
import type { CollectedBody } from '../common/validate-body';
import type { DelegationDto } from './delegation.dto';
import { todayUtc } from '@libs/domain/calendar-date';

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

type DelegationChange = 'delegation.set' | 'delegation.changed' | 'delegation.ended';

const HEADLINE: Record<DelegationChange, string> = {
  'delegation.set': 'Delegation set',
  'delegation.changed': 'Delegation changed',
  'delegation.ended': 'Delegation ended',
};

/**
 * An approver's stand-in while away: the delegate receives the approver's emails and may decide
 * for them ("X on behalf of Y"). The delegate is a fellow member or a lead of every party the
 * approver belongs to, for at most the policy's `delegation.maxDays`, starting today or later. No
 * chains: a delegate cannot delegate onward, and nobody can delegate to someone who is away
 * themselves. Setting, changing and ending one is written to the audit chain and mailed to the
 * parties' leads in the same transaction: when the leads cannot be told, nothing changes.
 */
@Injectable()
export class DelegationService {
  constructor(
    private readonly delegations: DelegationRepository,
    private readonly directory: DirectoryRepository,
    private readonly policies: PolicyRepository,
    private readonly audit: AuditLogRepository,
    private readonly mailer: Mailer,
  ) {}

  async of(delegator: Person): Promise<DelegationView> {
    return toDelegationView(await this.delegations.ofDelegator(delegator.email));
  }

  /** Sets (or replaces) the actor's delegation; refuses the whole body at once when any field is wrong. */
  async set(actor: Person, input: CollectedBody<DelegationDto>): Promise<DelegationView> {
    const problems = await this.problems(actor, input);
    if (problems.length > 0) throw DomainError.validation(problems);
    if (actor.parties.length === 0) throw new DomainError('FORBIDDEN', 'only approvers (members of a party) delegate');
    const { from, until } = input.value;
    const delegateEmail = input.value.delegateEmail.toLowerCase();

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
    const delegation: Delegation = {
      delegatorEmail: actor.email,
      delegateEmail,
      startsOn: from,
      endsOn: until,
      setAt: new Date().toISOString(),
    };
    await this.recorded(actor, async (manager) => {
      const previous = await this.delegations.ofDelegator(actor.email, manager);
      await this.delegations.save(delegation, manager);
      return previous
        ? { event: 'delegation.changed', delegation, previous }
        : { event: 'delegation.set', delegation, previous: null };
    });
    return toDelegationView(delegation);
  }

  /** Ends the actor's delegation, if there is one (ending none changes and records nothing). */
  async end(delegator: Person): Promise<void> {
    await this.recorded(delegator, async (manager) => {
      const previous = await this.delegations.ofDelegator(delegator.email, manager);
      if (!previous) return null;
      await this.delegations.remove(delegator.email, manager);
      return { event: 'delegation.ended', delegation: previous, previous: null };
    });
  }

  /**
   * Whether `delegateEmail` stands in for `delegatorEmail` today, for `party`: only while the delegate
   * is a member or lead of it (a delegation stored before that rule, or whose delegate has since left
   * the party, stands in for nothing).
   */
  async standsInFor(delegateEmail: string, delegatorEmail: string, party: Party): Promise<boolean> {
    const delegation = await this.delegations.activeFor(delegatorEmail, todayUtc());
    if (delegation?.delegateEmail !== delegateEmail) return false;
    const delegate = await this.directory.findPerson(delegateEmail);
    return !!delegate && isMemberOf(delegate, party);
  }

  /**
   * Runs a change in one transaction with its audit row and the leads' notice: the row commits
   * with the change, and a notice that cannot be sent rolls both back (503, try again).
   */
  private async recorded(
    actor: Person,
    change: (
      manager: EntityManager,
    ) => Promise<{ event: DelegationChange; delegation: Delegation; previous: Delegation | null } | null>,
  ): Promise<void> {
    const parties = actor.parties.map((m) => m.party);
    const leads = new Set<string>();
    for (const party of parties) {
      for (const member of await this.directory.partyMembers(party)) {
        if (member.lead && member.email !== actor.email) leads.add(member.email);
      }
    }
    await this.audit.writeTransaction(async (manager) => {
      const done = await change(manager);
      if (!done) return;
      const { event, delegation, previous } = done;
      const payload = {
        delegatorEmail: delegation.delegatorEmail,
        delegateEmail: delegation.delegateEmail,
        from: delegation.startsOn,
        until: delegation.endsOn,
        parties,
        ...(previous
          ? { previous: { delegateEmail: previous.delegateEmail, from: previous.startsOn, until: previous.endsOn } }
          : {}),
      };
      await this.audit.append([{ event: event satisfies AuditEvent, actor: actor.email, payload }], manager);
      await this.tellLeads([...leads], actor, event, delegation, parties);
    });
  }

  private async tellLeads(
    leads: string[],
    actor: Person,
    event: DelegationChange,
    delegation: Delegation,
    parties: string[],
  ): Promise<void> {
    const who = `${actor.name} (${actor.email})`;
    const period = `from ${delegation.startsOn} until ${delegation.endsOn} (both days included)`;
    const what =
      event === 'delegation.ended'
        ? `${who} ended their delegation to ${delegation.delegateEmail} for ${parties.join(', ')}; they decide for themselves again.`
        : `${who} hands their decisions for ${parties.join(', ')} to ${delegation.delegateEmail} ${period}. The delegate receives their approval emails and decides on their behalf.`;
    const mail = renderNotice(
      `[Clearance] ${HEADLINE[event]}: ${actor.email} → ${delegation.delegateEmail}`,
      HEADLINE[event],
      [what, 'You are told as a lead of the party. The change is on the audit record; if it is unexpected, ask them.'],
    );
    try {
      for (const to of leads)
        await this.mailer.send({ to, messageId: `<delegation-${randomUUID()}@clearance>`, ...mail });
    } catch {
      throw new DomainError(
        'UNAVAILABLE',
        "the party's leads could not be told, so the delegation is unchanged; try again",
      );
    }
  }

  /**
   * The body's field errors, then the period's and the delegate's: one problem per field, the first
   * that applies. The cap is read from the policy in force.
   */
  private async problems(actor: Person, { value: dto, fields }: CollectedBody<DelegationDto>): Promise<FieldError[]> {
    const bad = new Set(fields.map((f) => f.field));
    const problems = [...fields];
    const add = (field: string, message: string) => {
      if (bad.has(field)) return;
      bad.add(field);
      problems.push({ field, messages: [message] });
    };
    // a body that is not an object, or refused keys, leave no value to check further (the fields say why)
    if (!bad.has('delegateEmail') && typeof dto.delegateEmail === 'string') {
      const email = dto.delegateEmail.toLowerCase();
      const delegate = email === actor.email ? null : await this.directory.findPerson(email);
      if (email === actor.email) add('delegateEmail', 'you cannot delegate to yourself');
      else if (!delegate) add('delegateEmail', `${email} is not in the directory`);
      else {
        const lacking = partiesTheDelegateLacks(actor, delegate);
        if (lacking.length > 0) {
          add(
            'delegateEmail',
            `${email} is not a member or lead of ${lacking.join(', ')}: a delegate is a fellow member of each party you delegate`,
          );
        }
      }
    }
    const { maxDays } = delegationSettingsOf(await this.policies.current());
    if (typeof dto.from === 'string' && typeof dto.until === 'string') {
      for (const p of delegationPeriodProblems({ from: dto.from, until: dto.until, today: todayUtc(), maxDays })) {
        add(p.field, p.message);
      }
    }
    return problems.sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field));
  }
}

/** Problems are listed in the form's order. */
const FIELD_ORDER = ['delegateEmail', 'from', 'until'];
