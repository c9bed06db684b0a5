import type { ScreeningHit } from './screening';
import { deviceInWords, materialTitleInWords, type TripManifest } from './manifest';
import type {
  ApprovalStatus,
  DataCategory,
  Decision,
  DestinationRisk,
  Party,
  RequestStatus,
  RequestType,
  StageStatus,
  TechnologyArea,
  Tier,
} from './vocabulary';
import type { COUNTERPARTY_ROLES, DEAL_INVOLVEMENTS } from './vocabulary';

/**
 * One label table for every code the system stores: pages, emails and the timeline show these
 * words, never the code. Pure; countries come from the runtime's own CLDR data (Intl.DisplayNames).
 */
export const REQUEST_TYPE_LABELS: Record<RequestType, string> = {
  conference: 'Conference trip',
  overseas_assignment: 'Overseas assignment',
  ma_participation: 'Cross-border deal participation',
  passport_release: 'Passport release',
  departure_abroad: 'Departure to an employer abroad',
};

export const REQUEST_STATUS_LABELS: Record<RequestStatus, string> = {
  pending: 'Pending',
  changes_requested: 'Changes requested',
  awaiting_authorization: 'Awaiting external authorization',
  approved: 'Approved',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
  expired: 'Expired',
  closed: 'Closed',
};

export const APPROVAL_STATUS_LABELS: Record<ApprovalStatus, string> = {
  waiting: 'Waiting',
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected',
  changes_requested: 'Changes requested',
  superseded: 'Superseded (given before an amendment)',
};

export const STAGE_STATUS_LABELS: Record<StageStatus, string> = {
  waiting: 'Waiting',
  active: 'Active',
  approved: 'Approved',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
};

export const TECHNOLOGY_AREA_LABELS: Record<TechnologyArea, string> = {
  large_models: 'Large models',
  ai_chips: 'AI chips',
  eda: 'EDA (chip design software)',
  advanced_process: 'Advanced semiconductor process',
  robotics: 'Robotics',
  general_software: 'General software',
  none: 'None',
};

export const DATA_CATEGORY_LABELS: Record<DataCategory, string> = {
  none: 'None',
  presentation_materials: 'Presentation materials',
  source_code: 'Source code',
  model_weights: 'Model weights',
  training_data: 'Training data',
  personal_data: 'Personal data',
  business_confidential: 'Business confidential information',
};

export const PARTY_LABELS: Record<Party, string> = {
  hr: 'HR',
  legal: 'Legal',
  security: 'Security',
  data_governance: 'Data governance',
};

export const TIER_LABELS: Record<Tier, string> = {
  standard: 'Standard',
  sensitive: 'Sensitive',
  core: 'Core',
  strategic: 'Strategic',
};

export const DESTINATION_RISK_LABELS: Record<DestinationRisk, string> = {
  low: 'Low risk',
  elevated: 'Elevated risk',
  high: 'High risk',
};

export const COUNTERPARTY_ROLE_LABELS: Record<(typeof COUNTERPARTY_ROLES)[number], string> = {
  acquirer: 'Acquirer',
  target: 'Target',
  partner: 'Partner',
};

export const INVOLVEMENT_LABELS: Record<(typeof DEAL_INVOLVEMENTS)[number], string> = {
  due_diligence: 'Due diligence',
  negotiation: 'Negotiation',
  integration: 'Integration',
  key_person: 'Key person',
};

export const DECISION_LABELS: Record<Decision, string> = {
  approve: 'Approve',
  reject: 'Reject',
  request_changes: 'Request changes',
};

/** Obligations and passports: their states (and a party a finished request never needed). */
export const STATE_LABELS: Record<string, string> = {
  not_needed: 'Not needed',
  open: 'Open',
  fulfilled: 'Fulfilled',
  overdue: 'Overdue',
  in_custody: 'In custody',
  ready_for_hand_out: 'Ready for hand-out',
  released: 'Released',
  returned: 'Returned',
  deposited: 'Deposited',
  required: 'Required',
  applied: 'Applied for',
  granted: 'Granted',
  refused: 'Refused',
  expired: 'Expired',
};

/**
 * The approval status a page shows: a party still `waiting` or `pending` when the request was
 * withdrawn or rejected was never needed (`not_needed`, a page word only: the API's approval
 * statuses are the contract's). Anything else as it is.
 */
export function approvalStatusShown(requestStatus: string, approvalStatus: string): string {
  const finishedWithout = requestStatus === 'withdrawn' || requestStatus === 'rejected';
  return finishedWithout && (approvalStatus === 'pending' || approvalStatus === 'waiting')
    ? 'not_needed'
    : approvalStatus;
}

/** The fixed obligation kinds; `condition-<n>` is read by obligationKindLabel. */
export const OBLIGATION_KIND_LABELS: Record<string, string> = {
  training: 'Pre-travel security training',
  debrief: 'Debrief after return',
  passport_return: 'Passport back in custody',
};

