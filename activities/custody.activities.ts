import { ApplicationFailure } from '@temporalio/activity';
import type { CustodyNoticeInput, HandOutInput, ObligationNoticeInput, ReleasePassportInput } from '@libs/contracts';
import { maskedPassport, renderNotice, typeName } from '@libs/mail';
import type { DirectoryRepository, PassportRepository } from '@libs/persistence';
import type { MailActivities } from './mail.activities';

const day = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'no date');

/** The passport ledger moves and the notices around custody and obligations. */
export class CustodyActivities {
  constructor(
    private readonly deps: {
      passports: PassportRepository;
      directory: DirectoryRepository;
      mail: MailActivities;
      /** Where the request pages are (`{publicUrl}/app/requests/{id}`), for links in notices. */
      publicUrl?: string;
      clock?: () => Date;
    },
  ) {}

  private now(): string {
    return (this.deps.clock?.() ?? new Date()).toISOString();
  }

  /**
   * Before the hand-out step (requests approved under older workflow code): releases the
   * employee's passport at once and asks the custodians to hand it out.
   */
  async releasePassport(
    input: ReleasePassportInput,
  ): Promise<{ passportId: string; numberLast3: string; dueBackAt: string } | null> {
    const passport = await this.deps.passports.release(
      input.requestId,
      input.employeeEmail,
      input.dueBackAt,
      this.now(),
    );
    if (!passport) return null;
    await this.askCustodiansToHandOut(input, passport, passport.dueBackAt ?? input.dueBackAt);
    return {
      passportId: passport.id,
      numberLast3: passport.numberLast3,
      dueBackAt: passport.dueBackAt ?? input.dueBackAt,
    };
  }

  /**
   * An approved release: the employee's passport becomes ready for hand-out (still in the vault)
   * and the custodians are asked to hand it out, checking the holder's identity.
   */
  async preparePassportHandOut(
    input: ReleasePassportInput,
  ): Promise<{ passportId: string; numberLast3: string; dueBackAt: string } | null> {
    const passport = await this.deps.passports.readyForHandOut(input.requestId, input.employeeEmail, this.now());
    if (!passport) return null;
    await this.askCustodiansToHandOut(input, passport, input.dueBackAt);
    return { passportId: passport.id, numberLast3: passport.numberLast3, dueBackAt: input.dueBackAt };
  }

  /** The custodian handed the passport out: `released`, due back by the request's date. */
  async handOutPassport(input: HandOutInput): Promise<void> {
    const passport = await this.deps.passports.handOut(input);
    if (!passport) {
      throw ApplicationFailure.nonRetryable(
        `passport ${input.passportId} is not ready for hand-out`,
        'PASSPORT_NOT_READY',
      );
    }
  }

  private async askCustodiansToHandOut(
    input: ReleasePassportInput,
    passport: { id: string; numberLast3: string; issuingCountry: string },
    dueBackAt: string,
  ): Promise<void> {
    const employee = await this.deps.directory.findPerson(input.employeeEmail);
    const custodians = (await this.deps.directory.list({ role: 'custodian', limit: 200 })).items;
    if (custodians.length === 0) throw ApplicationFailure.retryable('nobody has the custodian role', 'NO_CUSTODIAN');
    for (const custodian of custodians) {
      await this.deps.mail.deliverNotice(
        `hand-out:${input.requestId}:${custodian.email}`,
        input.requestId,
        'custody',
        custodian.email,
        (reference) =>
          renderNotice(
            `[Clearance] Hand out passport ${maskedPassport(passport.numberLast3)} to ${employee?.name ?? input.employeeEmail} (${reference})`,
            'A passport release was approved',
            [
              `Please hand passport ${maskedPassport(passport.numberLast3)} (${passport.issuingCountry}) to ${employee?.name ?? ''} <${input.employeeEmail}>, after checking their identity, and record the hand-out on the custody page.`,
              `It is due back in custody by ${day(dueBackAt)}.`,
              `Request reference: ${reference}`,
            ],
          ),
      );
    }
  }

  async markPassportOverdue(input: { passportId: string; requestId: string }): Promise<void> {
    await this.deps.passports.markOverdue(input.passportId, this.now());
  }

