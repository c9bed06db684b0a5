import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { PROJECT_ROOT } from '@libs/config';
import { clusterOptionsFromEnv, startCluster, type Cluster } from './start-cluster';

/**
 * The bounded cluster smoke (`.ci/run`): starts the production topology (`npm run start:cluster`)
 * on its own ports and databases, drives the contract's core path across both APIs, and stops it.
 *
 *   submit on API 2 (and again with the same Idempotency-Key on API 1: the same request)
 *   → decide from an emailed link on the other API; the same link on API 1 is refused (single use)
 *   → one link posted to both APIs at once: exactly one decision
 *   → the rest decide → approved → the outcome email once
 *   → replay the workflow history (deterministic, matches the records) → audit chain valid
 *   → reconnects: every Clearance PostgreSQL connection terminated, then the Temporal frontend
 *     stopped for 5 s and started again: both APIs' readiness goes 503 and back to 200 by itself,
 *     and a submission on each API (which a worker must screen and record) still answers 201.
 *
 * Exits 0 when every check holds, 1 otherwise (with the failed check), always stopping the cluster.
 * Environment: as start-cluster, with defaults of its own (PORT 3950, TEMPORAL_CLUSTER_PORT 17233,
 * SMTP_CAPTURE_PORT 2950, databases clearance_smoke, temporal_smoke).
 */
const say = (line: string) => process.stdout.write(`[smoke] ${line}\n`);

type Json = Record<string, unknown>;

interface Result<T = Json> {
  status: number;
  body: T;
  text: string;
}

