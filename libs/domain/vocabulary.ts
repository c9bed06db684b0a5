/** The closed vocabularies of the contract. Kept as const tuples so DTOs, policy and views share one source. */
export const REQUEST_TYPES = [
  'conference',
  'overseas_assignment',
  'ma_participation',
  'passport_release',
  'departure_abroad',
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const TECHNOLOGY_AREAS = [
  'large_models',
  'ai_chips',
  'eda',
  'advanced_process',
  'robotics',
  'general_software',
  'none',
] as const;
export type TechnologyArea = (typeof TECHNOLOGY_AREAS)[number];

export const DATA_CATEGORIES = [
  'none',
  'presentation_materials',
  'source_code',
  'model_weights',
  'training_data',
  'personal_data',
  'business_confidential',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

export const PARTIES = ['hr', 'legal', 'security', 'data_governance'] as const;
export type Party = (typeof PARTIES)[number];

export const TIERS = ['standard', 'sensitive', 'core', 'strategic'] as const;
export type Tier = (typeof TIERS)[number];

export const ROLES = ['employee', 'approver', 'custodian', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const DESTINATION_RISKS = ['low', 'elevated', 'high'] as const;
export type DestinationRisk = (typeof DESTINATION_RISKS)[number];

export const REQUEST_STATUSES = [
  'pending',
  'changes_requested',
  /** Every party approved; a blocking external authorization is not granted yet. */
  'awaiting_authorization',
  'approved',
  'rejected',
  'withdrawn',
  'expired',
  'closed',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** `superseded`: an approval given on content since amended; kept on the record, never counted. */
export const APPROVAL_STATUSES = [
  'waiting',
  'pending',
  'approved',
  'rejected',
  'changes_requested',
  'superseded',
] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const STAGE_STATUSES = ['waiting', 'active', 'approved', 'rejected', 'cancelled'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

export const DECISIONS = ['approve', 'reject', 'request_changes'] as const;
export type Decision = (typeof DECISIONS)[number];

export const COUNTERPARTY_ROLES = ['acquirer', 'target', 'partner'] as const;
export const DEAL_INVOLVEMENTS = ['due_diligence', 'negotiation', 'integration', 'key_person'] as const;
