import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Person } from '@libs/domain/person';
import { Mailer, renderNotice } from '@libs/mail';
import { PolicyRepository, StepUpRepository, type StepUpCheck, type StepUpIssue } from '@libs/persistence';
import type { DecisionDto } from '../requests/request.dto';
import type { RequestView } from '../requests/request-view';

/** The approval link a step-up code belongs to: its token, and the person it was sent to. */
export interface StepUpLink {
  token: string;
  person: Person;
}

/** Tiers whose requests need the recipient signed in (or a code) when the policy does not name them. */
export const DEFAULT_SIGN_IN_TIERS = ['strategic'];

/**
 * Step-up for decisions from an email link that a forwarded email alone must not take: every
 * passport release, and requests of the tiers the policy names (`links.signInTiers`). The recipient
 * either is signed in as themselves, or confirms with a one-time code mailed to them. The codes
 * themselves (hashes, expiry, attempts, budget) live in StepUpRepository.
 */
@Injectable()
export class StepUpService {
  constructor(
    private readonly codes: StepUpRepository,
    private readonly policies: PolicyRepository,
    private readonly mailer: Mailer,
  ) {}

  /** Whether a decision on this request from an email link needs the recipient signed in, or a code. */
  async required(view: RequestView): Promise<boolean> {
    if (view.type === 'passport_release') return true;
    const policy = await this.policies.current();
    const tiers = policy.links?.signInTiers ?? DEFAULT_SIGN_IN_TIERS;
    return tiers.includes(view.requester.tier);
  }

  /** Issues a fresh code for the link and this decision (replacing any earlier one) and mails it, within the link's limits. */
  async issueCode(link: StepUpLink, decision: DecisionDto): Promise<StepUpIssue> {
    const issued = await this.codes.issue(link.token, StepUpRepository.decisionHash(decision));
    if (!('code' in issued)) return issued;
    await this.mailer.send({
      to: link.person.email,
      messageId: `<step-up-${randomUUID()}@clearance>`,
      ...renderNotice('[Clearance] Your confirmation code', 'Confirm your decision', [
        `Your one-time code is ${issued.code}. It expires in 10 minutes, works once, and confirms only the decision you chose (${decision.decision}).`,
        'If you did not just decide on a request in Clearance, tell security.',
      ]),
    });
    return issued;
  }

  /** Checks a code for the link and the decision it is to confirm; a right one is consumed. */
  check(link: StepUpLink, code: string, decision: DecisionDto): Promise<StepUpCheck> {
    return this.codes.check(link.token, code, StepUpRepository.decisionHash(decision));
  }
}
