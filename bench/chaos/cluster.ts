/*
 * The fault drill on the production topology: `npm run chaos -- --cluster [--requests N --spread S
 * --timeout S --postgres ADMIN_URL --temporal-port P --replay K --keep --strict-smtp --no-faults]`.
 *
 * The real Temporal server (one process per service, on PostgreSQL, as `npm run start:cluster`
 * runs it), two Clearance APIs and two workers on one fresh PostgreSQL database, and the drill's
 * SMTP sink, each its own OS process. N four-party requests go through both APIs (a retry goes to
 * the other one with the same Idempotency-Key; half the decisions are emailed links used on the
 * API the request was not submitted to) while the drill kills and restarts workers, APIs and
 * Temporal services, terminates every Clearance PostgreSQL connection, takes the database away for
 * a few seconds and stops the Temporal frontend (the APIs' readiness must go 503 and come back to
 * 200 by itself, no process may die of it). Then the single-process drill's checks (bench/chaos/verify.ts)
 * plus: the projection matches each Temporal history (replayed through the APIs), the status in
 * Temporal's PostgreSQL visibility matches the projection, the audit chain verifies on both APIs,
 * every used link is refused on both APIs. Exit 0 when every check passes, 1 on any failure, 2 when
 * the run does not settle before its timeout.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { loadConfig } from '@libs/config';
import { EncryptionCodec, Keyring } from '@libs/crypto';
import { openDataSource, RequestEntity } from '@libs/persistence';
import { WORKFLOW_BUNDLER_OPTIONS } from '@libs/temporal';
import { freePort } from '../../scripts/dev-server';
import {
  findOrBuildServer,
  registerNamespace,
  SERVER_SERVICES,
  serverEnvironment,
  serverServiceArgs,
  serverServicePort,
  setupServerSchemas,
  type ServerService,
} from '../../scripts/temporal-server';
import { createPostgresDatabase } from '../../tests/support/databases';
import { ChaosHttp, createLoadStats, REQUESTER, runLoad } from './load';
import { SinkMailbox } from './mailbox';
import { ManagedProcess, waitHttpOk } from './processes';
import { faultClock, whileInFlight } from './faults';
import { printTable } from './report';
import { allSettled, verify, type Row } from './verify';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const next = process.argv[i + 1];
  return next && !next.startsWith('--') ? next : '';
}
const N = Number(arg('requests') || 200);
const SPREAD_S = Number(arg('spread') || Math.max(80, N));
const TIMEOUT_S = Number(arg('timeout') || SPREAD_S + 600);
const PG = arg('postgres') || 'postgres://postgres@127.0.0.1:5432/test';
const TEMPORAL_PORT = Number(arg('temporal-port') || 27233);
/** How many histories to replay through the APIs (all by default). */
const REPLAY = arg('replay') ? Number(arg('replay')) : N;
const STRICT_SMTP = arg('strict-smtp') !== undefined;
/** The load without the faults: what each process costs (the process table), for docs/production.md. */
const NO_FAULTS = arg('no-faults') !== undefined;
const KEEP = arg('keep') !== undefined;

