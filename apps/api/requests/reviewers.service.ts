import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { AppConfig } from '@libs/config';
import { LinkTokens } from '@libs/crypto';
import type { Person } from '@libs/domain/person';
import { Mailer, renderApprovalMail } from '@libs/mail';
import {
  AssignedReviewerRepository,
  AuditLogRepository,
  ConflictCheck,
  DirectoryRepository,
  SentEmailRepository,
  type AssignedReviewer,
  type StoredRequest,
} from '@libs/persistence';
import type { ScreeningHit } from '@libs/domain/screening';
import type { Party, RequestType } from '@libs/domain/vocabulary';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG } from '../common/tokens';
import type { AssignReviewerDto } from './request.dto';

/**
 * Reviewers a compliance admin assigns when conflicts of interest (or an empty party) leave nobody
 * of a party to decide on a request. Only then, only a directory person who is neither the
 * requester nor conflicted, recorded in the audit log; the reviewer decides for that party on that
 * request only.
 */
@Injectable()
export class ReviewersService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly conflicts: ConflictCheck,
    private readonly directory: DirectoryRepository,
    private readonly assignments: AssignedReviewerRepository,
    private readonly auditLog: AuditLogRepository,
    private readonly sentEmails: SentEmailRepository,
    private readonly mailer: Mailer,
    private readonly linkTokens: LinkTokens,
  ) {}

  async assign(
    admin: Person,
    stored: StoredRequest,
    dto: AssignReviewerDto,
  ): Promise<{ reviewer: AssignedReviewer; created: boolean }> {
    const { request } = stored;
    const party: Party = dto.party;
    const email = dto.email.trim().toLowerCase();
    const approval = stored.approvals.find((a) => a.party === party);
    if (!approval) throw new DomainError('PARTY_NOT_IN_REQUEST', `party ${party} is not asked on this request`);
    if (!['pending', 'changes_requested'].includes(request.status)) {
      throw new DomainError('REQUEST_NOT_PENDING', `the request is ${request.status}: nobody decides on it any more`);
    }
    if (approval.status !== 'pending' && approval.status !== 'waiting') {
      throw new DomainError(
        'PARTY_NOT_AWAITING',
        `party ${party} is not awaiting a decision: already ${approval.status}`,
      );
    }
    const person = await this.directory.findPerson(email);
    if (!person) {
      throw DomainError.validation([{ field: 'email', messages: [`${email} is not a person in our directory`] }]);
    }
    if (email === request.requesterEmail) {
      throw new DomainError('REQUESTER_CANNOT_DECIDE', 'the requester never decides their own request');
    }
    const conflict = (await this.conflicts.forRequest(stored))(email);
    if (conflict) throw new DomainError('CONFLICT_OF_INTEREST', `${conflict}; assign someone without a conflict`);
    const reviewers = await this.conflicts.reviewersOf(stored, party);
    if (!reviewers.assigned.includes(email) && reviewers.left.length > 0) {
      throw new DomainError(
        'PARTY_HAS_REVIEWERS',
        `${reviewers.left.length} of ${party} may still review this request; a reviewer is assigned only when nobody of ${party} may`,
      );
    }
    const result = await this.auditLog.writeTransaction(async (manager) => {
      const assigned = await this.assignments.assign(
        { requestId: request.id, party, email, assignedBy: admin.email, assignedAt: new Date().toISOString() },
        manager,
      );
      if (assigned.created) {
        await this.auditLog.append(
          [
            {
              requestId: request.id,
              event: 'request.reviewer_assigned',
              actor: admin.email,
              payload: { party, reviewer: email, round: request.round },
            },
          ],
          manager,
        );
      }
      return assigned;
    });
    // A party still waiting for its stage is asked by the workflow when the stage opens (the reviewer among them).
    if (request.status === 'pending' && approval.status === 'pending') await this.ask(stored, party, email);
    return result;
  }

  /** Emails the assigned reviewer the party's approval link for the current round (once). */
  private async ask(stored: StoredRequest, party: Party, email: string): Promise<void> {
    const { request } = stored;
    const approval = stored.approvals.find((a) => a.party === party)!;
    const key = `approval:${request.id}:${party}:${request.round}:assigned:${email}`;
    const requester = await this.directory.findPerson(request.requesterEmail);
    const { token, expiresAt } = await this.linkTokens.sign({
      requestId: request.id,
      party,
      recipient: email,
      round: request.round,
    });
    const mail = renderApprovalMail({
      kind: 'approval',
      summary: {
        type: request.type as RequestType,
        requesterEmail: request.requesterEmail,
        requesterName: requester?.name ?? request.requesterEmail,
        destinationCountry: request.destinationCountry,
        departureDate: request.departureDate,
        ...(request.returnDate ? { returnDate: request.returnDate } : {}),
        purpose: request.purpose,
      },
      reference: request.reference ?? request.id,
      party,
      reasons: approval.reasons,
      hits: request.screeningHits as ScreeningHit[],
      link: `${this.config.publicUrl}/approvals/${token}`,
      expiresAt: expiresAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      request: { ...request, destinationRisk: request.plan.destinationRisk },
    });
    const now = new Date().toISOString();
    const record = await this.sentEmails.claim({
      key,
      requestId: request.id,
      kind: 'approval',
      recipient: email,
      subject: mail.subject.slice(0, 300),
      messageId: `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@clearance>`,
      createdAt: now,
    });
    if (record.status === 'sent') return;
    await this.mailer.send({ ...mail, to: email, messageId: record.messageId });
    await this.sentEmails.markSent(key, new Date().toISOString());
  }
}
