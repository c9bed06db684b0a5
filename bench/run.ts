/* Clearance benchmark: `npm run bench [-- --requests N --open M --open-concurrency C2 --replay K --concurrency C --postgres URL --json FILE]`. */
import { Client, Connection } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { createApiApp } from '../apps/api/app';
import { createClearanceWorker, type ClearanceWorker } from '../apps/worker/worker';
import { replayHistory } from '../libs/audit';
import { loadConfig } from '../libs/config';
import { openDataSource } from '../libs/persistence';
import { EncryptionCodec, Keyring } from '../libs/crypto';
import { renderApprovalMail } from '../libs/mail';
import { freePort, startDevServer } from '../scripts/dev-server';
import { requestBody } from '../tests/support/factories';
import { baselineApproval, decideBaseline } from './baseline.workflow';
import { BenchHttp } from './http-client';
import { CaptureMailbox, CountingSink, type BenchMailbox } from './mail-sink';
import {
  countDatabaseStatements,
  historyProfile,
  startPhase,
  resetStatementTally,
  topStatements,
  type PhaseProfile,
} from './profile';
import { stateQuery } from '../libs/contracts';

// ---------------------------------------------------------------- arguments
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const N = Number(arg('requests') ?? 40);
const OPEN = Number(arg('open') ?? 300);
const REPLAY = Number(arg('replay') ?? 40);
const CONCURRENCY = Number(arg('concurrency') ?? 20);
/** Submissions in flight while opening the waiting requests (a 10,000 run wants more than the approvers' 20). */
const OPEN_CONCURRENCY = Number(arg('open-concurrency') ?? CONCURRENCY);
const PG = arg('postgres');
const JSON_FILE = arg('json');
/** Use the development SMTP capture (parses and keeps every mail in this process) instead of a counting sink. */
const CAPTURE = process.argv.includes('--capture');
const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };
const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

// ---------------------------------------------------------------- helpers
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const median = (v: number[]) => pct(v, 50);
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const mib = (b: number) => r1(b / 1024 / 1024);
/** Two runs of a phase as one. */
function sumProfiles(a: PhaseProfile, b: PhaseProfile): PhaseProfile {
  const byVerb: Record<string, number> = { ...a.dbByVerb };
  for (const [k, v] of Object.entries(b.dbByVerb)) byVerb[k] = (byVerb[k] ?? 0) + v;
  return {
    wallMs: a.wallMs + b.wallMs,
    benchCpuMs: a.benchCpuMs + b.benchCpuMs,
    serverCpuMs: a.serverCpuMs === null || b.serverCpuMs === null ? null : a.serverCpuMs + b.serverCpuMs,
    mainThreadBusy: r2((a.mainThreadBusy * a.wallMs + b.mainThreadBusy * b.wallMs) / (a.wallMs + b.wallMs)),
    dbStatements: a.dbStatements + b.dbStatements,
    dbMs: a.dbMs + b.dbMs,
    dbByVerb: byVerb,
  };
}

/** A phase's profile with its totals divided per cycle (or per request). */
function perUnit(p: PhaseProfile, n: number) {
  return {
    ...p,
    benchCpuMsPerUnit: r1(p.benchCpuMs / n),
    serverCpuMsPerUnit: p.serverCpuMs === null ? null : r1(p.serverCpuMs / n),
    dbStatementsPerUnit: r1(p.dbStatements / n),
    dbMsPerUnit: r2(p.dbMs / n),
  };
}
/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

const PARTIES = [
  { party: 'hr', members: ['hr@example.com', 'hr-lead@example.com'] },
  { party: 'legal', members: ['legal@example.com', 'legal-lead@example.com'] },
  { party: 'security', members: ['security@example.com', 'security-lead@example.com'] },
  { party: 'data_governance', members: ['datagov@example.com', 'datagov-lead@example.com'] },
];
const REQUESTER = 'carol@example.com';

