import { describeChangeInWords, describeRouteChangeInWords, type FieldChange } from '@libs/domain/amendment';
import { label, obligationKindLabel, VIA_LABELS } from '@libs/domain/labels';
import type { Party } from '@libs/domain/vocabulary';
import type { AuditProof, SentEmailEntity } from '@libs/persistence';

export interface TimelineEntry {
  at: string;
  kind:
    | 'submitted'
    | 'amended'
    | 'route_changed'
    | 'stage_opened'
    | 'status'
    | 'decision'
    | 'email'
    | 'reminder'
    | 'escalation'
    | 'obligation'
    | 'authorization'
    | 'custody';
  title: string;
  actor: string | null;
  party: string | null;
  /** Facts of the event in words (the stages planned at submission, for example). */
  detail: string | null;
  /** What a person wrote: a decision's comment. */
  comment: string | null;
  /** On the entry that follows an amendment with one: the requester's answer to the reviewers. */
  reply?: string;
  conditions: string[];
}

type AuditRow = AuditProof['rows'][number];
type ApprovalSnapshot = { stage: number; party: string; status: string };

const DECIDED: Record<string, string> = {
  approve: 'approved',
  reject: 'rejected',
  request_changes: 'asked for changes',
};

const entry = (
  at: string,
  kind: TimelineEntry['kind'],
  title: string,
  extra: Partial<TimelineEntry> = {},
): TimelineEntry => ({
  at,
  kind,
  title,
  actor: null,
  party: null,
  detail: null,
  comment: null,
  conditions: [],
  ...extra,
});

const partiesInWords = (parties: string[]) => parties.map(label).join(', ');

/** "Amended by Carol Lee: destination US → IR, …", and the route change with its reasons when there was one. */
function amendmentEntries(row: AuditRow): TimelineEntry[] {
  const payload = (row.payload ?? {}) as Record<string, unknown>;
  const changes = ((payload.changes as FieldChange[] | undefined) ?? []).map(describeChangeInWords);
  const by = typeof payload.actorName === 'string' ? payload.actorName : (row.actor ?? 'the requester');
  const detail = changes.length > 0 ? changes.join(', ') : 'nothing changed';
  const entries = [entry(row.recordedAt, 'amended', `Amended by ${by}: ${detail}`, { actor: row.actor, detail })];
  if (typeof payload.reply === 'string' && payload.reply !== '') {
    entries.push(
      entry(row.recordedAt, 'amended', `${by} replied: “${payload.reply}”`, { actor: row.actor, reply: payload.reply }),
    );
  }
  if (payload.routeChanged === true) {
    const change = {
      round: Number(payload.round),
      added: (payload.addedParties as Party[] | undefined) ?? [],
      removed: (payload.removedParties as Party[] | undefined) ?? [],
      moved: (payload.movedParties as Party[] | undefined) ?? [],
      newScreeningHits: Number(payload.newScreeningHits ?? 0),
      reasons: ((payload.reasons as string[] | undefined) ?? []).map(String),
    };
    const superseded = ((payload.superseded as { party: string; decidedBy: string | null }[] | undefined) ?? []).map(
      (a) => `${label(a.party)} (${a.decidedBy ?? 'partly approved'})`,
    );
    entries.push(
      entry(row.recordedAt, 'route_changed', describeRouteChangeInWords(change), {
        detail: [
          'review restarts at stage 1 with the new route',
          ...(superseded.length > 0 ? [`approvals superseded: ${superseded.join(', ')}`] : []),
        ].join('; '),
      }),
    );
  }
  return entries;
}

/** Who reads a timeline, for which of its emails they see (`emailsShownTo`). */
export interface TimelineReader {
  email: string;
  /** The requester, auditors and admins see every email of the request. */
  seesEveryEmail: boolean;
  /** The parties the reader decides for on this request (own, delegated, assigned). */
  parties: string[];
}