const t0 = Date.now();
const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1).padStart(5);
const log = (line: string) => process.stderr.write(`[chaos cluster ${elapsed()} s] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const emergency: Array<() => void> = [];

async function waitPort(port: number, proc: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.running) throw new Error(`${proc.name} exited during start-up`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(300);
  }
  throw new Error(`${proc.name} did not listen on ${port} within ${timeoutMs} ms`);
}

/** Every API's /health/ready, sampled twice a second for the whole run. */
class ReadinessWatch {
  readonly samples: { at: number; api: number; status: number }[] = [];
  private stopped = false;
  private loop?: Promise<void>;

  constructor(private readonly urls: string[]) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const at = Date.now();
        await Promise.all(
          this.urls.map(async (url, api) => {
            let status = 0;
            try {
              status = (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(4000) })).status;
            } catch {
              // not answering (killed, restarting): 0
            }
            this.samples.push({ at, api, status });
          }),
        );
        await sleep(Math.max(0, 500 - (Date.now() - at)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** Waits until every API answers 200 (after a fault). */
  async allReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ok = await Promise.all(
        this.urls.map((url) =>
          fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(4000) }).then(
            (r) => r.status === 200,
            () => false,
          ),
        ),
      );
      if (ok.every(Boolean)) return true;
      await sleep(300);
    }
    return false;
  }

  /** Per API: a 503 between `from` and `to` (epoch ms), and a 200 after the last 503. */
  dipAndBack(from: number, to: number): { dipped: boolean[]; back: boolean[] } {
    const dipped = this.urls.map((_, api) =>
      this.samples.some((s) => s.api === api && s.status === 503 && s.at >= from && s.at <= to),
    );
    const back = this.urls.map((_, api) => {
      const last503 = Math.max(
        0,
        ...this.samples.filter((s) => s.api === api && s.status === 503 && s.at >= from).map((s) => s.at),
      );
      return this.samples.some((s) => s.api === api && s.status === 200 && s.at > last503 && s.at >= from);
    });
    return { dipped, back };
  }
}

/**
 * CPU time and peak resident memory of each part, read from /proc every 2 s, summed over the
 * incarnations of a part (a killed process's last sample counts).
 */
class ProcessMeter {
  private readonly cpu = new Map<string, Map<number, number>>();
  private readonly rss = new Map<string, number>();
  /** Ticks each process had used when the meter started (start-up is not the load's). */
  private readonly baseline = new Map<number, number>();
  private readonly tick = 100; // USER_HZ on Linux
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly parts: ManagedProcess[],
    /** Named groups of processes found anew at each sample (PostgreSQL's backends of these databases). */
    private readonly groups: { name: string; pids: () => Promise<number[]> }[] = [],
  ) {}

  private groupPids = new Map<string, number[]>();

  async start(): Promise<void> {
    if (process.platform !== 'linux') return;
    await this.findGroups();
    this.sample();
    for (const byPid of this.cpu.values()) for (const [pid, ticks] of byPid) this.baseline.set(pid, ticks);
    this.timer = setInterval(() => void this.findGroups().then(() => this.sample()), 2000);
  }

  private async findGroups(): Promise<void> {
    for (const group of this.groups) this.groupPids.set(group.name, await group.pids().catch(() => []));
  }

  sample(): void {
    const targets = [
      ...this.parts.map((part) => ({ name: part.name, pid: part.pid })),
      ...[...this.groupPids].flatMap(([name, pids]) => pids.map((pid) => ({ name, pid }))),
    ];
    for (const { name, pid } of targets) {
      if (!pid) continue;
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
        const byPid = this.cpu.get(name) ?? new Map<number, number>();
        byPid.set(pid, ticks);
        this.cpu.set(name, byPid);
        if (this.groupPids.has(name)) continue; // backends share memory: their RSS does not add up
        const rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
        this.rss.set(name, Math.max(this.rss.get(name) ?? 0, rssKb));
      } catch {
        // exited between the check and the read
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  lines(requests: number): string[] {
    return [...this.parts, ...this.groups].map((part) => {
      const ticks = [...(this.cpu.get(part.name)?.entries() ?? [])].reduce(
        (sum, [pid, t]) => sum + t - (this.baseline.get(pid) ?? 0),
        0,
      );
      const cpuS = ticks / this.tick;
      return `  ${part.name.padEnd(20)} CPU ${cpuS.toFixed(1).padStart(6)} s (${((cpuS * 1000) / Math.max(1, requests)).toFixed(0).padStart(4)} ms per request), ${this.rss.has(part.name) ? `peak RSS ${((this.rss.get(part.name) ?? 0) / 1024).toFixed(0).padStart(4)} MB` : 'RSS not summed (shared memory)'}`;
    });
  }
}

async function pg<T>(adminUrl: string, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new PgClient({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Terminates every connection to `database` but the caller's; returns how many. */
async function terminateConnections(adminUrl: string, database: string): Promise<number> {
  return pg(adminUrl, async (c) => {
    const { rows } = await c.query<{ ok: boolean }>(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    return rows.filter((r) => r.ok).length;
  });
}

export async function clusterDrill(): Promise<number> {
  const runId = randomBytes(3).toString('hex');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-chaos-cluster-'));
  log(
    `run ${runId}: ${N} requests over ${SPREAD_S} s, timeout ${TIMEOUT_S} s, PostgreSQL via ${PG}, Temporal frontend on ${TEMPORAL_PORT}; ${tmp}`,
  );
  const cleanups: Array<() => Promise<void>> = [];
  let failed = true;
  const loads: number[] = [];
  const loadSampler = setInterval(() => loads.push(os.loadavg()[0]), 5000);
  try {
    // ------------------------------------------------------------ workflow bundle (as chaos.ts)
    const { code } = await bundleWorkflowCode({
      ...WORKFLOW_BUNDLER_OPTIONS,
      workflowsPath: require.resolve('../../workflows'),
      logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} },
    });
    fs.writeFileSync(path.resolve(__dirname, '../../workflow-bundle.js'), code); // what dist/bench/apps/worker/main.js loads
    log('workflow bundle built');

    // ------------------------------------------------------------ Temporal: one process per service
    const admin = new URL(PG);
    const serverDb = {
      host: admin.hostname,
      port: Number(admin.port || 5432),
      user: decodeURIComponent(admin.username || 'postgres'),
      password: decodeURIComponent(admin.password),
      name: 'temporal_chaos',
      visibilityName: 'temporal_chaos_visibility',
    };
    const bins = findOrBuildServer(log);
    let t = Date.now();
    await setupServerSchemas(bins, serverDb);
    log(`Temporal databases ${serverDb.name}, ${serverDb.visibilityName} ready in ${Date.now() - t} ms`);
    const serverEnv = { ...process.env, ...serverEnvironment(serverDb, { frontend: TEMPORAL_PORT }) };
    const services = new Map<ServerService, ManagedProcess>();
    for (const service of SERVER_SERVICES) {
      const proc = new ManagedProcess(
        {
          name: `temporal ${service}`,
          command: bins.server,
          args: serverServiceArgs(service),
          env: serverEnv,
          logFile: path.join(tmp, `temporal-${service}.log`),
          ready: (p) => waitPort(serverServicePort(service, TEMPORAL_PORT), p, 120_000),
        },
        log,
      );
      services.set(service, proc);
      emergency.push(() => proc.killNow());
    }
    t = Date.now();
    // the first service writes the cluster metadata; the others start once it listens (start-cluster.ts)
    const [first, ...rest] = SERVER_SERVICES;
    await services.get(first)!.start();
    await Promise.all(rest.map((s) => services.get(s)!.start()));
    const temporalAddress = `127.0.0.1:${TEMPORAL_PORT}`;
    await registerNamespace(temporalAddress, 'default', [], 120_000);
    log(`Temporal serving at ${temporalAddress} in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    // ------------------------------------------------------------ Clearance
    const db = await createPostgresDatabase(PG, 'clearance_chaos');
    const dbName = new URL(db.env.DATABASE_URL).pathname.slice(1);
    cleanups.push(async () => {
      if (failed) log(`database kept: ${db.env.DATABASE_URL}`);
      else await db.drop();
    });
    const apiPorts = [await freePort(), await freePort()];
    const smtpPort = await freePort();
    const apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      CLEARANCE_DEV_MODE: '1',
      RATE_LIMIT_PUBLIC: '0',
      RATE_LIMIT_EVALUATE: '0',
      // links name the first API, as behind a load balancer they would name its one address
      PUBLIC_URL: apiUrls[0],
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: `clearance-chaos-${runId}`,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SMTP_CAPTURE_PORT: '0',
      LOG_LEVEL: 'log',
      ...db.env,
    };
    const config = loadConfig(env);
    const distBench = path.resolve(__dirname, '..', '..');
    const sinkFile = path.join(tmp, 'smtp-deliveries.jsonl');
    const sink = new ManagedProcess(
      {
        name: 'smtp',
        args: [path.join(__dirname, 'smtp-sink.js'), String(smtpPort), sinkFile],
        env,
        logFile: path.join(tmp, 'smtp.log'),
        ready: (p) => p.waitForOutput(/listening/, 10_000),
      },
      log,
    );
    const apis = apiPorts.map(
      (port, i) =>
        new ManagedProcess(
          {
            name: `api ${i + 1}`,
            args: ['--enable-source-maps', path.join(__dirname, 'api-main.js')],
            env: { ...env, PORT: String(port) },
            logFile: path.join(tmp, `api-${i + 1}.log`),
            ready: (p) => waitHttpOk(`http://127.0.0.1:${port}/health/ready`, p, 120_000),
          },
          log,
        ),
    );
    const workers = [1, 2].map(
      (i) =>
        new ManagedProcess(
          {
            name: `worker ${i}`,
            args: ['--enable-source-maps', path.join(distBench, 'apps', 'worker', 'main.js')],
            env,
            logFile: path.join(tmp, `worker-${i}.log`),
            ready: (p) => p.waitForOutput(/polling task queue/, 120_000),
          },
          log,
        ),
    );
    const clearance = [sink, ...apis, ...workers];
    for (const p of clearance) emergency.push(() => p.killNow());
    // teardown: Clearance first, then Temporal (cleanups run in reverse)
    cleanups.push(async () => {
      await Promise.all([...services.values()].map((p) => p.close()));
    });
    cleanups.push(async () => {
      await Promise.all(clearance.map((p) => p.close()));
    });
    await sink.start();
    await apis[0].start(); // migrations and the directory seed, before the others open the database
    await Promise.all([apis[1].start(), ...workers.map((w) => w.start())]);
    log(`system up: APIs ${apiUrls.join(', ')}, SMTP sink ${smtpPort}, task queue ${env.TEMPORAL_TASK_QUEUE}`);

    // ------------------------------------------------------------ load and faults
    const deadline = t0 + TIMEOUT_S * 1000;
    const mailbox = new SinkMailbox(sinkFile);
    const http = new ChaosHttp(apiUrls, 20_000);
    const readiness = new ReadinessWatch(apiUrls);
    readiness.start();
    // PostgreSQL's backends serving this run's databases (found by name: other users' are not counted)
    const backends = (names: string[]) => () =>
      pg(PG, async (c) =>
        (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = ANY($1)', [names])).rows.map(
          (r) => r.pid,
        ),
      );
    const meter = new ProcessMeter(
      [...services.values(), ...apis, ...workers, sink],
      [
        { name: 'postgres (Temporal)', pids: backends([serverDb.name, serverDb.visibilityName]) },
        { name: 'postgres (Clearance)', pids: backends([dbName]) },
      ],
    );
    await meter.start();
    const loadStart = Date.now();
    const clock = faultClock(loadStart, log);
    const { faults, since } = clock;
    const fault = (fraction: number, name: string, act: () => Promise<void>) =>
      clock.fault(fraction * SPREAD_S, name, act);
    const readinessRows: Row[] = [];
    const stats = createLoadStats();
    const restartAfter = async (proc: ManagedProcess, signal: NodeJS.Signals, pauseMs: number) => {
      log(`  ${proc.name}: ${await proc.stop(signal)}`);
      await sleep(pauseMs);
      await proc.start();
    };
    /** Runs `outage`, then requires every API's readiness to have gone 503 during it and 200 after. */
    const readinessDip = async (what: string, outage: () => Promise<void>) => {
      const from = Date.now();
      await outage();
      const to = Date.now();
      const ready = await readiness.allReady(90_000);
      await sleep(1000); // a sample after the recovery
      const { dipped, back } = readiness.dipAndBack(from, to);
      readinessRows.push({
        check: `readiness during ${what}: 503 on each API, then 200`,
        expected: apiUrls.map(() => '503→200').join(', '),
        observed: dipped.map((d, i) => `${d ? '503' : 'no 503'}→${back[i] && ready ? '200' : 'no 200'}`).join(', '),
        verdict: dipped.every(Boolean) && back.every(Boolean) && ready ? 'ok' : 'FAIL',
      });
    };
    const pgAway = async (seconds: number) => {
      await pg(PG, (c) => c.query(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS false`));
      try {
        log(`  ${await terminateConnections(PG, dbName)} connections terminated; database refuses new ones`);
        await sleep(seconds * 1000);
      } finally {
        await pg(PG, (c) => c.query(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS true`));
      }
    };
    let terminated = 0;
    const schedule = (async () => {
      if (NO_FAULTS) return;
      await fault(0.08, 'SIGKILL worker 1, restart after 2 s', () => restartAfter(workers[0], 'SIGKILL', 2000));
      await fault(0.16, 'SIGKILL API 2 while a submission is in flight, restart', async () => {
        log(`  ${await whileInFlight(stats, 'submit')} submission(s) in flight`);
        await restartAfter(apis[1], 'SIGKILL', 0);
      });
      await fault(0.24, 'terminate every Clearance PostgreSQL connection (pg_terminate_backend)', async () => {
        const n = await terminateConnections(PG, dbName);
        terminated += n;
        log(`  ${n} connections terminated`);
      });
      await fault(0.3, 'SIGKILL worker 2, restart after 2 s', () => restartAfter(workers[1], 'SIGKILL', 2000));
      await fault(0.36, 'SIGKILL Temporal history service, restart', () =>
        restartAfter(services.get('history')!, 'SIGKILL', 0),
      );
      await fault(0.44, 'stop Temporal frontend (SIGTERM), restart after 5 s', () =>
        readinessDip('the Temporal frontend restart', () => restartAfter(services.get('frontend')!, 'SIGTERM', 5000)),
      );
      await fault(0.52, 'SIGKILL API 1 while a decision is in flight, restart', async () => {
        log(`  ${await whileInFlight(stats, 'decide')} decision(s) in flight`);
        await restartAfter(apis[0], 'SIGKILL', 0);
      });
      await fault(0.58, 'SIGKILL SMTP sink, restart after 10 s', () => restartAfter(sink, 'SIGKILL', 10_000));
      await fault(0.64, 'PostgreSQL away: connections terminated and refused for 6 s', () =>
        readinessDip('the PostgreSQL outage', () => pgAway(6)),
      );
      await fault(0.72, 'SIGKILL Temporal matching service, restart', () =>
        restartAfter(services.get('matching')!, 'SIGKILL', 0),
      );
      await fault(0.8, 'SIGKILL worker 1, then API 2 while decisions wait on it; restart both', async () => {
        await workers[0].stop('SIGKILL');
        await sleep(1500);
        log(`  ${await whileInFlight(stats, 'decide')} decision(s) in flight`);
        await apis[1].stop('SIGKILL');
        await Promise.all([apis[1].start(), workers[0].start()]);
      });
      await fault(0.88, 'terminate every Clearance PostgreSQL connection again', async () => {
        const n = await terminateConnections(PG, dbName);
        terminated += n;
        log(`  ${n} connections terminated`);
      });
    })();
    await Promise.all([
      runLoad(http, mailbox, { requests: N, spreadMs: SPREAD_S * 1000, runId, deadline, log }, stats),
      schedule,
    ]);
    log('load and faults done; waiting for every workflow to complete');

    // ------------------------------------------------------------ settle
    const connection = await Connection.connect({ address: temporalAddress });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace });
    let settled = false;
    while (Date.now() < deadline) {
      if (await allSettled(client, stats)) {
        settled = true;
        break;
      }
      await sleep(2000);
    }
    log(settled ? 'every workflow completed; verifying' : `not settled within ${TIMEOUT_S} s: verifying what there is`);
    await readiness.stop();
    meter.stop();
    await sleep(1000);

    // ------------------------------------------------------------ verify
    const dataSource = await openDataSource(config.database, { migrate: false, auditChain: config.auditChain });
    cleanups.push(() => dataSource.destroy());
    const { rows, notes } = await verify({
      requests: N,
      runId,
      stats,
      dataSource,
      client,
      codec: new EncryptionCodec(new Keyring(config.encryption)),
      mailbox,
      strictSmtp: STRICT_SMTP,
      loadStart,
    });
    const row = (check: string, expected: string | number, observed: string | number, ok: boolean | 'info') =>
      rows.push({
        check,
        expected: String(expected),
        observed: String(observed),
        verdict: ok === 'info' ? 'info' : ok ? 'ok' : 'FAIL',
      });
    const ids = [...stats.submitted.values()];
    const auditor = { as: 'auditor@example.com' };

    // the projection against each history: the API replays it and compares the rebuilt trail with the records
    const toReplay = ids.slice(0, REPLAY);
    let replayed = 0;
    const replayBad: string[] = [];
    const queue = toReplay.map((id, i) => ({ id, api: i }));
    await Promise.all(
      apiUrls.map(async () => {
        for (let job = queue.shift(); job; job = queue.shift()) {
          const res = await http.send('POST', `/api/audit/requests/${job.id}/replay`, { ...auditor, api: job.api });
          const body =
            res.status === 200 ? (JSON.parse(res.text) as { deterministic?: boolean; matchesRecords?: boolean }) : {};
          if (body.deterministic === true && body.matchesRecords === true) replayed += 1;
          else replayBad.push(`${job.id}: ${res.status} ${res.text.slice(0, 200)}`);
        }
      }),
    );
    row(
      'histories replayed: deterministic, trail = database records',
      toReplay.length,
      `${replayed} (${replayBad.length} not)`,
      replayed === toReplay.length,
    );
    notes.push(...replayBad.slice(0, 10).map((b) => `replay: ${b}`));

    // Temporal's visibility (SQL, on PostgreSQL) against the projection
    const projected = new Map(
      (await dataSource.getRepository(RequestEntity).findBy({ requesterEmail: REQUESTER })).map((r) => [
        r.id,
        r.status,
      ]),
    );
    const visible = new Map<string, string>();
    for await (const wf of client.workflow.list({
      query: `TaskQueue = '${env.TEMPORAL_TASK_QUEUE}' AND WorkflowType = 'requestApprovalWorkflow'`,
    })) {
      const status = wf.searchAttributes?.ClearanceStatus;
      visible.set(wf.workflowId.replace(/^request-/, ''), Array.isArray(status) ? String(status[0]) : '');
    }
    const visMatch = ids.filter((id) => visible.get(id) === projected.get(id)).length;
    row('ClearanceStatus in Temporal visibility = projection status', ids.length, visMatch, visMatch === ids.length);

    // the audit chain, verified by each API
    const chains = await Promise.all(
      apiUrls.map((_, api) =>
        http.send('GET', '/api/audit/chain/verify', { ...auditor, api }).then(
          (r) =>
            `${r.status} ${r.status === 200 && (JSON.parse(r.text) as { ok?: boolean }).ok === true ? 'ok' : r.text.slice(0, 120)}`,
          (e: Error) => e.message,
        ),
      ),
    );
    row(
      'GET /api/audit/chain/verify on each API',
      apiUrls.map(() => '200 ok').join(', '),
      chains.join(', '),
      chains.every((c) => c === '200 ok'),
    );

    // every used link is refused afterwards, on the API that took it and on the other one
    const sample = stats.usedLinks.slice(0, 60);
    let refused = 0;
    const accepted: string[] = [];
    for (const link of sample) {
      for (const api of [link.api, link.api + 1]) {
        const res = await http.send('POST', link.path, { form: { decision: 'reject' }, api }).catch(() => null);
        if (res?.status === 409) refused += 1;
        else
          accepted.push(
            `${link.path.slice(0, 40)}… on API ${(api % apiUrls.length) + 1}: ${res?.status ?? 'no answer'}`,
          );
      }
    }
    row('used links posted again on both APIs: refused 409', 2 * sample.length, refused, refused === 2 * sample.length);
    notes.push(...accepted.slice(0, 10).map((a) => `link reused: ${a}`));

    rows.push(...readinessRows);
    if (!NO_FAULTS)
      row('PostgreSQL connections terminated (2 rounds, plus the outage)', '> 0', terminated, terminated > 0);
    // surviving the faults is the point: a part that died by itself (and was restarted) fails the run
    const unplanned = [...apis, ...workers].map((p) => `${p.name} ${p.unplannedExits}`);
    row(
      'API and worker exits the drill did not cause',
      0,
      unplanned.join(', '),
      [...apis, ...workers].every((p) => p.unplannedExits === 0),
    );
    row(
      'Temporal services and sink: exits the drill did not cause',
      '-',
      [...services.values(), sink].map((p) => `${p.name.replace('temporal ', '')} ${p.unplannedExits}`).join(', '),
      'info',
    );
    row('HTTP attempts per API', '-', http.sentTo.map((n, i) => `API ${i + 1} ${n}`).join(', '), 'info');

    const cpus = os.cpus();
    const meanLoad = loads.length ? loads.reduce((a, b) => a + b, 0) / loads.length : os.loadavg()[0];
    printTable(rows, faults, stats, notes, [
      'Processes, from the start of the load until every workflow completed (CPU summed over restarts):',
      ...meter.lines(N),
      `cluster: Temporal ${SERVER_SERVICES.join(', ')} (one process each) on PostgreSQL, 2 APIs, 2 workers; ${N} requests over ${SPREAD_S} s; drill ${since().toFixed(1)} s, total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      `machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown'}, Node ${process.version}, load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(
          ' ',
        )} at the end, 1-min load ${meanLoad.toFixed(2)} on average during the run (max ${Math.max(...loads, 0).toFixed(2)})`,
    ]);
    const bad = rows.filter((r) => r.verdict === 'FAIL');
    failed = bad.length > 0 || !settled;
    if (!settled) return 2;
    if (bad.length > 0) {
      log(`FAILED: ${bad.map((r) => r.check).join('; ')}`);
      return 1;
    }
    log('passed: nothing lost, nothing applied twice, every part came back by itself');
    return 0;
  } finally {
    clearInterval(loadSampler);
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => log(`cleanup: ${String(e)}`));
    if (failed || KEEP) log(`logs and files kept in ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Entry point from bench/chaos.ts: hard timeout, Ctrl-C, exit code. */
export function runClusterDrill(): void {
  const abort = (reason: string) => {
    log(reason);
    for (const kill of emergency) kill();
    setTimeout(() => process.exit(2), 500).unref();
  };
  setTimeout(
    () => abort(`hard timeout (${TIMEOUT_S + 120} s): giving up, children killed`),
    (TIMEOUT_S + 120) * 1000,
  ).unref();
  process.once('SIGINT', () => abort('interrupted: children killed'));
  clusterDrill().then(
    (code) => process.exit(code),
    (error: unknown) => {
      log(`chaos failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      for (const kill of emergency) kill();
      process.exit(1);
    },
  );
}
