import ms from 'ms';
import { z } from 'zod';
import {
  DATA_CATEGORIES,
  DESTINATION_RISKS,
  PARTIES,
  REQUEST_TYPES,
  TECHNOLOGY_AREAS,
  TIERS,
  type DataCategory,
  type DestinationRisk,
  type RequestType,
  type TechnologyArea,
  type Tier,
} from '../vocabulary';

/**
 * The routing policy as data, validated with zod. Admins store new versions; each request pins
 * the version in force when it was submitted.
 */

/** When a rule applies. Leaves test one fact of the request; anyOf/allOf combine them. */
export type Condition =
  | { anyOf: Condition[] }
  | { allOf: Condition[] }
  | { tierIn: Tier[] }
  | { destinationRiskIn: DestinationRisk[] }
  | { presenting: true }
  | { dataLeaves: true }
  | { dataCategoriesAny: DataCategory[] }
  | { controlledTechnology: true }
  | { technologyAreasAny: TechnologyArea[] }
  | { screeningHit: true }
  | { not: Condition }
  | { requestTypeIn: RequestType[] }
  | { destinationIn: string[] }
  | { classifiedAccess: true }
  | { inConfidentialityPeriod: true }
  | { unpublishedMaterial: true }
  | { companyDevice: true };

const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in capitals');

const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ anyOf: z.array(condition).min(1) }).strict(),
    z.object({ allOf: z.array(condition).min(1) }).strict(),
    z.object({ tierIn: z.array(z.enum(TIERS)).min(1) }).strict(),
    z.object({ destinationRiskIn: z.array(z.enum(DESTINATION_RISKS)).min(1) }).strict(),
    z.object({ presenting: z.literal(true) }).strict(),
    z.object({ dataLeaves: z.literal(true) }).strict(),
    z.object({ dataCategoriesAny: z.array(z.enum(DATA_CATEGORIES)).min(1) }).strict(),
    z.object({ controlledTechnology: z.literal(true) }).strict(),
    z.object({ technologyAreasAny: z.array(z.enum(TECHNOLOGY_AREAS)).min(1) }).strict(),
    z.object({ screeningHit: z.literal(true) }).strict(),
    z.object({ not: condition }).strict(),
    z.object({ requestTypeIn: z.array(z.enum(REQUEST_TYPES)).min(1) }).strict(),
    z.object({ destinationIn: z.array(countryCode).min(1) }).strict(),
    /** The requester carries the directory's `classified_access` flag. */
    z.object({ classifiedAccess: z.literal(true) }).strict(),
    /** The requester's confidentiality period (directory) runs past the request's departure date. */
    z.object({ inConfidentialityPeriod: z.literal(true) }).strict(),
    /** The trip manifest declares material that is not published (one reason per title). */
    z.object({ unpublishedMaterial: z.literal(true) }).strict(),
    /** The trip manifest declares a company laptop or phone (one reason per device, by asset tag). */
    z.object({ companyDevice: z.literal(true) }).strict(),
  ]),
);

/** Milliseconds of a duration such as `90m`, `24h` or `14d`; NaN when it is not one. */
export function durationMs(value: string): number {
  const parsed: unknown = ms(value as Parameters<typeof ms>[0]);
  return typeof parsed === 'number' ? parsed : Number.NaN;
}

const duration = z.string().refine((value) => durationMs(value) > 0, 'must be a duration such as 90m, 24h or 14d');

const rule = z
  .object({
    party: z.enum(PARTIES),
    stage: z.number().int().min(1).max(10),
    when: condition.optional(),
    /** Shown to approvers as why they were asked; derived from the condition when omitted. */
    reason: z.string().trim().min(1).max(300).optional(),
  })
  .strict();

/** Rules that hold for every type: the party joins the stage where it already is, or `stage` (default 1). */
const alwaysRule = rule.extend({ stage: z.number().int().min(1).max(10).optional() }).strict();

const partySettings = z
  .object({
    /** How many members of the party must approve (k of n). */
    quorum: z.number().int().min(1).max(20),
    deadlines: z
      .object({
        reminderAfter: duration,
        /** At most one reminder per party per this interval. */
        reminderEvery: duration,
        escalateAfter: duration,
        expireAfter: duration,
      })
      .strict()
      .superRefine((d, ctx) => {
        const [remind, escalate, expire] = [d.reminderAfter, d.escalateAfter, d.expireAfter].map(durationMs);
        if (escalate <= remind)
          ctx.addIssue({ code: 'custom', path: ['escalateAfter'], message: 'must be later than reminderAfter' });
        if (expire <= escalate)
          ctx.addIssue({ code: 'custom', path: ['expireAfter'], message: 'must be later than escalateAfter' });
      }),
  })
  .strict();

