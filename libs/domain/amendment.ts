import type { ApprovalState, RequestState } from './approval-state';
import { openStage, restartCurrentStage, waitingStages } from './approval-state';
import type { RoutePlan } from './policy';
import type { RequestInput } from './request';
import { manifestInWords, manifestOrNull, type TripManifest } from './manifest';
import { countryName, label, reasonInWords, returnInWords } from './labels';
import { PARTIES, type Party } from './vocabulary';

/**
 * An amendment as a fact of its own: what changed field by field, and whether the route it needs
 * differs from the one being run. Pure, so the workflow (deterministic) and the records share it.
 */

/** One field of the request as it was and as amended (request inputs hold no passport numbers). */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** An approval given on content since amended: kept on the record, never counted. */
export interface SupersededApproval extends ApprovalState {
  status: 'superseded';
  /** The round in which it was given. */
  round: number;
}

/** How an amendment changed the route: who was added or dropped, and why the new ones are asked. */
export interface RouteChange {
  /** The round the new route starts. */
  round: number;
  added: Party[];
  removed: Party[];
  /** Parties still asked, but in another stage. */
  moved: Party[];
  /** Restricted-party hits the amended counterparties brought that the earlier ones did not. */
  newScreeningHits: number;
  /** Why each added party is asked (and a line for new screening hits), in words people read. */
  reasons: string[];
}

const TOP_FIELDS = [
  'destinationCountry',
  'departureDate',
  'returnDate',
  'purpose',
  'counterparties',
  'technologyAreas',
  'dataCategories',
  'manifest',
] as const;

/** JSON with sorted keys: two values are the same when these strings are. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The fields an amendment changed, in the order of the form; details field by field (`details.presenting`). */
export function changedFields(before: RequestInput, after: RequestInput): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of TOP_FIELDS) {
    const was = field === 'manifest' ? manifestOrNull(before.manifest) : before[field];
    const now = field === 'manifest' ? manifestOrNull(after.manifest) : after[field];
    if (canonical(was) !== canonical(now)) {
      changes.push({ field, before: was ?? null, after: now ?? null });
    }
  }
  const was = (before.details ?? {}) as unknown as Record<string, unknown>;
  const now = (after.details ?? {}) as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])];
  for (const key of keys) {
    if (canonical(was[key]) !== canonical(now[key])) {
      changes.push({ field: `details.${key}`, before: was[key] ?? null, after: now[key] ?? null });
    }
  }
  return changes;
}

const FIELD_WORDS: Record<string, string> = {
  destinationCountry: 'destination',
  departureDate: 'departure',
  returnDate: 'return',
  purpose: 'purpose',
  counterparties: 'counterparties',
  technologyAreas: 'technology areas',
  dataCategories: 'data categories',
  manifest: 'manifest',
};