/** The party an email was sent for, from its outbox key (`approval:<id>:<party>:…`), when it was sent for one. */
function partyOfEmail(key: string): string | null {
  const [kind, , party] = key.split(':');
  return ['approval', 'reminder', 'escalation', 'unstaffed'].includes(kind) && party ? party : null;
}

/**
 * The emails of a request a reader may see on its timeline: all of them for its requester, auditors
 * and admins; for anyone else (an approver) only those sent for a party they decide for, and those
 * sent to themselves. The requester's own emails (submitted, outcome) are not the approvers' to read.
 */
export function emailsShownTo(emails: SentEmailEntity[], reader: TimelineReader): SentEmailEntity[] {
  if (reader.seesEveryEmail) return emails;
  const me = reader.email.toLowerCase();
  return emails.filter((email) => {
    const party = partyOfEmail(email.key);
    return email.recipient.toLowerCase() === me || (party !== null && reader.parties.includes(party));
  });
}

/**
 * Everything that happened to one request, oldest first: built from its rows of the hash-chained
 * audit log (submission, state changes, decisions, obligations, custody) and its outbox (every
 * email, reminder and escalation sent). Passport numbers never appear in either.
 */
export function buildTimeline(rows: AuditRow[], emails: SentEmailEntity[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let approvals: ApprovalSnapshot[] = [];
  let status = 'pending';
  for (const row of rows) {
    const payload = (row.payload ?? {}) as Record<string, unknown>;
    switch (row.event) {
      case 'request.submitted': {
        const stages = (payload.stages as { index: number; parties: string[] }[] | undefined) ?? [];
        entries.push(
          entry(row.recordedAt, 'submitted', `Submitted under policy version ${String(payload.policyVersion)}`, {
            actor: row.actor,
            detail: stages.map((s) => `stage ${s.index} asks ${partiesInWords(s.parties)}`).join('; ') || null,
          }),
        );
        break;
      }
      case 'request.state': {
        const next = (payload.approvals as ApprovalSnapshot[] | undefined) ?? [];
        const opened = next.filter(
          (a) =>
            a.status === 'pending' &&
            approvals.find((b) => b.stage === a.stage && b.party === a.party)?.status !== 'pending',
        );
        const stages = [...new Set(opened.map((a) => a.stage))];
        for (const stage of stages) {
          const parties = opened.filter((a) => a.stage === stage).map((a) => a.party);
          entries.push(entry(row.recordedAt, 'stage_opened', `Stage ${stage} asks ${partiesInWords(parties)}`));
        }
        if (typeof payload.status === 'string' && payload.status !== status) {
          status = payload.status;
          const reason =
            status === 'withdrawn' && typeof payload.withdrawalReason === 'string' ? payload.withdrawalReason : null;
          entries.push(
            entry(row.recordedAt, 'status', `Status: ${label(status).toLowerCase()}`, {
              actor: row.actor,
              ...(reason ? { detail: `Reason: ${reason}` } : {}),
            }),
          );
        }
        approvals = next;
        break;
      }
      case 'request.amended':
        entries.push(...amendmentEntries(row));
        break;
      case 'decision.recorded': {
        const onBehalfOf = typeof payload.onBehalfOf === 'string' ? ` on behalf of ${payload.onBehalfOf}` : '';
        entries.push(
          entry(
            row.recordedAt,
            'decision',
            `${label(String(payload.party))} ${DECIDED[String(payload.decision)] ?? label(String(payload.decision)).toLowerCase()}${onBehalfOf}`,
            {
              actor: row.actor,
              party: typeof payload.party === 'string' ? payload.party : null,
              detail: typeof payload.via === 'string' ? `Decided ${VIA_LABELS[payload.via] ?? payload.via}` : null,
              comment: typeof payload.comment === 'string' ? payload.comment : null,
              conditions: Array.isArray(payload.conditions) ? payload.conditions.map(String) : [],
            },
          ),
        );
        break;
      }
      case 'obligation.fulfilled':
        entries.push(
          entry(row.recordedAt, 'obligation', `Obligation fulfilled: ${obligationKindLabel(String(payload.kind))}`, {
            actor: row.actor,
          }),
        );
        break;
      case 'obligation.reopened':
        entries.push(
          entry(row.recordedAt, 'obligation', `Obligation reopened: ${obligationKindLabel(String(payload.kind))}`, {
            actor: row.actor,
            detail: `Reason: ${String(payload.reason)}`,
          }),
        );
        break;
      case 'authorization.recorded': {
        const what = String(payload.label ?? payload.kind);
        const recorded = String(payload.recorded);
        const title =
          recorded === 'document'
            ? `${what}: decision document attached`
            : `${what}: ${label(recorded).toLowerCase()}${typeof payload.authority === 'string' ? ` (${payload.authority})` : ''}`;
        const facts = [
          typeof payload.reference === 'string' ? `reference ${payload.reference}` : null,
          typeof payload.validUntil === 'string' ? `valid until ${payload.validUntil}` : null,
          typeof payload.documentSha256 === 'string' ? `document SHA-256 ${payload.documentSha256}` : null,
        ].filter((f): f is string => f !== null);
        entries.push(
          entry(row.recordedAt, 'authorization', title, {
            actor: row.actor,
            detail: facts.join('; ') || null,
            comment: typeof payload.reason === 'string' ? payload.reason : null,
          }),
        );
        break;
      }
      case 'material.document_stored':
        entries.push(
          entry(row.recordedAt, 'authorization', `Material '${String(payload.title)}': file attached`, {
            actor: row.actor,
            detail: `SHA-256 ${String(payload.sha256)}`,
          }),
        );
        break;
      case 'authorization.expired':
        entries.push(
          entry(
            row.recordedAt,
            'authorization',
            `${String(payload.label ?? payload.kind)}: expired${typeof payload.validUntil === 'string' ? ` (valid until ${payload.validUntil})` : ''}`,
            {
              actor: null,
              detail: typeof payload.neededThrough === 'string' ? `needed through ${payload.neededThrough}` : null,
            },
          ),
        );
        break;
      case 'passport.ready_for_hand_out':
        entries.push(entry(row.recordedAt, 'custody', 'Passport ready for hand-out', { actor: row.actor }));
        break;
      case 'passport.handed_out':
        entries.push(entry(row.recordedAt, 'custody', 'Passport handed out (identity checked)', { actor: row.actor }));
        break;
      case 'passport.not_collected':
        entries.push(
          entry(row.recordedAt, 'custody', 'Passport not collected by the end of the return day: the release lapsed', {
            actor: row.actor,
          }),
        );
        break;
      case 'passport.released':
      case 'passport.returned':
      case 'passport.overdue':
      case 'passport.deposited':
        entries.push(
          entry(row.recordedAt, 'custody', `Passport ${row.event.slice('passport.'.length)}`, { actor: row.actor }),
        );
        break;
      default:
        break;
    }
  }
  for (const email of emails) {
    const [kind, , party] = email.key.split(':');
    const at = email.sentAt ?? email.createdAt;
    const sent = email.status === 'sent' ? '' : ' (sending)';
    const timelineKind = kind === 'reminder' ? 'reminder' : kind === 'escalation' ? 'escalation' : 'email';
    const title =
      kind === 'approval'
        ? `Asked ${label(party)} by email: ${email.recipient}${sent}`
        : kind === 'reminder'
          ? `Reminder to ${label(party)}: ${email.recipient}${sent}`
          : kind === 'escalation'
            ? `Escalated to the ${label(party)} lead: ${email.recipient}${sent}`
            : `Email to ${email.recipient}: ${email.subject}${sent}`;
    entries.push(
      entry(at, timelineKind, title, { party: ['approval', 'reminder', 'escalation'].includes(kind) ? party : null }),
    );
  }
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}
