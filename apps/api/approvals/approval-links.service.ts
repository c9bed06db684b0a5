import { Injectable } from '@nestjs/common';
import type { DecideInput } from '@libs/contracts';
import { LinkTokenError, LinkTokens, type LinkClaims } from '@libs/crypto';
import { isMemberOf, type Person } from '@libs/domain/person';
import type { Party } from '@libs/domain/vocabulary';
import {
  AuditLogRepository,
  ConflictCheck,
  DirectoryRepository,
  RequestRepository,
  type StepUpCheck,
  type StoredRequest,
} from '@libs/persistence';
import { AuthService } from '../auth/auth.service';
import { DomainError } from '../common/domain-error';
import { collectErrors } from '../common/validate-body';
import { DelegationService } from '../delegation/delegation.service';
import { DecisionPacketService, type PacketExtras } from '../requests/decision-packet.service';
import { DecisionDto } from '../requests/request.dto';
import { buildTimeline } from '../requests/request-timeline';
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
  /** The browser is signed in as someone who is neither the link's recipient nor their active delegate. */
  | { kind: 'not_your_link'; recipient: string; signedInAs: string }
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
  | {
      kind: 'open';
      view: RequestView;
      party: Party;
      reasons: string[];
      /** What each amendment changed, in words ("Amended by Carol Lee: …", route changes), oldest first. */
      amendments: string[];
      /** Set when a decision counts only signed in as the recipient (or with a code): whom to sign in as, and where. */
      signIn: SignIn | null;
      /** The requester's earlier requests the recipient sees as a member of the party, and what changed since it last decided. */
      extras: PacketExtras;
    }
  | { kind: 'decision_invalid'; problems: string; view: RequestView }
  | {
      kind: 'code_sent';
      view: RequestView;
      party: Party;
      form: { decision: string; comment: string; conditions: string };
      signIn: SignIn;
    }
  /** No code was sent: the link's codes for this hour are spent (until `nextAt`), or its budget of wrong codes is. */
  | { kind: 'code_held'; nextAt: string | null; view: RequestView; signIn: SignIn }
  | { kind: 'code_refused'; problem: Exclude<StepUpCheck, 'ok'>; view: RequestView }
  | { kind: 'decision_refused'; error: DomainError; view: RequestView }
  | { kind: 'decision_recorded'; decision: DecisionDto['decision']; party: Party; view: RequestView }
  /** The workflow engine did not answer after the decision was sent, and the records do not show it yet. */
  | { kind: 'decision_unconfirmed'; party: Party; view: RequestView };

/** Where the recipient signs in to decide through this link. */
export interface SignIn {
  as: string;
  url: string;
}

/** A link that verified and still awaits its party's decision. */
interface OpenLink {
  token: string;
  claims: LinkClaims;
  /** The link's recipient: the code goes to them. */
  person: Person;
  /** Who decides: the recipient, or their active delegate signed in. */
  actor: Person;
  onBehalfOf: string | null;
  /** Whether the browser is signed in as the actor. */
  signedIn: boolean;
  view: RequestView;
  stored: StoredRequest;
  reasons: string[];
}

/** How long the page looks for a decision whose answer was lost, before saying it cannot confirm it yet. */
const LOOK_UP_MS = 3_000;

