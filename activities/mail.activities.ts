import { ApplicationFailure, log } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import type { NotifyPartyInput, NotifyRequesterInput } from '../libs/contracts';
import type { LinkTokens } from '../libs/crypto';
import type { Mailer, RenderedMail } from '../libs/mail';
import { renderApprovalMail, renderOutcomeMail } from '../libs/mail';
import type { DirectoryRepository, SentEmailRepository } from '../libs/persistence';

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

  /** Emails every member of the party (never the requester) a personal, signed decision link. */
  async notifyParty(input: NotifyPartyInput): Promise<{ sent: number; skipped: number }> {
    const members = (await this.deps.directory.partyMembers(input.party)).filter(
      (m) => m.email !== input.summary.requesterEmail.toLowerCase(),
    );
    if (members.length === 0) {
      throw ApplicationFailure.retryable(`party ${input.party} has no members to ask`, 'PARTY_HAS_NO_MEMBERS');
    }
    let sent = 0;
    let skipped = 0;
    for (const member of members) {
      const key = `approval:${input.requestId}:${input.party}:${input.round}:${member.email}`;
      const delivered = await this.deliverOnce(key, input.requestId, 'approval', member.email, async () => {
        const { token, expiresAt } = await this.deps.linkTokens.sign({
          requestId: input.requestId,
          party: input.party,
          recipient: member.email,
          round: input.round,
        });
        return renderApprovalMail({
          summary: input.summary,
          party: input.party,
          reasons: input.reasons,
          link: `${this.deps.publicUrl}/approvals/${token}`,
          expiresAt: expiresAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
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
      log.info('email already sent, skipping', { key });
      return false;
    }
    await this.deps.mailer.send({ ...mail, to: recipient, messageId: record.messageId });
    await this.deps.sentEmails.markSent(key, this.now());
    return true;
  }
}