/** What an approved request must still do, and how it is chased. Defaults apply when omitted. */
const afterApproval = z
  .object({
    /** Tiers that need pre-departure confidentiality training, due this long before departure. */
    trainingTiers: z.array(z.enum(TIERS)),
    trainingDueBefore: duration,
    /** Types that need a debrief, due this long after return. */
    debriefTypes: z.array(z.enum(REQUEST_TYPES)),
    debriefWithin: duration,
    /** A released passport is due back this long after the return date. */
    passportGrace: duration,
    /** Overdue obligations (and passports) remind the employee this often, and escalate to security after this long. */
    reminderEvery: duration,
    escalateAfter: duration,
    /** An approval lapses if the trip has not started this long after it; the request then needs re-approval. */
    approvalValidity: duration,
  })
  .strict();

export const DEFAULT_AFTER_APPROVAL: z.infer<typeof afterApproval> = {
  trainingTiers: ['core', 'strategic'],
  trainingDueBefore: '1d',
  debriefTypes: ['conference', 'overseas_assignment', 'ma_participation'],
  debriefWithin: '5d',
  passportGrace: '3d',
  reminderEvery: '1d',
  escalateAfter: '3d',
  approvalValidity: '30d',
};

/** How long an approver may hand their decisions to a stand-in. Defaults apply when omitted. */
const delegationSettings = z
  .object({
    /** The longest period one delegation may cover, in calendar days (both ends included). */
    maxDays: z.number().int().min(1).max(365),
  })
  .strict();

export const DEFAULT_DELEGATION: z.infer<typeof delegationSettings> = { maxDays: 30 };

/** Who may decide from an email link alone. */
const links = z
  .object({
    /**
     * Requests of these tiers (and every passport release) count a link decision only when the
     * recipient is signed in as themselves or confirms with a one-time code: a forwarded email alone decides nothing.
     */
    signInTiers: z.array(z.enum(TIERS)),
  })
  .strict();

/** What an authorization holds up until it is granted: the request's approval, the passport's release, the departure. */
export const AUTHORIZATION_BLOCKS = ['approval', 'passport_release', 'departure'] as const;
export type AuthorizationBlock = (typeof AUTHORIZATION_BLOCKS)[number];

export const DETERMINATION_OUTCOMES = ['blocked', 'licence_required', 'condition'] as const;
export type DeterminationOutcome = (typeof DETERMINATION_OUTCOMES)[number];

const slug = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{1,59}$/,
    'must be lower case letters, digits and underscores (2 to 60), starting with a letter',
  );

/**
 * An authority's decision some requests need (an official exit approval, an export licence, ...):
 * required when `appliesWhen` holds; `blocks` says what waits for it, per request type where
 * `blocksByType` says otherwise (a passport release waits with the passport, not with its approval).
 */
const authorizationKind = z
  .object({
    kind: slug,
    label: z.string().trim().min(1).max(200),
    authority: z.string().trim().min(1).max(200),
    appliesWhen: condition,
    /** Shown as why it applies; derived from the condition when omitted. */
    reason: z.string().trim().min(1).max(300).optional(),
    /** How many days before departure one should apply; a closer departure is warned about. */
    leadTimeDays: z.number().int().min(0).max(365),
    blocks: z.enum(AUTHORIZATION_BLOCKS),
    blocksByType: z
      .object(Object.fromEntries(REQUEST_TYPES.map((t) => [t, z.enum(AUTHORIZATION_BLOCKS).optional()])))
      .strict()
      .optional(),
  })
  .strict();

/**
 * A rule over the request that decides something by itself: the destination is `blocked` (refused at
 * submission), a licence is required (`authorization` names the kind it adds), or an automatic `condition`.
 */
const determinationRule = z
  .object({
    rule: slug,
    when: condition,
    outcome: z.enum(DETERMINATION_OUTCOMES),
    reason: z.string().trim().min(1).max(500),
    /** The condition's text, for `condition` outcomes ("Loaner device only"); `{companyDevices}` in it names the declared company devices. */
    condition: z.string().trim().min(1).max(300).optional(),
    /** Whom to contact, for `blocked` outcomes. */
    contact: z.string().trim().min(1).max(300).optional(),
    /** The authorization kind a `licence_required` outcome adds. */
    authorization: slug.optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.outcome === 'condition' && !d.condition)
      ctx.addIssue({ code: 'custom', path: ['condition'], message: 'is required when the outcome is condition' });
    if (d.outcome === 'licence_required' && !d.authorization)
      ctx.addIssue({
        code: 'custom',
        path: ['authorization'],
        message: 'is required when the outcome is licence_required (the kind of authorization it adds)',
      });
  });

