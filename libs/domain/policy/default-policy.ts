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
    // Trip manifest (issue 16): material not yet published is reviewed by data governance.
    { party: 'data_governance', when: { unpublishedMaterial: true } },
  ],
  afterApproval: DEFAULT_AFTER_APPROVAL,
  delegation: DEFAULT_DELEGATION,
  links: { signInTiers: ['strategic'] },
  // What the state requires (DOMAIN.md, "What the state requires"; seeds 000 and 001).
  authorizations: [
    {
      kind: 'official_exit_approval',
      label: 'Official exit approval',
      authority: 'the competent government authority for key personnel',
      appliesWhen: { tierIn: ['core', 'strategic'] },
      reason: 'key AI staff (tier core or strategic) need government approval before travelling abroad',
      leadTimeDays: 30,
      blocks: 'approval',
      // A passport release is approved internally, but the passport stays in the vault until it is granted.
      blocksByType: { passport_release: 'passport_release' },
    },
    {
      kind: 'technology_export_licence',
      label: 'Technology-export licence',
      authority: 'the export-control authority (Ministry of Commerce)',
      appliesWhen: {
        allOf: [
          { requestTypeIn: ['ma_participation', 'overseas_assignment', 'departure_abroad'] },
          { controlledTechnology: true },
        ],
      },
      leadTimeDays: 45,
      blocks: 'approval',
    },
    {
      kind: 'confidentiality_unit_approval',
      label: 'Confidentiality-unit approval',
      authority: "the requester's confidentiality (secrecy) unit",
      appliesWhen: { anyOf: [{ classifiedAccess: true }, { inConfidentialityPeriod: true }] },
      leadTimeDays: 20,
      blocks: 'approval',
    },
    {
      kind: 'data_export_assessment',
      label: 'Data-export security assessment',
      authority: 'the cyberspace administration (data-export security assessment)',
      appliesWhen: { dataCategoriesAny: ['personal_data', 'training_data'] },
      leadTimeDays: 45,
      blocks: 'departure',
    },
  ],
  determinations: [
    {
      rule: 'embargoed_destination',
      when: { destinationIn: ['KP'] },
      outcome: 'blocked',
      reason: 'Travel to North Korea (KP) is not permitted under comprehensive sanctions and export-control rules.',
      contact: 'Legal, export control (legal@example.com)',
    },
    {
      rule: 'loaner_device_high_risk',
      when: { destinationRiskIn: ['high'] },
      outcome: 'condition',
      reason: 'the destination is rated high risk: company devices stay at home',
      condition: 'Loaner device only: no company laptop or phone travels',
    },
    {
      rule: 'company_device_high_risk',
      when: { allOf: [{ destinationRiskIn: ['high'] }, { companyDevice: true }] },
      outcome: 'condition',
      reason: 'a company device is declared for a destination rated high risk: it stays at home',
      condition: 'Take a loaner instead of {companyDevices}',
    },
    {
      rule: 'published_material_only',
      when: {
        allOf: [
          { presenting: true },
          // Declared unpublished material goes to data governance instead (the `always` rule above).
          { not: { unpublishedMaterial: true } },
          {
            not: {
              dataCategoriesAny: [
                'source_code',
                'model_weights',
                'training_data',
                'personal_data',
                'business_confidential',
              ],
            },
          },
        ],
      },
      outcome: 'condition',
      reason: 'presenting with no data leaving the company: only what is already published may be shown',
      condition: 'Published material only: show nothing that is not already public',
    },
  ],
  parties: {
    hr: STANDARD_DEADLINES,
    legal: STANDARD_DEADLINES,
    security: STANDARD_DEADLINES,
    data_governance: STANDARD_DEADLINES,
  },
};
