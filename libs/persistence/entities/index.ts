import { ApprovalEntity } from './approval.entity';
import { DecisionEntity } from './decision.entity';
import { PartyMemberEntity } from './party-member.entity';
import { PersonEntity } from './person.entity';
import { RequestEntity } from './request.entity';
import { SentEmailEntity } from './sent-email.entity';

export { ApprovalEntity, DecisionEntity, PartyMemberEntity, PersonEntity, RequestEntity, SentEmailEntity };

export const ENTITIES = [
  PersonEntity,
  PartyMemberEntity,
  RequestEntity,
  ApprovalEntity,
  DecisionEntity,
  SentEmailEntity,
];