export const policyDocumentSchema = z
  .object({
    description: z.string().max(2000).optional(),
    destinationRisk: z
      .object({ default: z.enum(DESTINATION_RISKS), countries: z.record(countryCode, z.enum(DESTINATION_RISKS)) })
      .strict(),
    controlledTechnology: z
      .object({
        always: z.array(z.enum(TECHNOLOGY_AREAS)),
        byTier: z
          .object(Object.fromEntries(TIERS.map((t) => [t, z.array(z.enum(TECHNOLOGY_AREAS)).optional()])))
          .strict(),
      })
      .strict(),
    routes: z.object(Object.fromEntries(REQUEST_TYPES.map((t) => [t, z.array(rule).min(1)]))).strict(),
    always: z.array(alwaysRule),
    parties: z.object(Object.fromEntries(PARTIES.map((p) => [p, partySettings]))).strict(),
    afterApproval: afterApproval.optional(),
    delegation: delegationSettings.optional(),
    links: links.optional(),
    authorizations: z.array(authorizationKind).max(50).optional(),
    determinations: z.array(determinationRule).max(100).optional(),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const kinds = new Set<string>();
    (doc.authorizations ?? []).forEach((a, i) => {
      if (kinds.has(a.kind))
        ctx.addIssue({
          code: 'custom',
          path: ['authorizations', i, 'kind'],
          message: `kind ${a.kind} is listed twice`,
        });
      kinds.add(a.kind);
    });
    const rules = new Set<string>();
    (doc.determinations ?? []).forEach((d, i) => {
      if (rules.has(d.rule))
        ctx.addIssue({
          code: 'custom',
          path: ['determinations', i, 'rule'],
          message: `rule ${d.rule} is listed twice`,
        });
      rules.add(d.rule);
      if (d.authorization && !kinds.has(d.authorization))
        ctx.addIssue({
          code: 'custom',
          path: ['determinations', i, 'authorization'],
          message: `names no kind of the policy's authorizations (${[...kinds].join(', ') || 'none'})`,
        });
    });
  });

export type AfterApproval = z.infer<typeof afterApproval>;
export type DelegationSettings = z.infer<typeof delegationSettings>;

export type PolicyRule = z.infer<typeof rule>;
export type AuthorizationKind = Omit<z.infer<typeof authorizationKind>, 'blocksByType'> & {
  blocksByType?: Partial<Record<RequestType, AuthorizationBlock>>;
};
export type DeterminationRule = z.infer<typeof determinationRule>;
export type AlwaysRule = z.infer<typeof alwaysRule>;
export type PartySettings = z.infer<typeof partySettings>;
export type PolicyDocument = {
  description?: string;
  destinationRisk: { default: DestinationRisk; countries: Record<string, DestinationRisk> };
  controlledTechnology: { always: TechnologyArea[]; byTier: Partial<Record<Tier, TechnologyArea[]>> };
  routes: Record<(typeof REQUEST_TYPES)[number], PolicyRule[]>;
  always: AlwaysRule[];
  parties: Record<(typeof PARTIES)[number], PartySettings>;
  /** Omitted in older versions: DEFAULT_AFTER_APPROVAL applies. */
  afterApproval?: AfterApproval;
  /** Omitted in older versions: DEFAULT_DELEGATION applies. */
  delegation?: DelegationSettings;
  /** Omitted in older versions: `signInTiers: ['strategic']` applies. */
  links?: { signInTiers: Tier[] };
  /** Authorities' decisions requests may need; omitted in older versions: none. */
  authorizations?: AuthorizationKind[];
  /** Rules that block, require a licence or add conditions; omitted in older versions: none. */
  determinations?: DeterminationRule[];
};

/** A stored version of the policy. */
export interface RoutingPolicy extends PolicyDocument {
  version: number;
}

export interface PolicyProblem {
  field: string;
  messages: string[];
}

/** Validates a policy document; problems name the path of every bad field (`routes.conference.0.party`). */
export function parsePolicyDocument(input: unknown): { document: PolicyDocument } | { problems: PolicyProblem[] } {
  const result = policyDocumentSchema.safeParse(input);
  if (result.success) return { document: result.data as PolicyDocument };
  const byField = new Map<string, string[]>();
  for (const issue of result.error.issues) {
    const field = issue.path.join('.') || 'policy';
    const message =
      issue.code === 'invalid_union' ? 'is not a known condition (see the policy format in the README)' : issue.message;
    byField.set(field, [...(byField.get(field) ?? []), message]);
  }
  return { problems: [...byField].map(([field, messages]) => ({ field, messages })) };
}