function shown(field: string, value: unknown): string {
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return '(none)';
  if (field === 'counterparties' && Array.isArray(value)) {
    return value.map((c: { name?: string; country?: string }) => `${c.name ?? '?'} (${c.country ?? '?'})`).join(', ');
  }
  if (field === 'manifest' && typeof value === 'object') {
    const words = manifestInWords(value as TripManifest);
    return [...words.devices, ...words.materials].join('; ') || '(none)';
  }
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'string' && (field === 'purpose' || field.startsWith('details.'))) return `"${value}"`;
  if (typeof value === 'object') return canonical(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One change in words: `destination US → IR`. */
export function describeChange(change: FieldChange): string {
  const words = FIELD_WORDS[change.field] ?? change.field.replace(/^details\./, '').replace(/([A-Z])/g, ' $1');
  return `${words.toLowerCase()} ${shown(change.field, change.before)} → ${shown(change.field, change.after)}`;
}

/**
 * One change as people read it: countries by name (`destination United States → Iran`,
 * `Globex (Germany) → Globex (France)`). The workflow's own notices keep describeChange's wording
 * (it is in running histories); pages, the timeline and emails show this.
 */
export function describeChangeInWords(change: FieldChange): string {
  if (change.field === 'destinationCountry' || change.field === 'counterparties') {
    return changeLineInWords(describeChange(change));
  }
  if (change.field === 'returnDate') {
    const date = (value: unknown) => returnInWords(typeof value === 'string' ? value : null);
    return `return ${date(change.before)} → ${date(change.after)}`;
  }
  return describeChange(change);
}

/**
 * A change line as describeChange words it (`destination US → IR`, `counterparties Globex (DE) → …`)
 * with the countries by name; other lines as they are.
 */
export function changeLineInWords(line: string): string {
  const destination = /^destination ([A-Z]{2}|\(none\)) → ([A-Z]{2}|\(none\))$/.exec(line);
  if (destination) return `destination ${countryName(destination[1])} → ${countryName(destination[2])}`;
  if (line.startsWith('counterparties '))
    return line.replace(/\(([A-Z]{2})\)/g, (_, code: string) => `(${countryName(code)})`);
  return line;
}

/** Where each party sits in a plan, with its quorum: two plans route alike when these match. */
function seats(plan: RoutePlan): Map<Party, string> {
  return new Map(plan.stages.flatMap((s) => s.parties.map((p) => [p.party, `${s.index}:${p.quorum}`] as const)));
}

const hitKey = (h: RoutePlan['screeningHits'][number]) => `${h.entryId}|${h.counterparty.toLowerCase()}`;

/**
 * How the amended request's plan differs from the one being run, or null when it routes alike
 * (same parties in the same stages with the same quorum, and no new screening hit).
 */
export function routeChange(before: RoutePlan, after: RoutePlan, round: number): RouteChange | null {
  const was = seats(before);
  const now = seats(after);
  const added = [...now.keys()].filter((p) => !was.has(p));
  const removed = [...was.keys()].filter((p) => !now.has(p));
  const moved = [...now.keys()].filter((p) => was.has(p) && was.get(p) !== now.get(p));
  const known = new Set(before.screeningHits.map(hitKey));
  const newHits = after.screeningHits.filter((h) => !known.has(hitKey(h)));
  if (added.length + removed.length + moved.length + newHits.length === 0) return null;
  const reasonsOf = (party: Party) =>
    after.stages.flatMap((s) => s.parties).find((p) => p.party === party)?.reasons ?? [];
  const reasons = [
    ...added.map((party) => `${party}: ${reasonsOf(party).join('; ')}`),
    ...(newHits.length > 0 ? [`${newHits.length} new restricted-party screening hit(s)`] : []),
  ];
  return { round, added, removed, moved, newScreeningHits: newHits.length, reasons };
}

/** "Route changed after amendment: security and legal added because …". */
export function describeRouteChange(change: RouteChange): string {
  const parts: string[] = [];
  if (change.added.length > 0) {
    // One party added: its reasons read on their own ("security added because destination IR is …").
    const only = change.added.length === 1 ? `${change.added[0]}: ` : null;
    const reasons = change.reasons.map((r) => (only && r.startsWith(only) ? r.slice(only.length) : r));
    parts.push(`${change.added.join(' and ')} added because ${reasons.join('; ')}`);
  } else if (change.newScreeningHits > 0) parts.push(change.reasons.join('; '));
  if (change.removed.length > 0) parts.push(`${change.removed.join(' and ')} no longer asked`);
  if (change.moved.length > 0) parts.push(`${change.moved.join(' and ')} now in another stage`);
  return `Route changed after amendment: ${parts.join('; ')}`;
}

/**
 * describeRouteChange as people read it: parties by their labels, countries by name, codes in the
 * reasons in words ("Route changed after amendment: Security added because destination Iran is rated
 * high risk"). The workflow's notices keep describeRouteChange (it is in running histories); the
 * timeline shows this.
 */
export function describeRouteChangeInWords(change: RouteChange): string {
  const names = (parties: Party[]) => parties.map((p) => label(p)).join(' and ');
  const reasonWords = (reason: string) => reason.split('; ').map(reasonInWords).join('; ');
  const parts: string[] = [];
  if (change.added.length > 0) {
    const only = change.added.length === 1 ? `${change.added[0]}: ` : null;
    const reasons = change.reasons.map((r) => {
      if (only && r.startsWith(only)) return reasonWords(r.slice(only.length));
      const party = /^(\w+): (.*)$/.exec(r);
      return party && change.added.includes(party[1] as Party)
        ? `${label(party[1])}: ${reasonWords(party[2])}`
        : reasonWords(r);
    });
    parts.push(`${names(change.added)} added because ${reasons.join('; ')}`);
  } else if (change.newScreeningHits > 0) parts.push(change.reasons.join('; '));
  if (change.removed.length > 0) parts.push(`${names(change.removed)} no longer asked`);
  if (change.moved.length > 0) parts.push(`${names(change.moved)} now in another stage`);
  return `Route changed after amendment: ${parts.join('; ')}`;
}

const ROUTE_CHANGED = 'Route changed after amendment: ';
const isParty = (word: string): word is Party => (PARTIES as readonly string[]).includes(word);

/** "security: destination IR is rated high risk" → "Security: destination Iran is rated high risk". */
function partyReasonInWords(reason: string): string {
  const party = /^(\w+): (.*)$/.exec(reason);
  return party && isParty(party[1]) ? `${label(party[1])}: ${reasonInWords(party[2])}` : reasonInWords(reason);
}

/**
 * A route change as describeRouteChange worded it (the workflow's notices carry that text, it is in
 * running histories), read in words the way describeRouteChangeInWords says it: for the emails.
 */
export function routeChangeLineInWords(line: string): string {
  if (!line.startsWith(ROUTE_CHANGED)) return line;
  const segments = line
    .slice(ROUTE_CHANGED.length)
    .split('; ')
    .map((segment) => {
      const head = /^(\w+(?: and \w+)*) (added because|no longer asked|now in another stage)(?: (.*))?$/.exec(segment);
      const parties = head?.[1].split(' and ') ?? [];
      if (!head || !parties.every(isParty)) return partyReasonInWords(segment);
      const names = parties.map((p) => label(p)).join(' and ');
      return `${names} ${head[2]}${head[3] ? ` ${partyReasonInWords(head[3])}` : ''}`;
    });
  return ROUTE_CHANGED + segments.join('; ');
}

/** Approvals that counted on the earlier content (whole or towards a quorum), as superseded. */
function supersededOf(state: RequestState, approvals: ApprovalState[]): SupersededApproval[] {
  return approvals
    .filter((a) => a.status === 'approved' || a.approvedBy.length > 0)
    .map((a) => ({ ...a, status: 'superseded' as const, round: state.round }));
}

/**
 * The amended request routes differently: review restarts at stage 1 of the new plan in a new round.
 * Every approval given on the earlier content stays on the record as superseded and counts for nothing.
 */
export function replan(state: RequestState, plan: RoutePlan, change: RouteChange): RequestState {
  const superseded = supersededOf(
    state,
    state.stages.flatMap((s) => s.approvals),
  );
  const next: RequestState = {
    ...state,
    status: 'pending',
    round: state.round + 1,
    superseded: [...(state.superseded ?? []), ...superseded],
    routeChanges: [...(state.routeChanges ?? []), change],
    stages: waitingStages(plan),
  };
  return openStage(next, 1);
}

/**
 * The amended request routes alike: the current stage restarts in a new round (as before), and the
 * approvals its parties had given on the earlier content stay on the record as superseded.
 */
export function restartAfterAmendment(state: RequestState): RequestState {
  const restarted = restartCurrentStage(state);
  const current = state.stages[state.currentStage - 1];
  const superseded = supersededOf(state, current?.approvals ?? []);
  if (superseded.length === 0) return restarted;
  return { ...restarted, superseded: [...(state.superseded ?? []), ...superseded] };
}

/** What an approver said last time, shown when they are asked again after an amendment. */
export interface EarlierDecision {
  status: ApprovalState['status'];
  comment: string | null;
  conditions: string[];
}

export function earlierDecisions(state: RequestState): Partial<Record<Party, EarlierDecision>> {
  const earlier: Partial<Record<Party, EarlierDecision>> = {};
  for (const a of state.stages.flatMap((s) => s.approvals)) {
    const votes = a.approvedBy.flatMap((v) => (v.comment ? [v.comment] : []));
    const comment = a.comment ?? (votes.length > 0 ? votes.join('; ') : null);
    const undecided = a.status === 'waiting' || a.status === 'pending';
    if (undecided && !comment && a.conditions.length === 0) continue;
    earlier[a.party] = { status: a.status, comment, conditions: [...a.conditions] };
  }
  return earlier;
}

/** One accepted decision as the decision log keeps it (what `sinceLastDecided` reads). */
export interface LoggedDecision {
  party: string;
  decision: string;
  decidedBy: string;
  comment: string | null;
  conditions: string[];
  round: number;
  decidedAt: string;
}

/** One amendment as the audit log keeps it: the round it opened and its changes, before and after. */
export interface LoggedAmendment {
  round: number;
  changes: FieldChange[];
}

/** What a party asked again reads: its last decision, and every field changed since, from then to now. */
export interface SinceLastDecided {
  party: string;
  /** The party's last decision before this round (its latest vote, for a quorum). */
  decision: string;
  decidedBy: string;
  decidedAt: string;
  round: number;
  comment: string | null;
  conditions: string[];
  /** Field by field, the value the party decided on → the value now; empty when amendments undid each other. */
  changes: FieldChange[];
}

/**
 * Since a party last decided: its last decision in an earlier round than `round`, and the fields the
 * amendments after it changed, each from the value it decided on to the value now (several amendments
 * compose; a field changed and changed back is left out). Null when the party has not decided in an
 * earlier round, or has already decided again in this one.
 */
export function sinceLastDecided(
  party: string,
  round: number,
  decisions: LoggedDecision[],
  amendments: LoggedAmendment[],
): SinceLastDecided | null {
  const own = decisions.filter((d) => d.party === party);
  const last = own[own.length - 1];
  if (!last || last.round >= round) return null;
  const later = amendments.filter((a) => a.round > last.round && a.round <= round).sort((a, b) => a.round - b.round);
  const composed = new Map<string, FieldChange>();
  for (const change of later.flatMap((a) => a.changes)) {
    const was = composed.get(change.field);
    composed.set(change.field, { field: change.field, before: was ? was.before : change.before, after: change.after });
  }
  const changes = [...composed.values()].filter((c) => canonical(c.before) !== canonical(c.after));
  return {
    party,
    decision: last.decision,
    decidedBy: last.decidedBy,
    decidedAt: last.decidedAt,
    round: last.round,
    comment: last.comment,
    conditions: last.conditions,
    changes,
  };
}

/** A field change as a person reads it: codes (technology areas, data categories, yes/no) in words. */
function changeInWords(change: FieldChange): string {
  const coded = (v: unknown): unknown =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') && change.field !== 'counterparties'
      ? v.map((x: string) => label(x))
      : typeof v === 'boolean'
        ? v
          ? 'yes'
          : 'no'
        : typeof v === 'string' && change.field.startsWith('details.') && /^[a-z]+(?:_[a-z]+)*$/.test(v)
          ? label(v)
          : v;
  return describeChangeInWords({ ...change, before: coded(change.before), after: coded(change.after) });
}

const LAST_DECIDED: Record<string, string> = {
  approve: 'approved',
  reject: 'rejected',
  request_changes: 'asked for changes',
};

/** "What changed since you last decided", in words: the party's last decision and each field from then to now. */
export interface SinceInWords {
  party: string;
  decided: string;
  comment: string | null;
  conditions: string[];
  changes: string[];
}

export function sinceInWords(since: SinceLastDecided[]): SinceInWords[] {
  return since.map((s) => ({
    party: label(s.party),
    decided: `${label(s.party)} ${LAST_DECIDED[s.decision] ?? label(s.decision).toLowerCase()} in round ${s.round} (${s.decidedBy}, ${s.decidedAt.slice(0, 10)})`,
    comment: s.comment,
    conditions: s.conditions,
    changes: s.changes.map(changeInWords),
  }));
}