  /** Nobody collected the passport of an approved release by its due-back date: it stays in custody. */
  async markPassportNotCollected(input: { passportId: string; requestId: string; at: string }): Promise<void> {
    await this.deps.passports.markNotCollected(input.passportId, input.requestId, input.at);
  }

  async markPassportReturned(input: { passportId: string; requestId: string; at: string }): Promise<void> {
    await this.deps.passports.markReturned(input.passportId, input.at);
  }

  /** Overdue reminders go to the employee; the escalation goes to every member of security. */
  async notifyCustody(input: CustodyNoticeInput): Promise<void> {
    const masked = maskedPassport(input.numberLast3);
    const recipients =
      input.kind === 'escalation'
        ? (await this.deps.directory.partyMembers('security')).map((m) => m.email)
        : [input.employeeEmail];
    for (const to of recipients) {
      await this.deps.mail.deliverNotice(
        `custody-${input.kind}:${input.passportId}:${input.requestId}:${input.sequence}:${to}`,
        input.requestId,
        'custody',
        to,
        (reference) =>
          input.kind === 'escalation'
            ? renderNotice(
                `[Clearance] Escalation: passport ${masked} of ${input.employeeName} is overdue (${reference})`,
                'A released passport is overdue',
                [
                  `Passport ${masked} of ${input.employeeName} <${input.employeeEmail}> was due back by ${day(input.dueBackAt)} and is not in custody.`,
                  `Request reference: ${reference}`,
                ],
              )
            : renderNotice(
                `[Clearance] Reminder: return passport ${masked} to custody (${reference})`,
                'Your passport is overdue',
                [
                  `Passport ${masked} was due back in custody by ${day(input.dueBackAt)}. Please bring it to the custodian.`,
                  `Request reference: ${reference}`,
                ],
              ),
      );
    }
  }

  /** Overdue obligations remind the requester and escalate to security. */
  async notifyObligation(input: ObligationNoticeInput): Promise<void> {
    const recipients =
      input.kind === 'escalation'
        ? (await this.deps.directory.partyMembers('security')).map((m) => m.email)
        : [input.summary.requesterEmail];
    const what = `${typeName(input.summary.type).toLowerCase()} to ${input.summary.destinationCountry}`;
    for (const to of recipients) {
      await this.deps.mail.deliverNotice(
        `obligation-${input.kind}:${input.requestId}:${input.obligation}:${input.sequence}:${to}`,
        input.requestId,
        'obligation',
        to,
        (reference) =>
          input.kind === 'expired'
            ? renderNotice(
                `[Clearance] Expired: ${input.label} (${reference})`,
                'An external authorization of your request expired',
                [
                  `${input.label}${input.authorization ? ` from ${input.authorization.authority}` : ''} for your ${what} is no longer valid: its validity ended ${day(input.dueAt)}, before your trip ends.`,
                  'Record the renewed grant (or the new application) on the request page: until then it does not count.',
                  `The request: ${this.deps.publicUrl ?? ''}/app/requests/${input.requestId}`,
                  `Request reference: ${reference}`,
                ],
              )
            : input.authorization
              ? renderNotice(
                  `[Clearance] Still waiting: ${input.label} (${reference})`,
                  'Your request waits for an external authorization',
                  [
                    `Your ${what} still needs ${input.label} from ${input.authorization.authority}, granted and valid through your return.`,
                    `Record the authority's progress (applied, granted, refused) with POST /api/requests/${input.requestId}/authorizations/${input.authorization.kind}, or on the request's page.`,
                    `Request reference: ${reference}`,
                  ],
                )
              : input.kind === 'escalation'
                ? renderNotice(
                    `[Clearance] Escalation: overdue obligation of ${input.summary.requesterName} (${reference})`,
                    'An obligation is overdue',
                    [
                      `${input.summary.requesterName} <${input.summary.requesterEmail}> has not met "${input.label}" for the ${what}, due ${day(input.dueAt)}.`,
                      `Request reference: ${reference}`,
                    ],
                  )
                : renderNotice(
                    `[Clearance] Reminder: ${input.label} (${reference})`,
                    'An obligation of your approved request is overdue',
                    [
                      `"${input.label}" for your ${what} was due ${day(input.dueAt)}.`,
                      `Record it with POST /api/requests/${input.requestId}/obligations/${input.obligation}.`,
                      `Request reference: ${reference}`,
                    ],
                  ),
      );
    }
  }
}