/**
 * The approval link in an email. Opening it records nothing (mail scanners fetch links); posting the
 * form records the decision. The signed token is the credential: bound to one request, party,
 * recipient and round, expiring, and usable once. It decides only for its recipient: a browser
 * signed in as anyone else (but the recipient's active delegate) is refused. For requests that need
 * step-up (StepUpService.required) the email alone decides nothing: the recipient is signed in, or
 * confirms with a one-time code.
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
    private readonly auth: AuthService,
    private readonly conflicts: ConflictCheck,
    private readonly auditLog: AuditLogRepository,
    private readonly packets: DecisionPacketService,
  ) {}

  /** The decision form for a link, or why there is none. `session` is the browser's /app session token, if any. */
  async show(token: string, session?: string): Promise<LinkOutcome> {
    const link = await this.open(token, session);
    if ('kind' in link) return link;
    const signIn = (await this.needsStepUp(link)) ? this.signIn(link) : null;
    const [amendments, extras] = await Promise.all([
      this.amendmentsOf(link.view.id),
      this.packets.forLink(link.person, link.claims.party, link.stored),
    ]);
    return {
      kind: 'open',
      view: link.view,
      party: link.claims.party,
      reasons: link.reasons,
      amendments,
      signIn,
      extras,
    };
  }

  /** The amendments of a request in words, from its audit rows (as its timeline tells them). */
  private async amendmentsOf(requestId: string): Promise<string[]> {
    const proof = await this.auditLog.proofFor(requestId);
    return buildTimeline(proof.rows, [])
      .filter((e) => e.kind === 'amended' || e.kind === 'route_changed')
      .map((e) => e.title);
  }

  /**
   * Records the decision posted through a link: validated; for step-up requests counted only signed
   * in as the recipient or confirmed with a code bound to this decision; then sent to the workflow.
   */
  async decide(token: string, form: LinkDecisionForm, session?: string): Promise<LinkOutcome> {
    const link = await this.open(token, session);
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
    let via: DecideInput['via'] = link.signedIn ? 'email-session' : 'email';
    if (await this.needsStepUp(link)) {
      const signIn = this.signIn(link);
      if (!code) {
        const issued = await this.stepUp.issueCode(link, value);
        if (!('code' in issued)) {
          const nextAt = issued.refused === 'too_soon' ? issued.nextAt : null;
          return { kind: 'code_held', nextAt, view: link.view, signIn };
        }
        const kept = {
          decision: value.decision,
          comment: value.comment ?? '',
          conditions: (value.conditions ?? []).join('\n'),
        };
        return { kind: 'code_sent', view: link.view, party: link.claims.party, form: kept, signIn };
      }
      const checked = await this.stepUp.check(link, code, value);
      if (checked !== 'ok') return { kind: 'code_refused', problem: checked, view: link.view };
      via = 'email-otp';
    }
    try {
      // The link was sent for one round: the decision is made on that round's content.
      const onRound = { ...value, round: link.claims.round };
      const view = await this.decisions.decide(link.actor, link.claims.requestId, onRound, via, {
        onBehalfOf: link.onBehalfOf,
      });
      return { kind: 'decision_recorded', decision: value.decision, party: link.claims.party, view };
    } catch (error) {
      if (error instanceof DomainError && error.code !== 'UNAVAILABLE') {
        if (error.code === 'ROUND_CHANGED') return { kind: 'link_replaced', view: link.view };
        if (error.status === 409) return this.alreadyDecided(link.claims);
        return { kind: 'decision_refused', error, view: link.view };
      }
      // The decision may have reached the workflow although its answer did not reach us.
      return this.lookUp(link, value.decision);
    }
  }

  /** Whether this link's decision counts only signed in as its recipient, or confirmed with a code. */
  private async needsStepUp(link: OpenLink): Promise<boolean> {
    return !link.signedIn && (await this.stepUp.required(link.view));
  }

  private signIn(link: OpenLink): SignIn {
    return {
      as: link.person.email,
      url: `/app/sign-in?next=${encodeURIComponent(`/approvals/${link.token}`)}`,
    };
  }

  /**
   * After an ambiguous failure: was this party decided by this person in this round? The records
   * follow the workflow closely, so the page looks for a few seconds before saying it cannot tell.
   */
  private async lookUp(link: OpenLink, decision: DecisionDto['decision']): Promise<LinkOutcome> {
    const deadline = Date.now() + LOOK_UP_MS;
    for (;;) {
      const stored = await this.requests.findById(link.claims.requestId);
      const approval = stored?.approvals.find((a) => a.party === link.claims.party);
      if (!stored || !approval) return { kind: 'request_not_found' };
      const view = toRequestView(stored, 'reviewer');
      const mine =
        approval.decidedBy?.toLowerCase() === link.actor.email.toLowerCase() &&
        stored.request.round === link.claims.round;
      if (approval.status !== 'pending' && mine) {
        return { kind: 'decision_recorded', decision, party: link.claims.party, view };
      }
      if (approval.status !== 'pending' || stored.request.status !== 'pending') return this.alreadyDecided(link.claims);
      if (stored.request.round !== link.claims.round) return { kind: 'link_replaced', view };
      if (Date.now() > deadline) return { kind: 'decision_unconfirmed', party: link.claims.party, view };
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** The person the browser's /app session belongs to; none when there is no session or it no longer verifies. */
  private async signedIn(session: string | undefined): Promise<Person | null> {
    if (!session) return null;
    try {
      return await this.auth.authenticate(session);
    } catch {
      return null;
    }
  }

  /**
   * Verifies the token, that the browser (if signed in) is its recipient or their active delegate,
   * and that its recipient may still decide, for this party, in this round.
   */
  private async open(token: string, session?: string): Promise<LinkRefusal | OpenLink> {
    let claims: LinkClaims;
    try {
      claims = await this.tokens.verify(token);
    } catch (error) {
      const expired = error instanceof LinkTokenError && error.problem === 'expired';
      return { kind: expired ? 'link_expired' : 'link_invalid' };
    }
    const viewer = await this.signedIn(session);
    let onBehalfOf = claims.onBehalfOf ?? null;
    if (viewer && viewer.email.toLowerCase() !== claims.recipient.toLowerCase()) {
      // Only the recipient's own delegate may use it, for them; a delegate's link is not handed on again.
      const standsIn =
        !claims.onBehalfOf &&
        (await this.delegation.standsInFor(viewer.email, claims.recipient.toLowerCase(), claims.party));
      if (!standsIn) return { kind: 'not_your_link', recipient: claims.recipient, signedInAs: viewer.email };
      onBehalfOf = claims.recipient.toLowerCase();
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
    if (claims.onBehalfOf && !(await this.delegation.standsInFor(person.email, claims.onBehalfOf, claims.party))) {
      return { kind: 'delegation_ended', onBehalfOf: claims.onBehalfOf };
    }
    const view = toRequestView(stored, 'reviewer');
    if (approval.status !== 'pending' || stored.request.status !== 'pending') return this.alreadyDecided(claims);
    if (stored.request.round !== claims.round) return { kind: 'link_replaced', view };
    return {
      token,
      claims,
      person,
      actor: viewer ?? person,
      onBehalfOf,
      signedIn: viewer !== null,
      view,
      stored,
      reasons: approval.reasons,
    };
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
