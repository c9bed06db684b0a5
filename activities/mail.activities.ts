import { ApplicationFailure, log } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import {
  summaryOf,
  type NotifyPartiesInput,
  type NotifyPartyInput,
  type NotifyRequesterInput,
  type RequestWorkflowInput,
} from '@libs/contracts';
import { sinceLastDecided } from '@libs/domain/amendment';
import { countryName, datesInWords, label } from '@libs/domain/labels';
import { isMemberOf } from '@libs/domain/person';
import type { LinkTokens } from '@libs/crypto';
import type { Mailer, RenderedMail } from '@libs/mail';
import { renderApprovalMail, renderNotice, renderOutcomeMail, typeName } from '@libs/mail';
import type {
  ConflictCheck,
  DelegationRepository,
  DirectoryRepository,
  RequestEntity,
  RequestRepository,
  SentEmailRepository,
  StoredRequest,
} from '@libs/persistence';

/** The outbox key of one party email to one member (or to their delegate on their behalf). */
function partyMailKey(input: NotifyPartyInput, member: string): string {
  return `${input.kind}:${input.requestId}:${input.party}:${input.round}:${input.sequence}:${member}`;
}

/** What one email step reads of its request, once for all the parties it asks. */
interface RequestRead {
  stored: StoredRequest | null;
  conflicted: (approverEmail: string) => string | null;
}

/** The party and member a party mail was keyed with (`partyMailKey`); nothing for another key. */
function partyOfMailKey(key: string): { party?: string; member?: string } {
  const [, , party, , , ...member] = key.split(':');
  return { party, member: member.join(':') || undefined };
}

