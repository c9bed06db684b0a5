/*
 * Fault drills: `npm run chaos [-- --requests N --spread S --timeout S --postgres [URL] --strict-smtp --keep]`.
 * `npm run chaos -- --cluster …` runs the drill on the production topology instead (bench/chaos/cluster.ts).
 *
 * Runs the Temporal dev server (persisted to a file), an SMTP sink, the API and the worker as
 * separate processes on loopback, drives a bench-like load through HTTP and email links, and
 * meanwhile kills and restarts each part on a schedule. Then it checks from the database, the
 * Temporal histories and the sink that nothing was lost or applied twice. Exit 0 when every check
 * passes, 1 on any loss or duplicate, 2 when the run does not settle before its hard timeout.
 * docs/reliability.md explains the checks and records measured runs.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@libs/config';
import { EncryptionCodec, Keyring } from '@libs/crypto';
import { openDataSource } from '@libs/persistence';
import { freePort, startDevServer, type DevServer } from '../scripts/dev-server';
import { createPostgresDatabase } from '../tests/support/databases';
import { runClusterDrill } from './chaos/cluster';
import { ChaosHttp, createLoadStats, runLoad } from './chaos/load';
import { SinkMailbox } from './chaos/mailbox';
import { ManagedProcess, waitHttpOk } from './chaos/processes';
import { faultClock, whileInFlight } from './chaos/faults';
import { printTable } from './chaos/report';
import { allSettled, verify } from './chaos/verify';
import { WORKFLOW_BUNDLER_OPTIONS } from '@libs/temporal';

// ---------------------------------------------------------------- arguments
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const next = process.argv[i + 1];
  return next && !next.startsWith('--') ? next : '';
}
const N = Number(arg('requests') || 30);
const SPREAD_S = Number(arg('spread') || 80);
const TIMEOUT_S = Number(arg('timeout') || 300);
const PG = arg('postgres') === undefined ? undefined : arg('postgres') || 'postgres://postgres@127.0.0.1:5432/test';
const STRICT_SMTP = arg('strict-smtp') !== undefined;
const KEEP = arg('keep') !== undefined;

const t0 = Date.now();
const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1).padStart(5);
const log = (line: string) => process.stderr.write(`[chaos ${elapsed()} s] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Kills every child at once when the run is cut short (hard timeout, Ctrl-C). */
const emergency: Array<() => void> = [];
function abort(reason: string): void {
  log(reason);
  for (const kill of emergency) kill();
  setTimeout(() => process.exit(2), 500).unref();
}

/** A fresh SQLite file in the run's temp dir, or a fresh PostgreSQL database with --postgres. */
async function createDatabase(tmp: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (!PG) return { env: { SQLITE_PATH: path.join(tmp, 'clearance.sqlite') }, drop: () => Promise.resolve() };
  return createPostgresDatabase(PG, 'clearance_chaos');
}