async function call<T = Json>(
  url: string,
  method: string,
  options: { token?: string; body?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Result<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  const json: unknown =
    (res.headers.get('content-type') ?? '').includes('application/json') && text ? JSON.parse(text) : {};
  return { status: res.status, body: json as T, text };
}

function check(condition: unknown, what: string, detail?: unknown): asserts condition {
  if (!condition) throw new Error(`${what}${detail === undefined ? '' : `: ${JSON.stringify(detail).slice(0, 600)}`}`);
  say(`ok  ${what}`);
}

async function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const claims = (link: string) =>
  JSON.parse(Buffer.from(link.split('/approvals/')[1].split('.')[1], 'base64url').toString()) as {
    rid: string;
    rnd: number;
  };
/** The same link on another API: links carry the first API's PUBLIC_URL. */
const on = (base: string, link: string) => `${base}/approvals/${link.split('/approvals/')[1]}`;

async function drive(cluster: Cluster): Promise<void> {
  const [a, b] = cluster.apiUrls;
  const tokens = new Map<string, string>();
  const token = async (email: string) => {
    if (!tokens.has(email)) {
      const res = await call(`${a}/api/auth/dev-login`, 'POST', { body: { email } });
      if (res.status !== 200) throw new Error(`dev-login for ${email} answered ${res.status}`);
      tokens.set(email, res.body.accessToken as string);
    }
    return tokens.get(email)!;
  };
  const mails = async (api: string, to: string) =>
    (
      await call<{ to: string; subject: string; text: string; links: string[] }[]>(
        `${api}/dev/mailbox?to=${encodeURIComponent(to)}`,
        'GET',
      )
    ).body;
  const linkFor = (api: string, to: string, requestId: string) =>
    eventually(async () => {
      for (const mail of await mails(api, to))
        for (const link of mail.links) if (link.includes('/approvals/') && claims(link).rid === requestId) return link;
      return undefined;
    }, `an approval link for ${to} in the mailbox of ${api}`);

  const deposit = await call(`${a}/api/passports`, 'POST', {
    token: await token('custodian@example.com'),
    body: {
      employeeEmail: 'alice@example.com',
      passportNumber: `P${Math.floor(Math.random() * 1e8)}`,
      issuingCountry: 'KR',
      expiryDate: daysFromNow(1000),
    },
  });
  check(deposit.status === 201 || deposit.status === 409, 'a passport is on file for alice', deposit.body);

  const body = {
    type: 'conference',
    destinationCountry: 'US',
    departureDate: daysFromNow(30),
    returnDate: daysFromNow(37),
    purpose: 'Cluster smoke',
    counterparties: [{ name: 'Example Org', country: 'US' }],
    technologyAreas: ['large_models'],
    dataCategories: ['presentation_materials'],
    details: { eventName: 'NeurIPS', presenting: true },
  };
  const key = `smoke-${Date.now()}-${process.pid}`;
  const alice = await token('alice@example.com');
  const submitted = await call(`${b}/api/requests`, 'POST', {
    token: alice,
    body,
    headers: { 'Idempotency-Key': key },
  });
  check(submitted.status === 201, 'POST /api/requests on API 2 answers 201', submitted.body);
  const id = submitted.body.id as string;
  const again = await call(`${a}/api/requests`, 'POST', { token: alice, body, headers: { 'Idempotency-Key': key } });
  check(again.status === 201 && again.body.id === id, 'the same Idempotency-Key on API 1 returns the same request', {
    status: again.status,
    id: again.body.id,
  });

  const hrLink = await linkFor(b, 'hr@example.com', id);
  check(hrLink.startsWith(`${a}/approvals/`), 'the emailed link (read from API 2 mailbox) points at PUBLIC_URL');
  const onA = (await mails(a, 'hr@example.com')).some((m) => m.links.includes(hrLink));
  check(onA, 'API 1 /dev/mailbox shows the same mail as API 2');
  const decided = await call(on(b, hrLink), 'POST', { form: { decision: 'approve', comment: 'smoke' } });
  check(decided.status === 200, 'the hr link decides on API 2', decided.status);
  const reused = await call(hrLink, 'POST', { form: { decision: 'reject', comment: 'again' } });
  check(reused.status === 409, 'the same link on API 1 is refused (409): used once across APIs', reused.status);

  const legalLink = await linkFor(a, 'legal@example.com', id);
  const race = await Promise.all([
    call(on(a, legalLink), 'POST', { form: { decision: 'approve' } }),
    call(on(b, legalLink), 'POST', { form: { decision: 'approve' } }),
  ]);
  const statuses = race.map((r) => r.status).sort();
  check(statuses[0] === 200 && statuses[1] === 409, 'one link posted to both APIs at once decides once', statuses);

  const security = await call(`${a}/api/requests/${id}/decisions`, 'POST', {
    token: await token('security@example.com'),
    body: { party: 'security', decision: 'approve' },
  });
  check(security.status === 200, 'security decides on API 1', security.body);
  const final = await call(`${b}/api/requests/${id}/decisions`, 'POST', {
    token: await token('datagov-lead@example.com'),
    body: { party: 'data_governance', decision: 'approve' },
  });
  // alice is core: the default policy holds her trip until the official exit approval is recorded as granted
  check(
    final.status === 200 && final.body.status === 'awaiting_authorization',
    'the last decision on API 2 leaves it awaiting the exit approval',
    final.body,
  );
  const granted = await call(`${a}/api/requests/${id}/authorizations/official_exit_approval`, 'POST', {
    token: await token('alice@example.com'),
    body: {
      status: 'granted',
      authority: 'Exit-entry administration',
      reference: 'SMOKE-1',
      validUntil: final.body.returnDate,
    },
  });
  check(
    granted.status === 200 && granted.body.status === 'approved',
    'the grant recorded on API 1 approves',
    granted.body,
  );
  const view = await call(`${a}/api/requests/${id}`, 'GET', { token: await token('auditor@example.com') });
  check(view.body.status === 'approved', 'API 1 reads the request as approved', view.body.status);

  // the outcome email names the request by its human reference
  const reference = String(view.body.reference);
  const outcome = await eventually(async () => {
    const found = (await mails(a, 'alice@example.com')).filter(
      (m) => m.text.includes(reference) && m.subject.endsWith(' was approved'),
    );
    return found.length > 0 ? found : undefined;
  }, 'the outcome email');
  await new Promise((r) => setTimeout(r, 2000));
  const outcomes = (await mails(b, 'alice@example.com')).filter(
    (m) => m.text.includes(reference) && m.subject.endsWith(' was approved'),
  );
  check(outcomes.length === 1 && outcome.length === 1, 'the outcome email arrives once', {
    count: outcomes.length,
  });
  const hrMails = (await mails(a, 'hr@example.com')).filter((m) =>
    m.links.some((l) => l.includes('/approvals/') && claims(l).rid === id),
  );
  check(hrMails.length === 1, 'hr got one approval email for the request (two workers, no duplicate)', hrMails.length);

  const auditor = await token('auditor@example.com');
  const replay = await call(`${b}/api/audit/requests/${id}/replay`, 'POST', { token: auditor });
  check(
    replay.status === 200 && replay.body.deterministic === true && replay.body.matchesRecords === true,
    'the history replays deterministically and matches the records',
    replay.body,
  );
  const chain = await call(`${a}/api/audit/chain/verify`, 'GET', { token: auditor });
  check(chain.status === 200 && chain.body.ok === true, 'the audit chain is valid', chain.body);
}

const submission = () => ({
  type: 'conference',
  destinationCountry: 'US',
  departureDate: daysFromNow(30),
  returnDate: daysFromNow(37),
  purpose: 'Cluster smoke, after a reconnect',
  counterparties: [{ name: 'Example Org', country: 'US' }],
  technologyAreas: ['large_models'],
  dataCategories: ['presentation_materials'],
  details: { eventName: 'NeurIPS', presenting: true },
});

/** The APIs and workers get over a dropped database connection and a Temporal frontend restart by themselves. */
async function reconnects(cluster: Cluster): Promise<void> {
  const apis = cluster.apiUrls;
  const readiness = () =>
    Promise.all(
      apis.map((api) =>
        fetch(`${api}/health/ready`, { signal: AbortSignal.timeout(5000) }).then(
          (r) => r.status,
          () => 0,
        ),
      ),
    );
  const allAnswer = (status: number, what: string, timeoutMs: number) =>
    eventually(
      async () => {
        const now = await readiness();
        return now.every((s) => s === status) ? now : undefined;
      },
      what,
      timeoutMs,
    );
  const token = (await call(`${apis[0]}/api/auth/dev-login`, 'POST', { body: { email: 'alice@example.com' } })).body
    .accessToken as string;
  /** A new request on each API, retried under its Idempotency-Key until 201 (at most 60 s). */
  const submitOnEach = async (what: string) => {
    const t = Date.now();
    for (const [i, api] of apis.entries()) {
      const key = `smoke-reconnect-${Date.now()}-${i}`;
      let attempts = 0;
      const status = await eventually(async () => {
        attempts += 1;
        const res = await call(`${api}/api/requests`, 'POST', {
          token,
          body: submission(),
          headers: { 'Idempotency-Key': key },
        }).catch(() => ({ status: 0 }));
        return res.status === 201 || res.status === 200 ? res.status : undefined;
      }, `a submission on ${api} ${what}`);
      check(status === 201, `a submission on API ${i + 1} ${what} answers 201 (${attempts} attempt(s))`, status);
    }
    say(`    (both submissions in ${((Date.now() - t) / 1000).toFixed(1)} s)`);
  };

  // PostgreSQL: every connection the APIs and workers hold, terminated at once
  const url = new URL(cluster.databaseUrl);
  const database = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const pg = new PgClient({ connectionString: url.toString() });
  await pg.connect();
  const { rowCount } = await pg
    .query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      database,
    ])
    .finally(() => pg.end());
  check((rowCount ?? 0) > 0, `every Clearance PostgreSQL connection terminated (${rowCount})`);
  await allAnswer(200, 'readiness 200 on both APIs after the connections were terminated', 30_000);
  await submitOnEach('after the PostgreSQL connections were terminated');

  // Temporal: the frontend stops for 5 s and starts again
  const restarted = cluster.restartTemporalService('frontend', 5000);
  const down = await allAnswer(503, 'readiness 503 on both APIs while the Temporal frontend is down', 20_000).catch(
    (error: Error) => error.message,
  );
  await restarted;
  check(Array.isArray(down), 'readiness answers 503 on both APIs while the Temporal frontend is down', down);
  const t = Date.now();
  await allAnswer(200, 'readiness 200 on both APIs after the frontend restart', 60_000);
  check(
    true,
    `readiness answers 200 on both APIs ${((Date.now() - t) / 1000).toFixed(1)} s after the frontend is back`,
  );
  await submitOnEach('after the Temporal frontend restart');
}

