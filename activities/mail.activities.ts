import { ApplicationFailure, log } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import type { NotifyPartyInput, NotifyRequesterInput } from '../libs/contracts';
import type { LinkTokens } from '../libs/crypto';
import type { Mailer, RenderedMail } from '../libs/mail';
import { renderApprovalMail, renderOutcomeMail } from '../libs/mail';
import type {
  ConflictCheck,
  DelegationRepository,
  DirectoryRepository,
  RequestRepository,
  SentEmailRepository,
} from '../libs/persistence';

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
   * not approved yet (`reminder`), or its leads (`escalation`). Nobody conflicted and never the
   * requester; an approver who is away and has delegated is replaced by the delegate, whose link
   * decides on the approver's behalf.
   */
  async notifyParty(input: NotifyPartyInput): Promise<{ sent: number; skipped: number }> {
    const requester = input.summary.requesterEmail.toLowerCase();
    const stored = await this.deps.requests.findById(input.requestId);
    const approval = stored?.approvals.find((a) => a.party === input.party);
    const approved = new Set(
      (approval?.approvedBy ?? []).flatMap((v) => [v.by, v.onBehalfOf]).filter((e): e is string => !!e),
    );
    const conflicted = stored ? await this.deps.conflicts.forRequest(stored) : () => null;
    const members = await this.deps.directory.partyMembers(input.party);
    if (members.length === 0) {
      throw ApplicationFailure.retryable(`party ${input.party} has no members to ask`, 'PARTY_HAS_NO_MEMBERS');
    }
    const recipients = members
      .filter((m) => input.kind !== 'escalation' || m.lead)
      .filter((m) => m.email !== requester && !approved.has(m.email))
      .filter((m) => {
        const conflict = conflicted(m.email);
        // the reason names people: it stays out of the logs (the member is simply not asked)
        if (conflict) log.info('not asking a conflicted member', { party: input.party });
        return !conflict;
      });
    const today = this.now().slice(0, 10);
    let sent = 0;
    let skipped = 0;
    for (const member of recipients) {
      const delegation = await this.deps.delegations.activeFor(member.email, today);
      const delegate = delegation && delegation.delegateEmail !== requester ? delegation.delegateEmail : null;
      const recipient = delegate ?? member.email;
      const onBehalfOf = delegate ? member.email : undefined;
      const key = `${input.kind}:${input.requestId}:${input.party}:${input.round}:${input.sequence}:${member.email}`;
      const delivered = await this.deliverOnce(key, input.requestId, input.kind, recipient, async () => {
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
          party: input.party,
          reasons: input.reasons,
          hits: input.screeningHits,
          link: `${this.deps.publicUrl}/approvals/${token}`,
          expiresAt: expiresAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
          onBehalfOf,
          amendment: input.amendment,
        });
      });
      if (delivered) sent += 1;
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
        ...(a.comment && a.status !== 'pending' && a.status !== 'waiting' ? [`${a.party}: ${a.comment}`] : []),
        ...a.conditions.map((c) => `${a.party} condition: ${c}`),
      ]);
    const recipient = input.summary.requesterEmail.toLowerCase();
    return this.deliverOnce(`outcome:${input.requestId}:${input.seq}`, input.requestId, 'outcome', recipient, () =>
      renderOutcomeMail({ summary: input.summary, status: state.status, notes, requestId: input.requestId }),
    );
  }

  /** Sends a notice once per key (custody and obligation notices use it too). */
  async deliverNotice(
    key: string,
    requestId: string,
    kind: string,
    recipient: string,
    render: () => RenderedMail,
  ): Promise<boolean> {
    return this.deliverOnce(key, requestId, kind, recipient, render);
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
