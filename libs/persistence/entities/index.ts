import { ApprovalEntity } from './approval.entity';
import { AssignedReviewerEntity } from './assigned-reviewer.entity';
import { AuthorizationDocumentEntity } from './authorization-document.entity';
import { AuditLogEntity } from './audit-log.entity';
import { DecisionEntity } from './decision.entity';
import { DelegationEntity } from './delegation.entity';
import { HistoryArchiveEntity } from './history-archive.entity';
import { ObligationEntity } from './obligation.entity';
import { PartyMemberEntity } from './party-member.entity';
import { PassportEntity } from './passport.entity';
import { PersonEntity } from './person.entity';
import { PolicyVersionEntity } from './policy-version.entity';
import { RequestEntity } from './request.entity';
import { ScreeningEntryEntity } from './screening-entry.entity';
import { SentEmailEntity } from './sent-email.entity';
import { StepUpCodeEntity } from './step-up-code.entity';

export {
  ApprovalEntity,
  AssignedReviewerEntity,
  AuthorizationDocumentEntity,
  AuditLogEntity,
  DecisionEntity,
  DelegationEntity,
  HistoryArchiveEntity,
  ObligationEntity,
  PartyMemberEntity,
  PassportEntity,
  PersonEntity,
  PolicyVersionEntity,
  RequestEntity,
  ScreeningEntryEntity,
  SentEmailEntity,
  StepUpCodeEntity,
};

export const ENTITIES = [
  PersonEntity,
  PartyMemberEntity,
  RequestEntity,
  ApprovalEntity,
  DecisionEntity,
  SentEmailEntity,
  PolicyVersionEntity,
  DelegationEntity,
  ScreeningEntryEntity,
  PassportEntity,
  ObligationEntity,
  StepUpCodeEntity,
  AuditLogEntity,
  HistoryArchiveEntity,
  AssignedReviewerEntity,
  AuthorizationDocumentEntity,
];
