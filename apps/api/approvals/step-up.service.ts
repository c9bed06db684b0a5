import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Person } from '../../../libs/domain/person';
import { Mailer, renderNotice } from '../../../libs/mail';
import { StepUpRepository, type StepUpCheck } from '../../../libs/persistence';
import type { RequestView } from '../requests/request-view';

/** The approval link a step-up code belongs to: its token, and the person it was sent to. */
export interface StepUpLink {
  token: string;
  person: Person;
}

/**
 * Step-up for custody: a passport release decided from an email link is confirmed with a one-time
 * code mailed to the approver. The codes themselves (hashes, expiry, attempts) live in StepUpRepository.
 */
@Injectable()
export class StepUpService {
  constructor(
    private readonly codes: StepUpRepository,
    private readonly mailer: Mailer,
  ) {}

  /** Whether a decision on this request from an email link must be confirmed with a code. */
  required(view: RequestView): boolean {
    return view.type === 'passport_release';
  }

  /** Issues a fresh code for the link (replacing any earlier one) and mails it to the link's person. */
  async issueCode(link: StepUpLink): Promise<void> {
    const code = await this.codes.issue(link.token);
    await this.mailer.send({
      to: link.person.email,
      messageId: `<step-up-${randomUUID()}@clearance>`,
      ...renderNotice('[Clearance] Your confirmation code', 'Confirm your custody decision', [
        `Your one-time code is ${code}. It expires in 10 minutes and works once.`,
        'If you did not just decide on a passport release in Clearance, tell security.',
      ]),
    });
  }

  /** Checks a code for the link; a correct one is consumed. */
  check(link: StepUpLink, code: string): Promise<StepUpCheck> {
    return this.codes.check(link.token, code);
  }
}