async function main(): Promise<void> {
  const t0 = Date.now();
  countDatabaseStatements();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-bench-'));
  log(
    `temp dir ${tmp}; requests=${N} open=${OPEN} (${OPEN_CONCURRENCY} in flight) replay=${REPLAY} concurrency=${CONCURRENCY} db=${PG ? 'postgres' : 'sqlite'}`,
  );

  // ------------------------------------------------------------ system
  const server = await startDevServer({ headless: true, log });
  log(`Temporal dev server at ${server.address}`);
  const tb = Date.now();
  const { code: bundleCode } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: quiet,
  });
  const bundleMs = Date.now() - tb;
  const bundlePath = path.join(tmp, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundleCode);

  let dbEnv: Record<string, string> = { SQLITE_PATH: path.join(tmp, 'bench.sqlite') };
  let dropDb = (): Promise<void> => Promise.resolve();
  if (PG) {
    const name = `clearance_bench_${randomBytes(4).toString('hex')}`;
    const admin = new PgClient({ connectionString: PG });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(PG);
    url.pathname = `/${name}`;
    dbEnv = { DATABASE_URL: url.toString() };
    dropDb = async () => {
      const c = new PgClient({ connectionString: PG });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const mail: BenchMailbox = CAPTURE ? new CaptureMailbox() : new CountingSink();
  const smtpPort = await mail.start();
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: `clearance-bench-${randomBytes(4).toString('hex')}`,
    SMTP_CAPTURE_PORT: '0',
    LOG_LEVEL: 'error',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    ...dbEnv,
  });
  const codec = new EncryptionCodec(new Keyring(config.encryption));
  const app = await createApiApp(config, mail.capture ? { smtpCapture: mail.capture } : {});
  await app.listen(port, '127.0.0.1');
  let worker: ClearanceWorker = await createClearanceWorker(config, { workflowBundle: { codePath: bundlePath } });
  let running = worker.worker.run();
  const http = new BenchHttp(`http://127.0.0.1:${port}`);
  const clientConn = await Connection.connect({ address: server.address });
  const client = new Client({ connection: clientConn, dataConverter: { payloadCodecs: [codec] } });
  /** The baseline's client: bare SDK, no codec. */
  const bareClient = new Client({ connection: clientConn });
  const db = await openDataSource(config.database, { migrate: false, auditChain: config.auditChain });
  for (const p of PARTIES) for (const m of p.members) await http.token(m);
  await http.token(REQUESTER);
  log(`system up in ${Date.now() - t0} ms (workflow bundle ${bundleMs} ms)`);

  const submit = async (): Promise<string> => {
    const res = await http.as<{ id: string }>(REQUESTER, 'POST', '/api/requests', requestBody('departure_abroad'));
    if (res.status !== 201) throw new Error(`submit answered ${res.status}: ${res.text}`);
    return res.body.id;
  };
  const listAll = async (email: string, status: string): Promise<Set<string>> => {
    const ids = new Set<string>();
    let cursor: string | null = null;
    do {
      const q: string = `/api/requests?mine=true&status=${status}&limit=100${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await http.as<{ items: { id: string }[]; nextCursor: string | null }>(email, 'GET', q);
      if (res.status !== 200) throw new Error(`list answered ${res.status}: ${res.text}`);
      for (const item of res.body.items) ids.add(item.id);
      cursor = res.body.nextCursor;
    } while (cursor);
    return ids;
  };

  // ------------------------------------------------------------ (2) bare Temporal baseline
  // Run once before and once after the Clearance cycle (N each) and pooled: a single short run
  // swings with whatever else the two shared cores are doing at that moment.
  const baselineQueue = `bench-baseline-${randomBytes(4).toString('hex')}`;
  const baseConn = await NativeConnection.connect({ address: server.address });
  const baseWorker = await Worker.create({
    connection: baseConn,
    taskQueue: baselineQueue,
    workflowsPath: require.resolve('./baseline.workflow'),
    bundlerOptions: {},
  });
  const baseRunning = baseWorker.run();
  const runBaseline = async (when: string) => {
    log(`baseline ${when}: ${N} workflows × 4 Updates, ${CONCURRENCY} concurrent senders`);
    const latencies: number[] = [];
    const endPhase = startPhase();
    const bStart = Date.now();
    const handles: { id: string; party: string }[] = [];
    const started: string[] = [];
    let bDone = false;
    const bStarting = pool(
      Array.from({ length: N }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        const id = `baseline-${randomBytes(4).toString('hex')}-${i}`;
        await bareClient.workflow.start(baselineApproval, { taskQueue: baselineQueue, workflowId: id, args: [4] });
        started.push(id);
        for (const p of PARTIES) handles.push({ id, party: p.party });
      },
    );
    const bSenders = Array.from({ length: CONCURRENCY }, async () => {
      while (!bDone) {
        const job = handles.shift();
        if (!job) {
          await sleep(5);
          continue;
        }
        const t = performance.now();
        await bareClient.workflow.getHandle(job.id).executeUpdate(decideBaseline, { args: [job.party] });
        latencies.push(performance.now() - t);
      }
    });
    await bStarting;
    await Promise.all(started.map((id) => bareClient.workflow.getHandle(id).result()));
    const ms = Date.now() - bStart;
    const profile = endPhase();
    bDone = true;
    await Promise.all(bSenders);
    log(`baseline ${when}: ${N} completed in ${ms} ms; profile ${JSON.stringify(profile)}`);
    return { ms, latencies, started, profile };
  };
  const baseFirst = await runBaseline('before the cycle');

  // ------------------------------------------------------------ (1)+(3) Clearance cycle
  log(`cycle: ${N} departure_abroad requests, ${CONCURRENCY} concurrent approvers`);
  mail.clear();
  const decisionLatencies: number[] = [];
  const refused: Record<string, number> = {};
  const queue: { id: string; party: string; member: string }[] = [];
  const seen = new Set<string>();
  let cycleDone = false;
  let inboxPolls = 0;
  resetStatementTally();
  const endCyclePhase = startPhase();
  const cycleStart = Date.now();
  const submitted: string[] = [];
  const ours = new Set<string>();
  const submitting = pool(
    Array.from({ length: N }, (_, i) => i),
    CONCURRENCY,
    async () => {
      const id = await submit();
      submitted.push(id);
      ours.add(id);
    },
  );
  // One inbox watcher per party member discovers pending approvals, as an approver's inbox would:
  // every 50 ms while it finds new ones, backing off to 200 ms while it finds none (each poll is an
  // HTTP request the API serves on the same cores as everything else).
  const watchers = PARTIES.map(async (p, pi) => {
    let idleMs = 50;
    while (!cycleDone) {
      const before = seen.size;
      inboxPolls += 1;
      const res = await http.as<{ items: { requestId: string }[] }>(
        p.members[0],
        'GET',
        `/api/approvals/inbox?party=${p.party}`,
      );
      if (res.status === 200) {
        for (const item of res.body.items) {
          const key = `${item.requestId}/${p.party}`;
          if (!ours.has(item.requestId) || seen.has(key)) continue;
          seen.add(key);
          queue.push({ id: item.requestId, party: p.party, member: p.members[(seen.size + pi) % 2] });
        }
      }
      idleMs = seen.size > before ? 50 : Math.min(idleMs * 2, 200);
      await sleep(idleMs);
    }
  });
  let decisions = 0;
  const deciders = Array.from({ length: CONCURRENCY }, async () => {
    while (!cycleDone) {
      const job = queue.shift();
      if (!job) {
        await sleep(10);
        continue;
      }
      const t = performance.now();
      const res = await http.as(job.member, 'POST', `/api/requests/${job.id}/decisions`, {
        party: job.party,
        decision: 'approve',
      });
      const ms = performance.now() - t;
      if (res.status === 200) {
        decisionLatencies.push(ms);
        decisions++;
      } else {
        refused[String(res.status)] = (refused[String(res.status)] ?? 0) + 1;
        seen.delete(`${job.id}/${job.party}`); // let the watcher offer it again
      }
    }
  });
  await submitting;
  const submittedMs = Date.now() - cycleStart;
  let approvedAt = 0;
  const cycleDeadline = Date.now() + 240_000;
  while (Date.now() < cycleDeadline) {
    const approved = await listAll(REQUESTER, 'approved');
    if (submitted.every((id) => approved.has(id))) {
      approvedAt = Date.now();
      break;
    }
    await sleep(200);
  }
  if (!approvedAt) throw new Error('the cycle did not finish within 240 s');
  // Approval emails: 2 members × 4 parties; plus the outcome to the requester.
  // The workflow ends once its approval and outcome emails went out (it awaits them); then every mail
  // the outbox records as sent must have reached the capture. Up to 2 members × 4 parties + the outcome
  // per request: a member who approved before the party's email went out is not emailed (notifyParty's rule).
  const closing = Promise.all(submitted.map((id) => client.workflow.getHandle(`request-${id}`).result()));
  if ((await Promise.race([closing, sleep(Math.max(cycleDeadline - Date.now(), 0)).then(() => 'late')])) === 'late') {
    throw new Error('the cycle did not finish within 240 s');
  }
  const closedAt = Date.now();
  const [{ n: sentMails }] = await db.query<{ n: number | string }[]>(
    "SELECT COUNT(*) AS n FROM sent_emails WHERE status = 'sent'",
  );
  while (mail.count() < Number(sentMails) && Date.now() < cycleDeadline) await sleep(20);
  const cycleEnd = Date.now();
  const cycleProfile = endCyclePhase();
  cycleDone = true;
  await Promise.all([...watchers, ...deciders]);
  const cycleMs = cycleEnd - cycleStart;
  await sleep(1000);
  const mailsPerRequest = mail.count() / N;
  const cyclesPerSecond = N / (cycleMs / 1000);
  const decisionsPerSecond = decisions / (cycleMs / 1000);
  log(
    `cycle: ${N} approved in ${cycleMs} ms (all submitted after ${submittedMs} ms, approved after ${approvedAt - cycleStart} ms, workflows closed after ${closedAt - cycleStart} ms); ${decisions} decisions; refused ${JSON.stringify(refused)}; ${mailsPerRequest} mails/request`,
  );
  log(`cycle profile: ${JSON.stringify(cycleProfile)}; ${inboxPolls} inbox polls`);
  if (process.argv.includes('--statements')) {
    for (const [text, n] of topStatements(25)) log(`  ${String(n).padStart(6)} × ${text}`);
  }

  // ------------------------------------------------------------ (2) bare Temporal baseline, second half
  const baseSecond = await runBaseline('after the cycle');
  const bMs = baseFirst.ms + baseSecond.ms;
  const updateLatencies = [...baseFirst.latencies, ...baseSecond.latencies];
  const started = baseSecond.started;
  const baselineProfile = sumProfiles(baseFirst.profile, baseSecond.profile);
  const baselineCyclesPerSecond = (2 * N) / (bMs / 1000);
  const baselineUpdatesPerSecond = updateLatencies.length / (bMs / 1000);
  baseWorker.shutdown();
  await baseRunning;
  await baseConn.close();

  // ------------------------------------------------------------ (5) replay
  const K = Math.min(REPLAY, submitted.length);
  const histDir = path.join(tmp, 'histories');
  fs.mkdirSync(histDir);
  const files: { file: string; workflowId: string }[] = [];
  for (const id of submitted.slice(0, K)) {
    const workflowId = `request-${id}`;
    const json = historyToJSON(await client.workflow.getHandle(workflowId).fetchHistory());
    const file = path.join(histDir, `${workflowId}.json`);
    fs.writeFileSync(file, json);
    files.push({ file, workflowId });
  }
  // What one Clearance cycle costs in Temporal terms (averaged over the exported histories) vs the baseline.
  const perCycle = historyProfile(files.map((f) => historyFromJSON(JSON.parse(fs.readFileSync(f.file, 'utf8')))));
  const baseHistory = await bareClient.workflow.getHandle(started[0]).fetchHistory();
  const baselineEvents = baseHistory.events?.length ?? 0;
  const baselineWorkflowTasks = (baseHistory.events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes).length;
  log(
    `per cycle: ${JSON.stringify(perCycle)}; baseline history ${baselineEvents} events, ${baselineWorkflowTasks} workflow tasks`,
  );
  // Rendering one approval email (Handlebars text + HTML), alone, to see its share of a cycle.
  const renders = 500;
  const tRender = performance.now();
  for (let i = 0; i < renders; i++) {
    renderApprovalMail({
      kind: 'approval',
      summary: {
        type: 'departure_abroad',
        requesterEmail: REQUESTER,
        requesterName: 'Carol',
        destinationCountry: 'DE',
        departureDate: '2027-03-01',
        returnDate: '2027-03-07',
        purpose: `Bench ${i}`,
      },
      party: 'hr',
      reasons: ['departure abroad'],
      hits: [],
      link: `http://127.0.0.1/approvals/${i}`,
      expiresAt: '2027-03-01 00:00 UTC',
    });
  }
  const renderMsPerMail = (performance.now() - tRender) / renders;
  const workflowBundle = { code: bundleCode };
  // warm-up (first replay worker pays one-off costs), not timed
  await replayHistory(JSON.parse(fs.readFileSync(files[0].file, 'utf8')), {
    workflowId: files[0].workflowId,
    codec,
    workflowBundle,
  });
  let tr = performance.now();
  let rawOk = 0;
  let eventCount = 0;
  for await (const result of Worker.runReplayHistories(
    { workflowBundle, dataConverter: { payloadCodecs: [codec] } },
    (function* () {
      for (const f of files) {
        const h = historyFromJSON(JSON.parse(fs.readFileSync(f.file, 'utf8')));
        eventCount += h.events?.length ?? 0;
        yield { workflowId: f.workflowId, history: h };
      }
    })(),
  )) {
    if (!result.error) rawOk++;
  }
  const rawReplayMs = performance.now() - tr;
  tr = performance.now();
  let projOk = 0;
  for (const f of files) {
    const res = await replayHistory(JSON.parse(fs.readFileSync(f.file, 'utf8')), {
      workflowId: f.workflowId,
      codec,
      workflowBundle,
    });
    if (res.deterministic) projOk++;
  }
  const projectReplayMs = performance.now() - tr;
  log(
    `replay: ${K} histories (${eventCount} events): raw ${Math.round(rawReplayMs)} ms, replayHistory ${Math.round(projectReplayMs)} ms`,
  );

  // ------------------------------------------------------------ (4) scale of waiting
  // With --capture every mail is kept in this process; the open phase reads none, so it keeps none.
  mail.clear();
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  log(`waiting: submitting ${OPEN} open requests, ${OPEN_CONCURRENCY} in flight`);
  const tOpen = Date.now();
  const endOpenPhase = startPhase();
  const openIds: string[] = [];
  let openFailures = 0;
  let mailsAtOpen = 0;
  await pool(
    Array.from({ length: OPEN }, (_, i) => i),
    OPEN_CONCURRENCY,
    async () => {
      try {
        openIds.push(await submit());
      } catch (error) {
        openFailures += 1;
        if (openFailures <= 5) log(`open submission failed: ${String(error)}`);
        return;
      }
      if (openIds.length % 1000 === 0) {
        mailsAtOpen += mail.count();
        mail.clear();
        const s = (Date.now() - tOpen) / 1000;
        log(`waiting: ${openIds.length} submitted in ${Math.round(s)} s (${r1(openIds.length / s)}/s)`);
      }
    },
  );
  const openSubmittedMs = Date.now() - tOpen;
  // wait until all are projected as pending with their parties awaiting
  const openDeadline = Date.now() + 180_000 + OPEN * 100;
  let inboxTotal = 0;
  while (Date.now() < openDeadline) {
    const res = await http.as<{ total: number }>('hr@example.com', 'GET', '/api/approvals/inbox?party=hr');
    inboxTotal = res.body.total;
    if (inboxTotal >= openIds.length) break;
    await sleep(Math.max(250, OPEN / 2));
  }
  const openSubmitMs = Date.now() - tOpen;
  // Every member of the four parties is emailed about each (2 × 4); wait for those too, so the worker is idle.
  while (mailsAtOpen + mail.count() < 8 * openIds.length && Date.now() < openDeadline) await sleep(250);
  const openMailedMs = Date.now() - tOpen;
  const openProfile = endOpenPhase();
  log(`waiting profile: ${JSON.stringify(openProfile)}`);
  mail.clear();
  global.gc?.();
  await sleep(500);
  const rssOpen = process.memoryUsage().rss;
  const heapOpen = process.memoryUsage().heapUsed;
  const listLat: number[] = [];
  const inboxLat: number[] = [];
  for (let i = 0; i < 20; i++) {
    let t = performance.now();
    const l = await http.as('auditor@example.com', 'GET', '/api/requests?limit=50');
    listLat.push(performance.now() - t);
    if (l.status !== 200) throw new Error(`list answered ${l.status}`);
    t = performance.now();
    const b = await http.as('hr@example.com', 'GET', '/api/approvals/inbox');
    inboxLat.push(performance.now() - t);
    if (b.status !== 200) throw new Error(`inbox answered ${b.status}`);
  }
  log(`waiting: ${inboxTotal} open in hr's inbox after ${openSubmitMs} ms; RSS ${mib(rssOpen)} MiB`);

  // fresh worker that must pick them up: shut down, create a new one, decide on open requests
  worker.worker.shutdown();
  await running;
  await worker.close();
  const tw = performance.now();
  worker = await createClearanceWorker(config, { workflowBundle: { codePath: bundlePath } });
  const workerCreateMs = performance.now() - tw;
  running = worker.worker.run();
  while (worker.worker.getState() !== 'RUNNING') await sleep(5);
  const workerRunningMs = performance.now() - tw;
  const workerRssAfterRestart = process.memoryUsage().rss;
  // first decision after restart: the workflow is not in the new worker's cache, so it is replayed
  const PICK = Math.min(20, openIds.length);
  const t1 = performance.now();
  const first = await http.as('hr@example.com', 'POST', `/api/requests/${openIds[0]}/decisions`, {
    party: 'hr',
    decision: 'approve',
  });
  const firstDecisionAfterStartMs = performance.now() - t1;
  if (first.status !== 200) throw new Error(`first decision after restart answered ${first.status}: ${first.text}`);
  const coldLat: number[] = [];
  await pool(openIds.slice(1, PICK), CONCURRENCY, async (id) => {
    const t = performance.now();
    const res = await http.as('hr@example.com', 'POST', `/api/requests/${id}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    if (res.status === 200) coldLat.push(performance.now() - t);
  });
  const warmLat: number[] = [];
  await pool(openIds.slice(1, PICK), CONCURRENCY, async (id) => {
    const t = performance.now();
    const res = await http.as('legal@example.com', 'POST', `/api/requests/${id}/decisions`, {
      party: 'legal',
      decision: 'approve',
    });
    if (res.status === 200) warmLat.push(performance.now() - t);
  });
  log(
    `restart: Worker created in ${Math.round(workerCreateMs)} ms, first decision ${Math.round(firstDecisionAfterStartMs)} ms`,
  );
  // Make the fresh worker pick up every open request: a query on a workflow it does not hold replays its history.
  const tPick = performance.now();
  let picked = 0;
  const pickDeadline = Date.now() + 600_000;
  await pool(openIds, OPEN_CONCURRENCY, async (id) => {
    if (Date.now() > pickDeadline) return; // bounded: the log and JSON say how many were picked up
    await client.workflow.getHandle(`request-${id}`).query(stateQuery);
    picked += 1;
  });
  const pickUpAllMs = performance.now() - tPick;
  global.gc?.();
  await sleep(500);
  const rssAfterPickUp = process.memoryUsage().rss;
  log(
    `restart: ${picked} open workflows picked up (queried) in ${Math.round(pickUpAllMs)} ms; RSS ${mib(rssAfterPickUp)} MiB`,
  );

  // ------------------------------------------------------------ report
  const cpus = os.cpus();
  const result = {
    when: new Date().toISOString(),
    database: PG ? 'postgres' : 'sqlite',
    mailbox: CAPTURE ? 'SmtpCapture (parses and keeps every mail, in-process)' : 'counting SMTP sink (in-process)',
    requests: N,
    concurrency: CONCURRENCY,
    cycleMs,
    cyclesPerSecond: r2(cyclesPerSecond),
    decisions,
    decisionsPerSecond: r2(decisionsPerSecond),
    cycleSubmittedMs: submittedMs,
    cycleApprovedMs: approvedAt - cycleStart,
    cycleClosedMs: closedAt - cycleStart,
    cycleProfile: perUnit(cycleProfile, N),
    cycleInboxPolls: inboxPolls,
    refusedDecisions: refused,
    emailsPerRequest: r2(mailsPerRequest),
    baselineMs: bMs,
    baselineCyclesPerSecond: r2(baselineCyclesPerSecond),
    baselineUpdatesPerSecond: r2(baselineUpdatesPerSecond),
    baselineRatio: r2(cyclesPerSecond / baselineCyclesPerSecond),
    baselineRuns: [baseFirst.ms, baseSecond.ms],
    baselineProfile: perUnit(baselineProfile, 2 * N),
    decisionP50Ms: r1(pct(decisionLatencies, 50)),
    decisionP95Ms: r1(pct(decisionLatencies, 95)),
    decisionP99Ms: r1(pct(decisionLatencies, 99)),
    baselineUpdateP50Ms: r1(pct(updateLatencies, 50)),
    baselineUpdateP95Ms: r1(pct(updateLatencies, 95)),
    baselineUpdateP99Ms: r1(pct(updateLatencies, 99)),
    openRequests: inboxTotal,
    openSubmitted: openIds.length,
    openFailures,
    openConcurrency: OPEN_CONCURRENCY,
    openSubmittedMs,
    openSubmitPerSecond: r2(openIds.length / (openSubmittedMs / 1000)),
    openSubmitMs,
    openMailedMs,
    openProfile: perUnit(openProfile, Math.max(openIds.length, 1)),
    workerRssMiB: mib(rssOpen),
    rssBeforeOpenMiB: mib(rssBefore),
    heapUsedOpenMiB: mib(heapOpen),
    rssAfterRestartMiB: mib(workerRssAfterRestart),
    pickUpAllMs: Math.round(pickUpAllMs),
    pickedUp: picked,
    rssAfterPickUpMiB: mib(rssAfterPickUp),
    rssNote:
      'RSS of the single bench process: Temporal worker + API + SMTP capture + HTTP clients (not the dev server)',
    listLatencyMedianMs: r1(median(listLat)),
    inboxLatencyMedianMs: r1(median(inboxLat)),
    workerCreateMs: Math.round(workerCreateMs),
    workerRunningMs: Math.round(workerRunningMs),
    firstDecisionAfterRestartMs: Math.round(firstDecisionAfterStartMs),
    coldDecisionP50Ms: r1(median(coldLat)),
    warmDecisionP50Ms: r1(median(warmLat)),
    historyPerCycle: perCycle,
    renderMsPerMail: r2(renderMsPerMail),
    historyNote:
      'history of request-<id> at export time (approved, still tracking obligations); baseline history is complete',
    baselineHistoryEvents: baselineEvents,
    baselineWorkflowTasks,
    replayHistories: K,
    replayEvents: eventCount,
    rawReplayMs: Math.round(rawReplayMs),
    projectReplayMs: Math.round(projectReplayMs),
    replayRatio: r2(projectReplayMs / rawReplayMs),
    replayOk: { raw: rawOk, project: projOk },
    totalMs: Date.now() - t0,
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: r1(os.totalmem() / 1024 ** 3),
    node: process.version,
    loadAverage: os.loadavg().map(r2),
  };
  const rows: [string, string, string][] = [
    [
      'Clearance cycle',
      `${result.cyclesPerSecond} cycles/s, ${result.decisionsPerSecond} decisions/s`,
      `${N} requests × 4 parties in ${cycleMs} ms; ${result.emailsPerRequest} emails/request`,
    ],
    [
      'Bare Temporal baseline',
      `${result.baselineCyclesPerSecond} cycles/s, ${result.baselineUpdatesPerSecond} updates/s`,
      `2 × ${N} workflows × 4 Updates in ${baseFirst.ms} + ${baseSecond.ms} ms (before and after the cycle)`,
    ],
    ['Ratio Clearance / baseline', `${result.baselineRatio}`, 'goal ≥ 0.8'],
    [
      'Decision POST → 200',
      `p50 ${result.decisionP50Ms} / p95 ${result.decisionP95Ms} / p99 ${result.decisionP99Ms} ms`,
      `${decisionLatencies.length} decisions, ${CONCURRENCY} approvers`,
    ],
    [
      'Bare Update round trip',
      `p50 ${result.baselineUpdateP50Ms} / p95 ${result.baselineUpdateP95Ms} / p99 ${result.baselineUpdateP99Ms} ms`,
      `${updateLatencies.length} Updates`,
    ],
    [
      'Open requests waiting',
      `${inboxTotal}`,
      `submitted in ${openSubmittedMs} ms (${result.openSubmitPerSecond}/s, ${OPEN_CONCURRENCY} in flight), projected after ${openSubmitMs} ms`,
    ],
    [
      'Process RSS (worker in-process)',
      `${result.workerRssMiB} MiB`,
      `${result.rssBeforeOpenMiB} MiB before opening them`,
    ],
    ['GET /api/requests?limit=50', `median ${result.listLatencyMedianMs} ms`, '20 calls, auditor'],
    ['GET /api/approvals/inbox', `median ${result.inboxLatencyMedianMs} ms`, `20 calls, hr (${inboxTotal} items)`],
    [
      'Fresh worker start-up',
      `${result.workerCreateMs} ms create, ${result.workerRunningMs} ms to RUNNING`,
      `first decision after restart ${result.firstDecisionAfterRestartMs} ms`,
    ],
    [
      'Fresh worker picks up all open',
      `${result.pickUpAllMs} ms`,
      `${picked} queried (replayed); RSS ${result.rssAfterPickUpMiB} MiB after`,
    ],
    [
      'Decision after restart',
      `cold p50 ${result.coldDecisionP50Ms} ms, warm p50 ${result.warmDecisionP50Ms} ms`,
      `${coldLat.length} requests`,
    ],
    [
      'Replay',
      `raw ${result.rawReplayMs} ms, replayHistory ${result.projectReplayMs} ms (×${result.replayRatio})`,
      `${K} histories, ${eventCount} events; ok ${rawOk}/${projOk}`,
    ],
    [
      'Machine',
      `${result.cpuCount} × ${result.cpuModel}`,
      `${result.memoryGiB} GiB, Node ${result.node}, load ${result.loadAverage.join(' ')}`,
    ],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  process.stdout.write('\n' + rows.map((r) => `${r[0].padEnd(w0)} | ${r[1].padEnd(w1)} | ${r[2]}`).join('\n') + '\n');
  if (JSON_FILE) {
    fs.writeFileSync(JSON_FILE, JSON.stringify(result, null, 2) + '\n');
    log(`wrote ${JSON_FILE}`);
  }

  // ------------------------------------------------------------ teardown
  worker.worker.shutdown();
  await running;
  await worker.close();
  http.close();
  await app.close();
  await mail.stop();
  await clientConn.close();
  await db.destroy();
  await server.stop();
  await dropDb();
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
