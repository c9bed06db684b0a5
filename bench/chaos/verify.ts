import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { DataSource } from 'typeorm';
import type { EncryptionCodec } from '@libs/crypto';
import {
  AuditLogEntity,
  DecisionEntity,
  HistoryArchiveEntity,
  RequestEntity,
  SentEmailEntity,
} from '@libs/persistence';
import { PARTIES, REQUESTER, type LoadStats } from './load';
import { approvalKey, expectedMessageId, type SinkMailbox } from './mailbox';

export type Verdict = 'ok' | 'FAIL' | 'info';
export interface Row {
  check: string;
  expected: string;
  observed: string;
  verdict: Verdict;
}

export interface VerifyInput {
  requests: number;
  runId: string;
  stats: LoadStats;
  dataSource: DataSource;
  client: Client;
  codec: EncryptionCodec;
  mailbox: SinkMailbox;
  /** Count deliveries of the same Message-ID more than once as a failure. */
  strictSmtp: boolean;
  /** Times in notes are seconds after this. */
  loadStart: number;
}

type History = temporal.api.history.v1.IHistory;

/** What the Temporal side says about one request workflow. */
interface WorkflowFacts {
  status: string;
  archiveStatus: string;
  /** party → accepted `decide` Updates. */
  decideAccepted: Map<string, number>;
  decideCompleted: number;
  submittedAccepted: number;
  activityRetries: number;
  workflowTaskProblems: number;
}

async function describeStatus(client: Client, workflowId: string): Promise<string> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'NOT_FOUND';
    throw error;
  }
}

async function workflowFacts(client: Client, codec: EncryptionCodec, requestId: string): Promise<WorkflowFacts> {
  const workflowId = `request-${requestId}`;
  const facts: WorkflowFacts = {
    status: await describeStatus(client, workflowId),
    archiveStatus: await describeStatus(client, `archive-${workflowId}`),
    decideAccepted: new Map(),
    decideCompleted: 0,
    submittedAccepted: 0,
    activityRetries: 0,
    workflowTaskProblems: 0,
  };
  if (facts.status === 'NOT_FOUND') return facts;
  const history: History = await client.workflow.getHandle(workflowId).fetchHistory();
  const names = new Map<string, string>();
  for (const event of history.events ?? []) {
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    if (accepted) {
      const name = accepted.acceptedRequest?.input?.name ?? '';
      names.set(accepted.acceptedRequest?.meta?.updateId ?? '', name);
      if (name === 'submitted') facts.submittedAccepted += 1;
      if (name === 'decide') {
        const payloads = await codec.decode(accepted.acceptedRequest?.input?.args?.payloads ?? []);
        const arg = defaultPayloadConverter.fromPayload<{ party: string }>(payloads[0]);
        facts.decideAccepted.set(arg.party, (facts.decideAccepted.get(arg.party) ?? 0) + 1);
      }
    }
    const completed = event.workflowExecutionUpdateCompletedEventAttributes;
    if (completed && names.get(completed.meta?.updateId ?? '') === 'decide') facts.decideCompleted += 1;
    const started = event.activityTaskStartedEventAttributes;
    if (started && (started.attempt ?? 1) > 1) facts.activityRetries += (started.attempt ?? 1) - 1;
    if (event.workflowTaskFailedEventAttributes || event.workflowTaskTimedOutEventAttributes) {
      facts.workflowTaskProblems += 1;
    }
  }
  return facts;
}

/** True once every submitted request's workflow and archive workflow have completed. */
export async function allSettled(client: Client, stats: LoadStats): Promise<boolean> {
  for (const id of stats.submitted.values()) {
    if ((await describeStatus(client, `request-${id}`)) !== 'COMPLETED') return false;
    if ((await describeStatus(client, `archive-request-${id}`)) !== 'COMPLETED') return false;
  }
  return true;
}

const tally = <K>(items: K[]) => {
  const m = new Map<K, number>();
  for (const k of items) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
};

/**
 * Checks from the database, the Temporal histories and the SMTP sink that every submitted request
 * exists once, every decision was applied once, every workflow completed and every expected email
 * was delivered once.
 */
