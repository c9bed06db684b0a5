import { DEFAULT_AFTER_APPROVAL, DEFAULT_DELEGATION, type PartySettings, type PolicyDocument } from './policy-schema';

const STANDARD_DEADLINES: PartySettings = {
  quorum: 1,
  deadlines: { reminderAfter: '24h', reminderEvery: '24h', escalateAfter: '72h', expireAfter: '14d' },
};

/** Version 1: the default routing policy of DOMAIN.md, as data. */
export const DEFAULT_POLICY_DOCUMENT: PolicyDocument = {
  description: 'Default routing policy (DOMAIN.md)',
  destinationRisk: { default: 'low', countries: { KP: 'high', IR: 'high', SY: 'high' } },
  controlledTechnology: {
    always: ['ai_chips', 'eda', 'advanced_process'],
    byTier: { core: ['large_models'], strategic: ['large_models'] },
  },
  routes: {
    conference: [
      { party: 'hr', stage: 1 },
      {
        party: 'security',
        stage: 1,
        when: { anyOf: [{ tierIn: ['core', 'strategic'] }, { destinationRiskIn: ['high'] }] },
      },
      { party: 'data_governance', stage: 1, when: { anyOf: [{ presenting: true }, { dataLeaves: true }] } },
      { party: 'legal', stage: 1, when: { controlledTechnology: true } },
    ],
    overseas_assignment: [
      { party: 'hr', stage: 1 },
      { party: 'security', stage: 1 },
      { party: 'legal', stage: 2 },
      { party: 'data_governance', stage: 2 },
    ],
    ma_participation: [
      { party: 'legal', stage: 1 },
      { party: 'security', stage: 2 },
      { party: 'data_governance', stage: 2 },
      { party: 'hr', stage: 2 },
    ],
    passport_release: [
      { party: 'security', stage: 1 },
      { party: 'hr', stage: 1 },
      { party: 'legal', stage: 1, when: { tierIn: ['strategic'] } },
      { party: 'data_governance', stage: 1, when: { tierIn: ['strategic'] } },
    ],
    departure_abroad: [
      { party: 'hr', stage: 1, reason: 'confidentiality obligations and non-compete' },
      { party: 'legal', stage: 1, reason: 'non-compete and export control' },
      { party: 'security', stage: 1, reason: 'national-security and confidentiality review' },
      { party: 'data_governance', stage: 1, reason: 'data security: what leaves with the person' },
    ],
  },
  always: [
    { party: 'legal', when: { screeningHit: true } },
    { party: 'security', when: { screeningHit: true } },
    {
      party: 'security',
      when: { tierIn: ['strategic'] },
      reason: "a strategic person's request always needs security",
    },
  ],
  afterApproval: DEFAULT_AFTER_APPROVAL,
  delegation: DEFAULT_DELEGATION,
  links: { signInTiers: ['strategic'] },
  parties: {
    hr: STANDARD_DEADLINES,
    legal: STANDARD_DEADLINES,
    security: STANDARD_DEADLINES,
    data_governance: STANDARD_DEADLINES,
  },
};