async function main(): Promise<number> {
  const runId = randomBytes(3).toString('hex');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-chaos-'));
  log(
    `run ${runId}: ${N} requests over ${SPREAD_S} s, timeout ${TIMEOUT_S} s, ${PG ? 'PostgreSQL' : 'SQLite'}; ${tmp}`,
  );
  const cleanups: Array<() => Promise<void>> = [];
  let failed = true;
  try {
    // ------------------------------------------------------------ the parts
    const bundleFile = path.resolve(__dirname, '../workflow-bundle.js'); // what dist/bench/apps/worker/main.js loads
    const { code } = await bundleWorkflowCode({
      ...WORKFLOW_BUNDLER_OPTIONS,
      workflowsPath: require.resolve('../workflows'),
      logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} },
    });
    fs.writeFileSync(bundleFile, code);
    log('workflow bundle built');

    const temporalPort = await freePort();
    const temporalDb = path.join(tmp, 'temporal.db');
    const startTemporal = () => startDevServer({ dbFile: temporalDb, port: temporalPort, headless: true, log });
    let devServer: DevServer = await startTemporal();
    cleanups.push(() => devServer.stop());
    emergency.push(() => void devServer.stop());
    log(`Temporal dev server at ${devServer.address} (persisted to ${temporalDb})`);

    const db = await createDatabase(tmp);
    // A failed run keeps its database for inspection (the log names it).
    cleanups.push(async () => {
      if (failed && PG) log(`database kept: ${db.env.DATABASE_URL}`);
      else await db.drop();
    });
    const [apiPort, smtpPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      // dev mode asked for (a PostgreSQL run counts as production settings); no rate limits in a load test
      CLEARANCE_DEV_MODE: '1',
      RATE_LIMIT_PUBLIC: '0',
      RATE_LIMIT_EVALUATE: '0',
      PORT: String(apiPort),
      PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
      TEMPORAL_ADDRESS: devServer.address,
      TEMPORAL_TASK_QUEUE: `clearance-chaos-${runId}`,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SMTP_CAPTURE_PORT: '0',
      LOG_LEVEL: 'log',
      ...db.env,
    };
    const config = loadConfig(env);
    const distBench = path.resolve(__dirname, '..');
    const sinkFile = path.join(tmp, 'smtp-deliveries.jsonl');
    const sink = new ManagedProcess(
      {
        name: 'smtp',
        args: [path.join(__dirname, 'chaos', 'smtp-sink.js'), String(smtpPort), sinkFile],
        env,
        logFile: path.join(tmp, 'smtp.log'),
        ready: (p) => p.waitForOutput(/listening/, 10_000),
      },
      log,
    );
    const api = new ManagedProcess(
      {
        name: 'api',
        args: ['--enable-source-maps', path.join(__dirname, 'chaos', 'api-main.js')],
        env,
        logFile: path.join(tmp, 'api.log'),
        ready: (p) => waitHttpOk(`http://127.0.0.1:${apiPort}/health/ready`, p, 90_000),
      },
      log,
    );
    const worker = new ManagedProcess(
      {
        name: 'worker',
        args: ['--enable-source-maps', path.join(distBench, 'apps', 'worker', 'main.js')],
        env,
        logFile: path.join(tmp, 'worker.log'),
        ready: (p) => p.waitForOutput(/polling task queue/, 90_000),
      },
      log,
    );
    for (const p of [sink, api, worker]) {
      cleanups.push(() => p.close());
      emergency.push(() => p.killNow());
    }
    await sink.start();
    await api.start(); // runs the migrations and seeds the directory before the worker opens the database
    await worker.start();
    log(`system up: API 127.0.0.1:${apiPort}, SMTP sink 127.0.0.1:${smtpPort}, task queue ${env.TEMPORAL_TASK_QUEUE}`);

    // ------------------------------------------------------------ load and faults
    const deadline = t0 + TIMEOUT_S * 1000;
    const mailbox = new SinkMailbox(sinkFile);
    const http = new ChaosHttp(`http://127.0.0.1:${apiPort}`, 20_000);
    const loadStart = Date.now();
    const scale = SPREAD_S / 80;
    const clock = faultClock(loadStart, log);
    const { faults } = clock;
    const fault = (atS: number, name: string, act: () => Promise<void>) => clock.fault(atS * scale, name, act);
    const stats = createLoadStats();
    const killWorker = async () => {
      await worker.stop('SIGKILL');
      await sleep(2000);
      await worker.start();
    };
    // Every fault falls inside the submission window (the last request goes out at ~77 s of 80).
    const schedule = (async () => {
      await fault(8, 'SIGKILL worker, restart after 2 s', killWorker);
      await fault(18, 'SIGTERM API while a submission is in flight, restart', async () => {
        log(`  ${await whileInFlight(stats, 'submit')} submission(s) in flight`);
        log(`  api: ${await api.stop('SIGTERM')}`);
        await api.start();
      });
      await fault(28, 'SIGKILL SMTP server, restart after 10 s', async () => {
        await sink.stop('SIGKILL');
        await sleep(10_000);
        await sink.start();
      });
      await fault(44, 'SIGKILL worker, restart after 2 s', killWorker);
      await fault(53, 'stop Temporal dev server (SIGTERM), restart after 3 s on its file', async () => {
        await devServer.stop();
        await sleep(3000);
        devServer = await startTemporal();
      });
      await fault(63, 'SIGKILL API while a decision is in flight, restart', async () => {
        log(`  ${await whileInFlight(stats, 'decide')} decision(s) in flight`);
        await api.stop('SIGKILL');
        await api.start();
      });
      await fault(71, 'SIGKILL worker, then SIGKILL API while decisions wait on it; restart both', async () => {
        await worker.stop('SIGKILL');
        await sleep(1500);
        log(`  ${await whileInFlight(stats, 'decide')} decision(s) in flight`);
        await api.stop('SIGKILL');
        await api.start();
        await worker.start();
      });
    })();
    await Promise.all([
      runLoad(http, mailbox, { requests: N, spreadMs: SPREAD_S * 1000, runId, deadline, log }, stats),
      schedule,
    ]);
    log(`load and faults done; waiting for every workflow to complete`);

    // ------------------------------------------------------------ settle and verify
    const connection = await Connection.connect({ address: devServer.address });
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
    if (!settled) log(`not settled within the ${TIMEOUT_S} s timeout: verifying what there is`);
    else log('every workflow completed; verifying');
    await sleep(1000); // the last SMTP lines and outbox marks
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
    rows.push({
      check: 'unplanned exits (restarted by the drill)',
      expected: '0',
      observed: `api ${api.unplannedExits}, worker ${worker.unplannedExits}, smtp ${sink.unplannedExits}`,
      verdict: 'info',
    });
    const cpus = os.cpus();
    printTable(rows, faults, stats, notes, [
      `database ${PG ? 'PostgreSQL' : 'SQLite'}; ${N} requests over ${SPREAD_S} s; drill ${((Date.now() - loadStart) / 1000).toFixed(1)} s, total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      `machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown'}, Node ${process.version}, load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    ]);
    const bad = rows.filter((r) => r.verdict === 'FAIL');
    failed = bad.length > 0 || !settled;
    if (!settled) return 2;
    if (bad.length > 0) {
      log(`FAILED: ${bad.map((r) => r.check).join('; ')}`);
      return 1;
    }
    log('passed: nothing lost, nothing applied twice');
    return 0;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => log(`cleanup: ${String(e)}`));
    if (failed || KEEP) log(`logs and files kept in ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (arg('cluster') !== undefined) {
  // `--cluster`: the drill on the production topology (bench/chaos/cluster.ts)
  runClusterDrill();
} else {
  // The hard timeout: whatever hangs, the run ends and says so.
  setTimeout(
    () => abort(`hard timeout (${TIMEOUT_S + 60} s): giving up, children killed`),
    (TIMEOUT_S + 60) * 1000,
  ).unref();
  process.once('SIGINT', () => abort('interrupted: children killed'));

  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      log(`chaos failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