/** How the author of a decision was authenticated (DecideInput's `via`). */
export const VIA_LABELS: Record<string, string> = {
  api: 'signed in, through the API',
  bulk: 'signed in, in a bulk decision',
  email: 'through an email link alone',
  'email-otp': 'through an email link, confirmed with a one-time code',
  'email-session': 'through an email link, signed in',
};

/** "Condition 2" for `condition-2`, the fixed kinds by name, anything else humanised. */
export function obligationKindLabel(kind: string): string {
  const condition = /^condition-(\d+)$/.exec(kind);
  if (condition) return `Condition ${condition[1]}`;
  return OBLIGATION_KIND_LABELS[kind] ?? humanise(kind);
}

let regions: Intl.DisplayNames | null = null;

/** A country's English name from its ISO 3166 alpha-2 code ("JP" → "Japan"); anything else as given. */
export function countryName(code: string): string {
  if (!/^[A-Za-z]{2}$/.test(code)) return code;
  regions ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
  return regions.of(code.toUpperCase()) ?? code;
}

/** Every code table at once, for a generic lookup (the pages' `words` helper); where two share a code, they agree. */
const ALL_LABELS: Record<string, string> = {
  ...STATE_LABELS,
  ...OBLIGATION_KIND_LABELS,
  ...DECISION_LABELS,
  ...DESTINATION_RISK_LABELS,
  ...TIER_LABELS,
  ...INVOLVEMENT_LABELS,
  ...COUNTERPARTY_ROLE_LABELS,
  ...DATA_CATEGORY_LABELS,
  ...TECHNOLOGY_AREA_LABELS,
  ...PARTY_LABELS,
  ...REQUEST_TYPE_LABELS,
  ...STAGE_STATUS_LABELS,
  ...REQUEST_STATUS_LABELS,
  ...APPROVAL_STATUS_LABELS,
};

/** Any code in words: the label when one of the tables has it, `condition-<n>` as a condition, else humanised. */
export function label(code: string): string {
  if (Object.prototype.hasOwnProperty.call(ALL_LABELS, code)) return ALL_LABELS[code];
  if (/^condition-\d+$/.test(code)) return obligationKindLabel(code);
  return humanise(code);
}

/** A list of codes in words, comma separated ("Source code, Model weights"). */
export function labels(codes: readonly string[]): string {
  return codes.map(label).join(', ');
}

/** A label inside a sentence: "large models", but "AI chips" and "EDA (…)" keep their capitals. */
export function inSentence(words: string): string {
  return /^[A-Z]{2}/.test(words) ? words : words.charAt(0).toLowerCase() + words.slice(1);
}