/** "HR", "HR and Legal", "HR, Legal and Security". */
function joinWords(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@clearance>`;
}

/**
 * Email, split render → send with an outbox record per (step, recipient): a retried activity
 * skips every mail already recorded as sent.
 */
export class MailActivities {
  constructor(
    private readonly deps: {
      directory: DirectoryRepository;
      requests: RequestRepository;
      delegations: DelegationRepository;
      conflicts: ConflictCheck;
      sentEmails: SentEmailRepository;
      mailer: Mailer;
      linkTokens: LinkTokens;
      publicUrl: string;
      clock?: () => Date;
    },
  ) {}

  private now(): string {
    return (this.deps.clock?.() ?? new Date()).toISOString();
  }

  /**
   * Emails a party about a request: every member when its stage opens (`approval`), those who have
   * not approved yet (`reminder`), or its leads (`escalation`), and the reviewers an admin assigned
   * to the party on this request. Nobody conflicted and never the requester; an approver who is away
   * and has delegated is replaced by the delegate, whose link decides on the approver's behalf.
   * When nobody of the party may review the request, the compliance admins are told instead, so
   * it never waits for nobody until it expires.
   */
  async notifyParty(input: NotifyPartyInput): Promise<{ sent: number; skipped: number }> {
    return this.askParty(input, await this.readRequest(input.requestId));
  }

  /**
   * Emails several parties of a stage in one step, each as `notifyParty` does, reading the request and
   * its conflicts once. Every party is tried before a failure is reported, so a retry finds the others'
   * emails in the outbox and skips them.
   */
  async notifyParties(input: NotifyPartiesInput): Promise<{ sent: number; skipped: number }> {
    const { parties, ...common } = input;
    const request = await this.readRequest(input.requestId);
    const results = await Promise.allSettled(parties.map((p) => this.askParty({ ...common, ...p }, request)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const done = results.map((r) => (r as PromiseFulfilledResult<{ sent: number; skipped: number }>).value);
    return { sent: done.reduce((n, r) => n + r.sent, 0), skipped: done.reduce((n, r) => n + r.skipped, 0) };
  }

  /** The stored request (null before its submission is recorded) and who is conflicted on it. */
  private async readRequest(requestId: string): Promise<RequestRead> {
    const stored = await this.deps.requests.findById(requestId);
    return { stored, conflicted: stored ? await this.deps.conflicts.forRequest(stored) : () => null };
  }

  /** One party's email step: every member (or their delegate) not yet decided, not conflicted, not the requester. */
  private async askParty(
    input: NotifyPartyInput,
    { stored, conflicted }: RequestRead,
  ): Promise<{ sent: number; skipped: number }> {
    const requester = input.summary.requesterEmail.toLowerCase();
    const approval = stored?.approvals.find((a) => a.party === input.party);
    const approved = new Set(
      (approval?.approvedBy ?? []).flatMap((v) => [v.by, v.onBehalfOf]).filter((e): e is string => !!e),
    );
    const reviewers = stored
      ? await this.deps.conflicts.reviewersOf(stored, input.party, conflicted)
      : { members: await this.deps.directory.partyMembers(input.party), assigned: [] as string[], left: [] };
    // the reference is read here, not carried by the workflow, so no workflow history changes
    const reference = stored?.request.reference ?? input.requestId;
    if (stored && reviewers.left.length === 0) return this.askAdmins(input, reference);
    if (reviewers.members.length === 0 && reviewers.assigned.length === 0) {
      throw ApplicationFailure.retryable(`party ${input.party} has no members to ask`, 'PARTY_HAS_NO_MEMBERS');
    }
    const asked = [
      ...reviewers.members.filter((m) => input.kind !== 'escalation' || m.lead).map((m) => m.email),
      ...reviewers.assigned,
    ];
    // A member who approved since is not asked, unless this is a retry that claimed their email and
    // may have sent it: it is sent again (same Message-ID), so no outbox row stays unfinished.
    const unfinished = asked.some((email) => approved.has(email))
      ? new Set(
          (await this.deps.sentEmails.forRequest(input.requestId)).filter((e) => e.status !== 'sent').map((e) => e.key),
        )
      : new Set<string>();
    const recipients = [...new Set(asked)]
      .filter((email) => email !== requester && (!approved.has(email) || unfinished.has(partyMailKey(input, email))))
      .filter((email) => {
        const conflict = conflicted(email);
        // the reason names people: it stays out of the logs (the member is simply not asked)
        if (conflict) log.info('not asking a conflicted member', { party: input.party });
        return !conflict;
      });
    const today = this.now().slice(0, 10);
    let sent = 0;
    let skipped = 0;
    for (const email of recipients) {
      // an assigned reviewer reviews in person: a delegation covers party membership, not an assignment
      const isMember = reviewers.members.some((m) => m.email === email);
      const delegation = isMember ? await this.deps.delegations.activeFor(email, today) : null;
      const delegate =
        delegation && delegation.delegateEmail !== requester && (await this.mayStandIn(delegation.delegateEmail, input))
          ? delegation.delegateEmail
          : null;
      if (await this.askOne(input, reference, email, delegate, stored?.request)) sent += 1;
      else skipped += 1;
    }
    return { sent, skipped };
  }

  /**
   * A delegate stands in only while a member or lead of the party (delegations stored before that
   * rule, or whose delegate has since left the party, redirect nothing) and not conflicted.
   */
  private async mayStandIn(delegateEmail: string, input: NotifyPartyInput): Promise<boolean> {
    const delegate = await this.deps.directory.findPerson(delegateEmail);
    return !!delegate && isMemberOf(delegate, input.party);
  }

  /** Sends one party email with its approval link (to the member, or to their delegate on their behalf). */
  private async askOne(
    input: NotifyPartyInput,
    reference: string,
    member: string,
    delegate: string | null,
    request: RequestEntity | undefined,
  ): Promise<boolean> {
    const recipient = delegate ?? member;
    const onBehalfOf = delegate ? member : undefined;
    const key = partyMailKey(input, member);
    return this.deliverOnce(key, input.requestId, input.kind, recipient, async () => {
      // Asked again after an amendment: what this party decided last, and every field changed since (the records).
      const since = input.amendment
        ? await this.deps.requests
            .decisionHistoryFor(input.requestId)
            .then(({ decisions, amendments }) => sinceLastDecided(input.party, input.round, decisions, amendments))
        : null;
      const { token, expiresAt } = await this.deps.linkTokens.sign({
        requestId: input.requestId,
        party: input.party,
        recipient,
        round: input.round,
        onBehalfOf,
      });
      return renderApprovalMail({
        kind: input.kind,
        summary: input.summary,
        reference,
        party: input.party,
        reasons: input.reasons,
        hits: input.screeningHits,
        link: `${this.deps.publicUrl}/approvals/${token}`,
        expiresAt: expiresAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
        onBehalfOf,
        amendment: input.amendment,
        since,
        request: request && { ...request, destinationRisk: request.plan.destinationRisk },
      });
    });
  }

  /**
   * Every member and lead of the party is excluded (or it has nobody): the compliance admins are
   * asked to assign a reviewer, at the stage's opening and again at each reminder and escalation.
   */
  private async askAdmins(input: NotifyPartyInput, reference: string): Promise<{ sent: number; skipped: number }> {
    const admins = await this.deps.directory.list({ role: 'admin', limit: 100 });
    if (admins.items.length === 0) {
      throw ApplicationFailure.retryable(
        `nobody of ${input.party} may review request ${input.requestId} and there is no admin to tell`,
        'PARTY_HAS_NO_REVIEWER',
      );
    }
    log.info('nobody of the party may review the request; asking the admins', { party: input.party });
    const s = input.summary;
    const mail = renderNotice(
      `[Clearance] nobody of ${input.party} may review request ${reference}: assign a reviewer`,
      `Nobody of ${input.party} may review this request`,
      [
        `Every member and lead of ${input.party} is excluded from deciding on request ${reference} by a ` +
          `conflict of interest, or ${input.party} has nobody. Until a reviewer is assigned, the request waits ` +
          `for ${input.party} and expires at the party's deadline.`,
        `${typeName(s.type)} to ${s.destinationCountry} by ${s.requesterName}, ${datesInWords(s.departureDate, s.returnDate)}.`,
        `Assign a reviewer who is not conflicted: POST ${this.deps.publicUrl}/api/requests/${input.requestId}/reviewers ` +
          `with {"party": "${input.party}", "email": "…"}. They are emailed a link and decide for ${input.party} ` +
          'on this request only.',
      ],
    );
    let sent = 0;
    let skipped = 0;
    for (const admin of admins.items) {
      const key = `unstaffed:${input.requestId}:${input.party}:${input.round}:${input.kind}:${input.sequence}:${admin.email}`;
      if (await this.deliverOnce(key, input.requestId, 'unstaffed', admin.email, () => mail)) sent += 1;
      else skipped += 1;
    }
    return { sent, skipped };
  }

  /** Tells the requester the outcome (or that changes are asked), with the approvers' comments and conditions. */
  async notifyRequester(input: NotifyRequesterInput): Promise<boolean> {
    const { state } = input;
    const notes = state.stages
      .flatMap((s) => s.approvals)
      .flatMap((a) => [
        ...(a.comment && a.status !== 'pending' && a.status !== 'waiting' ? [`${label(a.party)}: ${a.comment}`] : []),
        ...a.conditions.map((c) => `${label(a.party)} condition: ${c}`),
      ])
      .concat(
        (state.authorizations ?? [])
          .filter((a) => a.status !== 'granted')
          .map((a) => `${a.label} (${a.authority}): ${a.status}${a.reason ? `, ${a.reason}` : ''}`),
      );
    const recipient = input.summary.requesterEmail.toLowerCase();
    const reference = await this.referenceOf(input.requestId);
    if (state.status === 'withdrawn') await this.tellAskedApprovers(input, reference);
    return this.deliverOnce(`outcome:${input.requestId}:${input.seq}`, input.requestId, 'outcome', recipient, () =>
      renderOutcomeMail({
        summary: input.summary,
        status: state.status,
        notes,
        reference,
        link: `${this.deps.publicUrl}/app/requests/${input.requestId}`,
      }),
    );
  }

  /**
   * A withdrawn request: everyone who was emailed a link to decide on it (or a reminder, or an
   * escalation) is told, once each, that no decision is needed, with the requester's reason.
   */
  private async tellAskedApprovers(input: NotifyRequesterInput, reference: string): Promise<void> {
    const sent = (await this.deps.sentEmails.forRequest(input.requestId)).filter(
      (m) => ['approval', 'reminder', 'escalation'].includes(m.kind) && m.status === 'sent',
    );
    // who was asked as which party (and for whom they stood in): the party mail's key names both
    const askedAs = new Map<string, Map<string, string | null>>();
    for (const m of sent) {
      const recipient = m.recipient.toLowerCase();
      const asked = askedAs.get(recipient) ?? new Map<string, string | null>();
      const { party, member } = partyOfMailKey(m.key);
      if (party) asked.set(party, member && member.toLowerCase() !== recipient ? member.toLowerCase() : null);
      askedAs.set(recipient, asked);
    }
    const requester = input.summary.requesterEmail.toLowerCase();
    const s = input.summary;
    const reason = input.state.withdrawal?.reason ?? null;
    const names = await this.deps.directory.namesOf(
      [...askedAs.values()].flatMap((m) => [...m.values()]).filter((e): e is string => Boolean(e)),
    );
    for (const [recipient, parties] of askedAs) {
      if (recipient === requester) continue;
      const as = [...parties].map(
        ([party, member]) => `${label(party)}${member ? ` (standing in for ${names.get(member) ?? member})` : ''}`,
      );
      const mail = renderNotice(
        `[Clearance] ${typeName(s.type)} to ${countryName(s.destinationCountry)} by ${s.requesterName} (${reference}) was withdrawn`,
        `Request ${reference} was withdrawn`,
        [
          `${s.requesterName} withdrew the ${typeName(s.type).toLowerCase()} to ${countryName(s.destinationCountry)}, ` +
            `${datesInWords(s.departureDate, s.returnDate)}. No decision is needed: the links you were sent no longer work.`,
          ...(as.length ? [`You were asked as ${joinWords(as)}.`] : []),
          reason ? `Their reason: ${reason}` : 'They gave no reason.',
          `The request: ${this.deps.publicUrl}/app/requests/${input.requestId}`,
        ],
      );
      await this.deliverOnce(
        `withdrawn:${input.requestId}:${recipient}`,
        input.requestId,
        'withdrawn',
        recipient,
        () => mail,
      );
    }
  }

  /**
   * Tells the requester their request was submitted: its reference, what it is, and a link to follow it.
   * Once per request (the outbox key), so a retried submission step does not send it twice.
   */
  async tellSubmitted(workflow: RequestWorkflowInput): Promise<boolean> {
    const s = summaryOf(workflow.requester, workflow.request);
    const recipient = s.requesterEmail.toLowerCase();
    return this.deliverNotice(
      `submitted:${workflow.requestId}`,
      workflow.requestId,
      'submitted',
      recipient,
      (reference) =>
        renderNotice(
          `[Clearance] ${typeName(s.type)} to ${countryName(s.destinationCountry)} (${reference}) was submitted`,
          `Request ${reference} was submitted`,
          [
            `Hello ${s.requesterName}, your ${typeName(s.type).toLowerCase()} to ${countryName(s.destinationCountry)}, ` +
              `${datesInWords(s.departureDate, s.returnDate)}, was submitted. Its reference is ${reference}.`,
            'The parties who decide on it are asked now; you will get an email when they have decided or ask for changes.',
            `Follow it here: ${this.deps.publicUrl}/app/requests/${workflow.requestId}`,
          ],
        ),
    );
  }

  /** The request's human reference (read from the projection, so the workflow carries nothing new); its id if it has none. */
  async referenceOf(requestId: string): Promise<string> {
    return (await this.deps.requests.referenceOf(requestId)) ?? requestId;
  }

  /**
   * Sends a notice once per key (custody and obligation notices use it too); `render` is given the
   * request's human reference to show.
   */
  async deliverNotice(
    key: string,
    requestId: string,
    kind: string,
    recipient: string,
    render: (reference: string) => RenderedMail,
  ): Promise<boolean> {
    const reference = await this.referenceOf(requestId);
    return this.deliverOnce(key, requestId, kind, recipient, () => render(reference));
  }

  private async deliverOnce(
    key: string,
    requestId: string,
    kind: string,
    recipient: string,
    render: () => RenderedMail | Promise<RenderedMail>,
  ): Promise<boolean> {
    const mail = await render();
    const record = await this.deps.sentEmails.claim({
      key,
      requestId,
      kind,
      recipient,
      subject: mail.subject.slice(0, 300),
      messageId: messageIdFor(key),
      createdAt: this.now(),
    });
    if (record.status === 'sent') {
      // the key names the recipient: log only what identifies the email without personal data
      log.info('email already sent, skipping', { requestId, kind });
      return false;
    }
    await this.deps.mailer.send({ ...mail, to: recipient, messageId: record.messageId });
    await this.deps.sentEmails.markSent(key, this.now());
    return true;
  }
}