async function main(): Promise<void> {
  const env = {
    PORT: '3950',
    TEMPORAL_CLUSTER_PORT: '17233',
    SMTP_CAPTURE_PORT: '2950',
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/clearance_smoke',
    TEMPORAL_DB: 'temporal_smoke',
    CLUSTER_LOG_DIR: path.join(PROJECT_ROOT, 'data', 'cluster-smoke'),
    ...process.env,
  };
  const options = clusterOptionsFromEnv(env);
  let stopCluster: (() => Promise<void>) | undefined;
  const bail = (signal: string) => {
    say(`${signal}: stopping the cluster`);
    void (stopCluster ?? (() => Promise.resolve()))().then(() => process.exit(1));
  };
  process.once('SIGINT', () => bail('SIGINT'));
  process.once('SIGTERM', () => bail('SIGTERM'));

  const started = Date.now();
  let failed: unknown;
  let died: string | undefined;
  try {
    const cluster = await startCluster(options, {
      log: (line) => say(line),
      onUnexpectedExit: (proc) => (died ??= `${proc.name} exited; its log: ${proc.log}`),
      onStopAvailable: (stop) => (stopCluster = stop),
    });
    say(`cluster ready in ${(cluster.startupMs / 1000).toFixed(1)} s`);
    const t = Date.now();
    await drive(cluster);
    if (died) throw new Error(died);
    say(`core path across both APIs in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const r = Date.now();
    await reconnects(cluster);
    if (died) throw new Error(died);
    say(`reconnects in ${((Date.now() - r) / 1000).toFixed(1)} s`);
  } catch (error) {
    failed = error;
  }
  const t = Date.now();
  await stopCluster?.();
  say(
    `stopped in ${((Date.now() - t) / 1000).toFixed(1)} s; smoke took ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (failed) {
    process.stderr.write(`[smoke] FAILED: ${failed instanceof Error ? failed.message : JSON.stringify(failed)}\n`);
    process.stderr.write(`[smoke] logs in ${options.logDir}\n`);
    process.exit(1);
  }
  say('cluster smoke passed');
}

void main();
