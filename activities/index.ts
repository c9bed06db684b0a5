import type { LinkTokens } from '@libs/crypto';
import type { Mailer } from '@libs/mail';
import type {
  ConflictCheck,
  DelegationRepository,
  DirectoryRepository,
  HistoryArchiveRepository,
  PassportRepository,
  RequestProjectionWriter,
  RequestRepository,
  SentEmailRepository,
} from '@libs/persistence';
import type { ScreeningService } from '@libs/screening/screening.service';
import { ArchiveActivities } from './archive.activities';
import { CustodyActivities } from './custody.activities';
import { MailActivities } from './mail.activities';
import { ProjectionActivities, type SubmissionProofCheck } from './projection.activities';
import { ScreeningActivities } from './screening.activities';
import { SubmissionActivities } from './submission.activities';

export interface ActivityDeps {
  /** The projection's only writer (recordSubmission, projectState). */
  projection: RequestProjectionWriter;
  /** Checks that a submission came from the API before anything is recorded. */
  submissionProof: SubmissionProofCheck;
  /** Reads for the mail activities (who to ask, conflicts of interest). */
  requests: RequestRepository;
  directory: DirectoryRepository;
  delegations: DelegationRepository;
  passports: PassportRepository;
  archives: HistoryArchiveRepository;
  conflicts: ConflictCheck;
  sentEmails: SentEmailRepository;
  screening: ScreeningService;
  mailer: Mailer;
  linkTokens: LinkTokens;
  publicUrl: string;
}

/** Binds the activity classes to their dependencies; the worker registers the result. */
export function createActivities(deps: ActivityDeps) {
  const projection = new ProjectionActivities(deps.projection, deps.submissionProof);
  const mail = new MailActivities(deps);
  const screening = new ScreeningActivities(deps.screening);
  const archive = new ArchiveActivities(deps.archives);
  const submission = new SubmissionActivities(screening, projection, mail);
  const custody = new CustodyActivities({
    passports: deps.passports,
    directory: deps.directory,
    mail,
    publicUrl: deps.publicUrl,
  });
  return {
    screenCounterparties: screening.screenCounterparties.bind(screening),
    archiveHistory: archive.archiveHistory.bind(archive),
    recordSubmission: projection.recordSubmission.bind(projection),
    submitRequest: submission.submitRequest.bind(submission),
    projectState: projection.projectState.bind(projection),
    projectStates: projection.projectStates.bind(projection),
    notifyParty: mail.notifyParty.bind(mail),
    notifyParties: mail.notifyParties.bind(mail),
    notifyRequester: mail.notifyRequester.bind(mail),
    releasePassport: custody.releasePassport.bind(custody),
    preparePassportHandOut: custody.preparePassportHandOut.bind(custody),
    handOutPassport: custody.handOutPassport.bind(custody),
    markPassportOverdue: custody.markPassportOverdue.bind(custody),
    markPassportReturned: custody.markPassportReturned.bind(custody),
    markPassportNotCollected: custody.markPassportNotCollected.bind(custody),
    notifyCustody: custody.notifyCustody.bind(custody),
    notifyObligation: custody.notifyObligation.bind(custody),
  };
}