export async function verify(input: VerifyInput): Promise<{ rows: Row[]; notes: string[] }> {
  const { stats, dataSource, mailbox } = input;
  const N = input.requests;
  const rows: Row[] = [];
  const notes: string[] = [];
  const row = (check: string, expected: string | number, observed: string | number, ok: boolean | 'info') =>
    rows.push({
      check,
      expected: String(expected),
      observed: String(observed),
      verdict: ok === 'info' ? 'info' : ok ? 'ok' : 'FAIL',
    });

  // ---------------------------------------------------------------- requests
  const keyPrefix = `chaos-${input.runId}-`;
  const ours = (await dataSource.getRepository(RequestEntity).findBy({ requesterEmail: REQUESTER })).filter((r) =>
    r.idempotencyKey?.startsWith(keyPrefix),
  );
  const byKey = tally(ours.map((r) => r.idempotencyKey!));
  const keys = Array.from({ length: N }, (_, i) => `${keyPrefix}${i}`);
  const missing = keys.filter((k) => !byKey.has(k)).length;
  const duplicated = [...byKey.values()].filter((c) => c > 1).length;
  const mismatched = [...stats.submitted].filter(([k, id]) => !ours.some((r) => r.idempotencyKey === k && r.id === id));
  row('requests answered 201/200 to the client', N, stats.submitted.size, stats.submitted.size === N);
  row(
    'requests in the database, one per key',
    N,
    `${byKey.size} (missing ${missing}, duplicated ${duplicated})`,
    byKey.size === N && missing === 0 && duplicated === 0,
  );
  row(
    'request ID answered = ID stored for the key',
    stats.submitted.size,
    stats.submitted.size - mismatched.length,
    mismatched.length === 0,
  );
  row(
    'submission attempts (retries, answered 200 replay)',
    '-',
    `${stats.submitAttempts} (${stats.submitRetries}, ${stats.submitReplays})`,
    'info',
  );
  const approved = ours.filter((r) => r.status === 'approved').length;
  row('requests approved in the projection', N, approved, approved === N);

  const ids = new Set(ours.map((r) => r.id));
  const designated = new Map<string, string>();
  [...stats.submitted.entries()].forEach(([key, id]) => {
    const i = Number(key.slice(keyPrefix.length));
    PARTIES.forEach((p, pi) => designated.set(`${id}/${p.party}`, p.members[(i + pi) % 2]));
  });

  // ---------------------------------------------------------------- decisions
  const decisions = (await dataSource.getRepository(DecisionEntity).find()).filter((d) => ids.has(d.requestId));
  const perParty = tally(decisions.map((d) => `${d.requestId}/${d.party}`));
  const once = [...perParty.values()].filter((c) => c === 1).length;
  const twice = [...perParty.values()].filter((c) => c > 1).length;
  const wrongDecider = decisions.filter((d) => designated.get(`${d.requestId}/${d.party}`) !== d.decidedBy).length;
  row(
    'decision records, one per request × party',
    4 * N,
    `${decisions.length} (${once} once, ${twice} more than once, ${4 * N - perParty.size} missing)`,
    decisions.length === 4 * N && once === 4 * N,
  );
  row('decision records by the approver who decided', 4 * N, decisions.length - wrongDecider, wrongDecider === 0);
  row(
    'decisions answered 200 / 409 after a lost answer',
    4 * N,
    `${stats.decidedOk} / ${stats.decidedAlready} (link ${stats.viaLink}, API ${stats.viaApi})`,
    stats.decidedOk + stats.decidedAlready === 4 * N,
  );
  row('decision attempts (retries)', '-', `${stats.decideAttempts} (${stats.decideRetries})`, 'info');
  const audit = (await dataSource.getRepository(AuditLogEntity).find()).filter(
    (a) => a.requestId !== null && ids.has(a.requestId),
  );
  const auditDecisions = tally(
    audit
      .filter((a) => a.event === 'decision.recorded')
      .map((a) => `${a.requestId}/${(JSON.parse(a.payload) as { party: string }).party}`),
  );
  const auditSubmissions = tally(audit.filter((a) => a.event === 'request.submitted').map((a) => a.requestId));
  const auditOnce = [...auditDecisions.values()].filter((c) => c === 1).length;
  row(
    'audit log decision.recorded, one per request × party',
    4 * N,
    `${[...auditDecisions.values()].reduce((a, b) => a + b, 0)} (${auditOnce} once)`,
    auditOnce === 4 * N && auditDecisions.size === 4 * N,
  );
  row(
    'audit log request.submitted, once per request',
    N,
    auditSubmissions.size,
    auditSubmissions.size === N && [...auditSubmissions.values()].every((c) => c === 1),
  );

  // ---------------------------------------------------------------- Temporal
  const facts = new Map<string, WorkflowFacts>();
  for (const id of ids) facts.set(id, await workflowFacts(input.client, input.codec, id));
  const all = [...facts.values()];
  const completed = all.filter((f) => f.status === 'COMPLETED').length;
  const archived = all.filter((f) => f.archiveStatus === 'COMPLETED').length;
  const decideAccepted = all.flatMap((f) => [...f.decideAccepted.values()]);
  const decideOnce = decideAccepted.filter((c) => c === 1).length;
  const decideAcceptedTotal = decideAccepted.reduce((a, b) => a + b, 0);
  const decideCompleted = all.reduce((a, f) => a + f.decideCompleted, 0);
  row('request workflows COMPLETED', N, completed, completed === N);
  row('archive workflows COMPLETED', N, archived, archived === N);
  const archives = (await dataSource.getRepository(HistoryArchiveEntity).find()).filter((a) => ids.has(a.requestId));
  row('archived histories', N, archives.length, archives.length === N);
  row(
    "'decide' Updates accepted in histories, one per party",
    4 * N,
    `${decideAcceptedTotal} (${decideOnce} parties once)`,
    decideAcceptedTotal === 4 * N && decideOnce === 4 * N,
  );
  row("'decide' Updates completed in histories", 4 * N, decideCompleted, decideCompleted === 4 * N);
  row(
    "'submitted' Updates accepted (a retry attaches again)",
    `≥ ${N}`,
    all.reduce((a, f) => a + f.submittedAccepted, 0),
    'info',
  );
  row(
    'activity attempts beyond the first (retries)',
    '-',
    all.reduce((a, f) => a + f.activityRetries, 0),
    'info',
  );
  row(
    'workflow tasks failed or timed out',
    '-',
    all.reduce((a, f) => a + f.workflowTaskProblems, 0),
    'info',
  );

  // ---------------------------------------------------------------- email
  const outbox = (await dataSource.getRepository(SentEmailEntity).find()).filter((e) => ids.has(e.requestId));
  const expected = new Map<string, { key: string; recipient: string }>();
  for (const id of ids) {
    for (const p of PARTIES) {
      for (const m of p.members) {
        const key = approvalKey(id, p.party, m);
        expected.set(expectedMessageId(key), { key, recipient: m });
      }
    }
  }
  // the requester's "submitted" email, one per request (keyed by the request in the outbox)
  for (const id of ids) {
    const key = `submitted:${id}`;
    expected.set(expectedMessageId(key), { key, recipient: REQUESTER });
  }
  const outcomes = tally(outbox.filter((e) => e.kind === 'outcome').map((e) => e.requestId));
  for (const e of outbox.filter((e) => e.kind === 'outcome')) {
    expected.set(e.messageId, { key: e.key, recipient: e.recipient });
  }
  // 8 approval emails (two members of four parties), the submitted email and the outcome per request
  const expectedCount = 10 * N;
  row(
    'outcome emails in the outbox, one per request',
    N,
    outcomes.size,
    outcomes.size === N && [...outcomes.values()].every((c) => c === 1),
  );
  const unexpectedOutbox = outbox.filter((e) => !expected.has(e.messageId) || expected.get(e.messageId)!.key !== e.key);
  mailbox.refresh();
  // A row left `sending` whose message reached the sink is an unconfirmed send: the SMTP server took
  // it, then the attempt died before marking it (worker killed, connection terminated), and the retry
  // no longer asks that member because they had already decided through it. Only an unsent row whose
  // message never arrived is a loss.
  const unsentRows = outbox.filter((e) => e.status !== 'sent');
  const unconfirmed = unsentRows.filter((e) => mailbox.find(e.messageId).length > 0).length;
  const unsent = unsentRows.length - unconfirmed;
  row(
    'outbox rows (marked sent or delivered unconfirmed; none unexpected)',
    expectedCount,
    `${outbox.length} (${unsent} not sent, ${unconfirmed} delivered unconfirmed, ${unexpectedOutbox.length} unexpected)`,
    outbox.length === expectedCount && unsent === 0 && unexpectedOutbox.length === 0,
  );
  const ourDeliveries = mailbox.deliveries.filter((d) => expected.has(d.messageId ?? ''));
  const strangers = mailbox.deliveries.filter((d) => !expected.has(d.messageId ?? '')).length;
  let lost = 0;
  let distinct = 0;
  let rawDuplicates = 0;
  let wrongRecipient = 0;
  for (const [messageId, mail] of expected) {
    const got = mailbox.find(messageId);
    if (got.length === 0) lost += 1;
    else distinct += 1;
    rawDuplicates += Math.max(0, got.length - 1);
    if (got.length > 1) {
      const at = got.map((d) => ((Date.parse(d.receivedAt) - input.loadStart) / 1000).toFixed(1)).join(', ');
      notes.push(`delivered ${got.length}× ${messageId} (${mail.key.split(':')[0]} to ${mail.recipient}) at ${at} s`);
    }
    wrongRecipient += got.filter((d) => d.to.length !== 1 || d.to[0] !== mail.recipient).length;
  }
  const perRecipient = tally(
    ourDeliveries.map(
      (d) =>
        `${d.to.join(',')}|${expected
          .get(d.messageId ?? '')!
          .key.split(':')
          .slice(0, 3)
          .join(':')}`,
    ),
  );
  row(
    'emails delivered: distinct Message-IDs (lost)',
    expectedCount,
    `${distinct} (${lost} lost)`,
    distinct === expectedCount && lost === 0,
  );
  row('emails with a Message-ID nobody expected', 0, strangers, strangers === 0);
  row('emails to the wrong recipient', 0, wrongRecipient, wrongRecipient === 0);
  row(
    'distinct (recipient, kind, request, party) delivered',
    expectedCount,
    perRecipient.size,
    perRecipient.size === expectedCount,
  );
  row(
    'raw SMTP deliveries (same Message-ID again)',
    expectedCount,
    `${ourDeliveries.length} (${rawDuplicates} repeated)`,
    input.strictSmtp ? rawDuplicates === 0 : 'info',
  );
  row('client failures', 0, stats.failures.length, stats.failures.length === 0);
  return { rows, notes };
}
