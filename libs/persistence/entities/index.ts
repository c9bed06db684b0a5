import { ApprovalEntity } from './approval.entity';
import { DecisionEntity } from './decision.entity';
import { DelegationEntity } from './delegation.entity';
import { PartyMemberEntity } from './party-member.entity';
import { PersonEntity } from './person.entity';
import { PolicyVersionEntity } from './policy-version.entity';
import { RequestEntity } from './request.entity';
import { ScreeningEntryEntity } from './screening-entry.entity';
import { SentEmailEntity } from './sent-email.entity';

export {
  ApprovalEntity,
  DecisionEntity,
  DelegationEntity,
  PartyMemberEntity,
  PersonEntity,
  PolicyVersionEntity,
  RequestEntity,
  ScreeningEntryEntity,
  SentEmailEntity,
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
];
