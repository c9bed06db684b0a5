import { Injectable } from '@nestjs/common';
import { LinkTokenError, LinkTokens, type LinkClaims } from '../../../libs/crypto';
import { isMemberOf, type Person } from '../../../libs/domain/person';
import type { Party } from '../../../libs/domain/vocabulary';
import { ConflictCheck, DirectoryRepository, RequestRepository, type StepUpCheck } from '../../../libs/persistence';
import { DomainError } from '../common/domain-error';
import { collectErrors } from '../common/validate-body';
import { DelegationService } from '../delegation/delegation.service';
import { DecisionDto } from '../requests/request.dto';
import { toRequestView, type RequestView } from '../requests/request-view';
import { RequestsService } from '../requests/requests.service';
import { StepUpService } from './step-up.service';

/** The decision form behind an approval link, as posted (read, not yet validated). */
export interface LinkDecisionForm {
  decision: unknown;
  comment?: string;
  conditions?: string[];
  /** The step-up code, '' when none was entered. */
  code: string;
}

/** Why a link opens no decision: the page says which, and that nothing was recorded. */
export type LinkRefusal =
  | { kind: 'link_invalid' }
  | { kind: 'link_expired' }
  | { kind: 'request_not_found' }
  | { kind: 'not_member'; party: Party; onBehalfOf: string | null }
  | { kind: 'delegation_ended'; onBehalfOf: string }
  | {
      kind: 'already_decided';
      party: Party;
      /** The party's approval once someone decided it; absent when the request closed without them. */
      decided?: { by: string; at: string | null; status: string };
      requestStatus: string | null;
      view?: RequestView;
    }
  | { kind: 'link_replaced'; view: RequestView };

/** Everything the page behind an approval link may answer; approval-pages renders each. */
export type LinkOutcome =
  | LinkRefusal
  | { kind: 'open'; view: RequestView; party: Party; reasons: string[] }
  | { kind: 'decision_invalid'; problems: string; view: RequestView }
  | {
      kind: 'code_sent';
      view: RequestView;
      party: Party;
      form: { decision: string; comment: string; conditions: string };
    }
  | { kind: 'code_refused'; problem: Exclude<StepUpCheck, 'ok'>; view: RequestView }
  | { kind: 'decision_refused'; error: DomainError; view: RequestView }
  | { kind: 'decision_recorded'; decision: DecisionDto['decision']; party: Party; view: RequestView };

/** A link that verified and still awaits its party's decision. */
interface OpenLink {
  token: string;
  claims: LinkClaims;
  person: Person;
  view: RequestView;
  reasons: string[];
}

/**
 * The approval link in an email. Opening it records nothing (mail scanners fetch links); posting the
 * form records the decision. The signed token is the credential: bound to one request, party,
 * recipient and round, expiring, and usable once.
 */
@Injectable()
export class ApprovalLinksService {
  constructor(
    private readonly tokens: LinkTokens,
    private readonly requests: RequestRepository,
    private readonly directory: DirectoryRepository,
    private readonly delegation: DelegationService,
    private readonly stepUp: StepUpService,
    private readonly decisions: RequestsService,
    private readonly conflicts: ConflictCheck,
  ) {}

  /** The decision form for a link, or why there is none. */
  async show(token: string): Promise<LinkOutcome> {
    const link = await this.open(token);
    if ('kind' in link) return link;
    return { kind: 'open', view: link.view, party: link.claims.party, reasons: link.reasons };
  }

  /** Records the decision posted through a link: validated, confirmed with a code for custody, then sent to the workflow. */
  async decide(token: string, form: LinkDecisionForm): Promise<LinkOutcome> {
    const link = await this.open(token);
    if ('kind' in link) return link;
    const { code, ...answer } = form;
    const { value, fields } = collectErrors(DecisionDto, { party: link.claims.party, ...answer });
    const missingComment = value.decision !== 'approve' && !value.comment?.trim();
    if (fields.length > 0 || missingComment) {
      const problems =
        fields.length > 0
          ? fields.flatMap((f) => f.messages).join('; ')
          : 'a comment is required to reject or request changes';
      return { kind: 'decision_invalid', problems, view: link.view };
    }
    let via: 'email' | 'email-otp' = 'email';
    if (this.stepUp.required(link.view)) {
      if (!code) {
        await this.stepUp.issueCode(link);
        const kept = {
          decision: value.decision,
          comment: value.comment ?? '',
          conditions: (value.conditions ?? []).join('\n'),
        };
        return { kind: 'code_sent', view: link.view, party: link.claims.party, form: kept };
      }
      const checked = await this.stepUp.check(link, code);
      if (checked !== 'ok') return { kind: 'code_refused', problem: checked, view: link.view };
      via = 'email-otp';
    }
    try {
      const view = await this.decisions.decide(link.person, link.claims.requestId, value, via, {
        onBehalfOf: link.claims.onBehalfOf ?? null,
      });
      return { kind: 'decision_recorded', decision: value.decision, party: link.claims.party, view };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.status === 409) return this.alreadyDecided(link.claims);
      return { kind: 'decision_refused', error, view: link.view };
    }
  }

  /** Verifies the token and that its recipient may still decide, for this party, in this round. */
  private async open(token: string): Promise<LinkRefusal | OpenLink> {
    let claims: LinkClaims;
    try {
      claims = await this.tokens.verify(token);
    } catch (error) {
      const expired = error instanceof LinkTokenError && error.problem === 'expired';
      return { kind: expired ? 'link_expired' : 'link_invalid' };
    }
    const stored = await this.requests.findById(claims.requestId);
    const person = await this.directory.findPerson(claims.recipient);
    const approval = stored?.approvals.find((a) => a.party === claims.party);
    if (!stored || !approval || !person) return { kind: 'request_not_found' };
    const principal = claims.onBehalfOf ? await this.directory.findPerson(claims.onBehalfOf) : person;
    // a member of the party, or the reviewer an admin assigned to it on this request
    const mayReview =
      !!principal &&
      (isMemberOf(principal, claims.party) ||
        (!claims.onBehalfOf && (await this.conflicts.isAssigned(stored.request.id, claims.party, person.email))));
    if (!mayReview) {
      return { kind: 'not_member', party: claims.party, onBehalfOf: claims.onBehalfOf ?? null };
    }
    if (claims.onBehalfOf && !(await this.delegation.standsInFor(person.email, claims.onBehalfOf))) {
      return { kind: 'delegation_ended', onBehalfOf: claims.onBehalfOf };
    }
    const view = toRequestView(stored, 'reviewer');
    if (approval.status !== 'pending' || stored.request.status !== 'pending') return this.alreadyDecided(claims);
    if (stored.request.round !== claims.round) return { kind: 'link_replaced', view };
    return { token, claims, person, view, reasons: approval.reasons };
  }

  /** Who decided the link's party and how, read afresh (a decision may have just landed). */
  private async alreadyDecided(claims: LinkClaims): Promise<LinkRefusal> {
    const stored = await this.requests.findById(claims.requestId);
    const approval = stored?.approvals.find((a) => a.party === claims.party);
    return {
      kind: 'already_decided',
      party: claims.party,
      ...(approval?.decidedBy
        ? { decided: { by: approval.decidedBy, at: approval.decidedAt ?? null, status: approval.status } }
        : {}),
      requestStatus: stored?.request.status ?? null,
      view: stored ? toRequestView(stored, 'reviewer') : undefined,
    };
  }
}