function humanise(code: string): string {
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A screening hit in words, for reviewers only: "Acme Quantum Research Inst. matches ACME Quantum
 * Research Institute on the Test list, 96 % similar" (naming the alias when the match was on one).
 */
export function screeningHitInWords(
  hit: Pick<ScreeningHit, 'counterparty' | 'entryName' | 'matchedName' | 'source' | 'score'>,
): string {
  const matched =
    hit.matchedName && hit.matchedName !== hit.entryName
      ? `${hit.matchedName} (also known as ${hit.entryName})`
      : hit.entryName;
  const list = /\blist\b/i.test(hit.source) ? hit.source : `${hit.source} list`;
  return `${hit.counterparty} matches ${matched} on the ${list}, ${Math.round(hit.score)} % similar`;
}

/** What pages and emails show where a permanent move (a departure abroad without one) has no return date. */
/**
 * The directory's flags of a person, in words, as a decision packet states them ("No classified access,
 * no confidentiality period" when none is set).
 */
export function flagsInWords(flags: { classifiedAccess: boolean; confidentialityPeriodEnds: string | null }): string {
  const classified = flags.classifiedAccess ? 'Has classified access' : 'No classified access';
  const period = flags.confidentialityPeriodEnds
    ? `in a confidentiality period until ${flags.confidentialityPeriodEnds}`
    : 'no confidentiality period';
  return `${classified}, ${period}`;
}

export const NO_RETURN_WORDS = 'No return (permanent move)';

/** A return date as people read it: the date, or "No return (permanent move)" when there is none. */
export function returnInWords(returnDate: string | null | undefined): string {
  return returnDate || NO_RETURN_WORDS;
}

/** A request's dates in one phrase: "2027-03-01 to 2027-03-07", or "2027-04-01, No return (permanent move)". */
export function datesInWords(departureDate: string, returnDate: string | null | undefined): string {
  return returnDate ? `${departureDate} to ${returnDate}` : `${departureDate}, ${NO_RETURN_WORDS}`;
}

/** A row of the decision packet: what the requester gave, in words. */
export interface PacketRow {
  label: string;
  value: string;
}

/** The request's facts as the packet needs them (a request view, or the stored request). */
export interface PacketSource {
  type: string;
  destinationCountry: string;
  destinationRisk?: string | null;
  departureDate: string;
  /** Null or absent: a permanent move. */
  returnDate?: string | null;
  purpose: string;
  counterparties: ReadonlyArray<{ name: string; country: string; contactEmail?: string }>;
  technologyAreas: readonly string[];
  dataCategories: readonly string[];
  details: Record<string, unknown>;
  /** The trip manifest (absent or null when none was declared). */
  manifest?: TripManifest | null;
  /** External authorizations the request needs (absent or empty when none). */
  authorizations?: ReadonlyArray<{ label: string; status: string }>;
  /** What the policy's determinations said: automatic conditions, licences (absent or empty when none). */
  determinations?: ReadonlyArray<{ outcome: string; reason: string; condition?: string | null }>;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The type-specific details in words, one row each; what the requester left empty is left out. */
export function detailRows(type: string, details: Record<string, unknown>): PacketRow[] {
  const rows: Array<PacketRow | null> = (() => {
    switch (type) {
      case 'conference':
        return [
          { label: 'Event', value: text(details.eventName) },
          typeof details.presenting === 'boolean'
            ? { label: 'Presenting', value: details.presenting ? 'Yes, presents at the event' : 'No, attends only' }
            : null,
        ];
      case 'overseas_assignment':
        return [
          { label: 'Host entity', value: text(details.hostEntity) },
          { label: 'Role', value: text(details.role) },
          typeof details.months === 'number'
            ? { label: 'Length', value: `${details.months} month${details.months === 1 ? '' : 's'}` }
            : null,
        ];
      case 'ma_participation':
        return [
          { label: 'Deal', value: text(details.dealName) },
          { label: 'Our side', value: text(details.counterpartyRole) ? label(text(details.counterpartyRole)) : '' },
          { label: 'Involvement', value: text(details.involvement) ? label(text(details.involvement)) : '' },
        ];
      case 'passport_release':
        return [{ label: 'Reason for the release', value: text(details.reason) }];
      case 'departure_abroad':
        return [
          { label: 'New employer', value: text(details.newEmployer) },
          { label: 'Last working day', value: text(details.lastWorkingDay) },
        ];
      default:
        return [];
    }
  })();
  return rows.filter((r): r is PacketRow => r !== null && r.value !== '');
}

/** Every detail the requester gave, in words: the type's own details first, then the common ones. */
export function packetRows(r: PacketSource): PacketRow[] {
  const destination = countryName(r.destinationCountry);
  const risk = r.destinationRisk ? ` (${label(r.destinationRisk).toLowerCase()})` : '';
  const dates = datesInWords(r.departureDate, r.returnDate);
  return [
    { label: 'Type', value: label(r.type) },
    ...detailRows(r.type, r.details ?? {}),
    { label: 'Destination', value: `${destination}${risk}` },
    { label: 'Dates', value: dates },
    { label: 'Purpose', value: r.purpose },
    ...(r.counterparties.length > 0
      ? [
          {
            label: 'Counterparties',
            value: r.counterparties.map((c) => `${c.name} (${countryName(c.country)})`).join('; '),
          },
        ]
      : []),
    { label: 'Technology', value: labels(r.technologyAreas) || 'None' },
    { label: 'Data crossing the border', value: labels(r.dataCategories) || 'None' },
    ...(r.manifest?.devices.length
      ? [{ label: 'Devices taken', value: r.manifest.devices.map(deviceInWords).join('; ') }]
      : []),
    ...(r.manifest?.materials.length
      ? [{ label: 'Materials shown or carried', value: r.manifest.materials.map(materialTitleInWords).join('; ') }]
      : []),
    ...(r.authorizations?.length
      ? [
          {
            label: 'External authorizations',
            value: r.authorizations.map((a) => `${a.label} (${label(a.status).toLowerCase()})`).join('; '),
          },
        ]
      : []),
    ...(r.determinations?.length
      ? [
          {
            label: 'Determined by the policy',
            value: r.determinations.map((d) => (d.condition ? `Condition: ${d.condition}` : d.reason)).join('; '),
          },
        ]
      : []),
  ];
}

/** Reasons whose tail is a comma-separated list of codes (libs/domain/policy/evaluate words them so). */
const CODE_LIST_REASON =
  /^(data leaves the company|data categories|technology areas|controlled technology for tier \w+): (.+)$/;

/**
 * A routing reason as people read it. The policy words reasons with the codes it matched on
 * ("data leaves the company: model_weights", "destination JP is rated high risk", "data_governance
 * reviews every …"); those are kept as recorded, and read here with the codes in words.
 */
export function reasonInWords(reason: string): string {
  const list = CODE_LIST_REASON.exec(reason);
  if (list) {
    const head = list[1].replace(/tier (\w+)$/, (_, tier: string) => `tier ${inSentence(label(tier))}`);
    return `${head}: ${list[2]
      .split(', ')
      .map((code) => inSentence(label(code)))
      .join(', ')}`;
  }
  return reason
    .replace(/^destination ([A-Z]{2}) is rated/, (_, code: string) => `destination ${countryName(code)} is rated`)
    .replace(/^(hr|legal|security|data_governance)(:? )/, (_, party: string, sep: string) => `${label(party)}${sep}`);
}
