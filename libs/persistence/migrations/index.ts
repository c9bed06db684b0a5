import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { ScreeningEntries1763900000000 } from './1763900000000-screening-entries';
import { PeopleFlags1763900001000 } from './1763900001000-people-flags';
import { PolicyQuorumDelegation1763900002000 } from './1763900002000-policy-quorum-delegation';
import { PassportsObligations1763900003000 } from './1763900003000-passports-obligations';
import { AuditLog1763900004000 } from './1763900004000-audit-log';
import { HistoryArchives1763900005000 } from './1763900005000-history-archives';
import { AuditChainMac1763900006000 } from './1763900006000-audit-chain-mac';
import { Amendments1763900006100 } from './1763900006100-amendments';
import { StepUpBudget1763900006200 } from './1763900006200-step-up-budget';
import { AssignedReviewers1763900006300 } from './1763900006300-assigned-reviewers';
import { ListIndexesDealName1763900007400 } from './1763900007400-list-indexes-deal-name';
import { InboxIndex1763900007500 } from './1763900007500-inbox-index';
import { RequestReferences1763900007600 } from './1763900007600-request-references';
import { PassportFingerprintHandOut1763900007700 } from './1763900007700-passport-fingerprint-hand-out';
import { ExternalAuthorizations1763900007800 } from './1763900007800-external-authorizations';
import { TripManifest1763900007900 } from './1763900007900-trip-manifest';
import { MaterialDocuments1763900008000 } from './1763900008000-material-documents';
import { PassportsDueSoon1763900008100 } from './1763900008100-passports-due-soon';
import { PolicyChangeReason1763900008200 } from './1763900008200-policy-change-reason';
import { ApprovalAskedAt1763900008300 } from './1763900008300-approval-asked-at';
import { ScreeningIdentity1763900009000 } from './1763900009000-screening-identity';
import { PermanentMove1763900009100 } from './1763900009100-permanent-move';
import { ApprovalDueAt1763900009300 } from './1763900009300-approval-due-at';

/** Every migration in order; the data source runs them on start. */
export const MIGRATIONS = [
  InitialSchema1763800000000,
  ScreeningEntries1763900000000,
  PeopleFlags1763900001000,
  PolicyQuorumDelegation1763900002000,
  PassportsObligations1763900003000,
  AuditLog1763900004000,
  HistoryArchives1763900005000,
  AuditChainMac1763900006000,
  Amendments1763900006100,
  StepUpBudget1763900006200,
  AssignedReviewers1763900006300,
  ListIndexesDealName1763900007400,
  InboxIndex1763900007500,
  RequestReferences1763900007600,
  PassportFingerprintHandOut1763900007700,
  ExternalAuthorizations1763900007800,
  TripManifest1763900007900,
  MaterialDocuments1763900008000,
  PassportsDueSoon1763900008100,
  PolicyChangeReason1763900008200,
  ApprovalAskedAt1763900008300,
  ScreeningIdentity1763900009000,
  PermanentMove1763900009100,
  ApprovalDueAt1763900009300,
];
