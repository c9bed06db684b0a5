import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { PROJECT_ROOT } from '@libs/config';
import {
  findOrBuildServer,
  registerNamespace,
  SERVER_SERVICES,
  serverEnvironment,
  serverServicePort,
  setupServerSchemas,
  startServerService,
  type ServerDatabase,
} from './temporal-server';

/**
 * `npm run start:cluster`: the production topology on one machine, in dev mode. On the local
 * PostgreSQL (or DATABASE_URL's server): the real Temporal server, one process per service
 * (frontend, history, matching, worker) on its own persistence and visibility databases; a
 * standalone SMTP capture; two Clearance workers and two APIs (PORT and PORT+1) on one Clearance
 * database (`-- --workers N --apis N` to run another number of each, e.g. 1 and 1 to measure
 * what the second ones add; APIs on PORT … PORT+N-1). Dev mode (CLEARANCE_DEV_MODE=1) is explicit: dev sign-in and the dev mailbox (every
 * API reads the one capture) for this local topology only. Ctrl-C stops everything it started.
 *
 * Environment: PORT (3000), DATABASE_URL (postgres://postgres@127.0.0.1:5432/clearance_cluster),
 * TEMPORAL_CLUSTER_PORT (frontend gRPC, 7233; the other services use the ports after it and
 * 300 below it), TEMPORAL_DB (temporal_cluster; visibility in <name>_visibility),
 * SMTP_CAPTURE_PORT (2525; its mailbox on the next port), CLUSTER_LOG_DIR (data/cluster).
 */
const say = (line: string) => process.stdout.write(`[cluster] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ClusterOptions {
  /** First API port; the second API listens on the next one. */
  port: number;
  databaseUrl: string;
  temporalPort: number;
  temporalDb: string;
  smtpPort: number;
  logDir: string;
  workers: number;
  apis: number;
}

export interface ClusterProcess {
  name: string;
  child: ChildProcess;
  log: string;
}

export interface Cluster {
  apiUrls: string[];
  temporalAddress: string;
  mailboxUrl: string;
  databaseUrl: string;
  processes: ClusterProcess[];
  /** Milliseconds from the call to both APIs ready and every worker polling. */
  startupMs: number;
  /**
   * Stops one Temporal service (SIGTERM), waits `pauseMs`, starts it again and waits until it
   * listens: the reconnect drill of the cluster smoke.
   */
  restartTemporalService(service: (typeof SERVER_SERVICES)[number], pauseMs: number): Promise<void>;
  stop(): Promise<void>;
}

export function clusterOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ClusterOptions {
  const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
  return {
    port: num('PORT', 3000),
    databaseUrl: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/clearance_cluster',
    temporalPort: num('TEMPORAL_CLUSTER_PORT', 7233),
    temporalDb: env.TEMPORAL_DB || 'temporal_cluster',
    smtpPort: num('SMTP_CAPTURE_PORT', 2525),
    logDir: path.resolve(env.CLUSTER_LOG_DIR || path.join(PROJECT_ROOT, 'data', 'cluster')),
    workers: 2,
    apis: 2,
  };
}

/** `--workers N --apis N` (each 1 to 8) over `options`; anything else is refused. */
export function withProcessCounts(options: ClusterOptions, argv: string[]): ClusterOptions {
  const out = { ...options };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name !== '--workers' && name !== '--apis') throw new Error(`unknown option ${name} (--workers N, --apis N)`);
    const n = Number(argv[++i]);
    if (!Number.isInteger(n) || n < 1 || n > 8) throw new Error(`${name} wants a whole number from 1 to 8`);
    out[name === '--workers' ? 'workers' : 'apis'] = n;
  }
  return out;
}

/** The Temporal databases live on the same PostgreSQL server as Clearance's, with the same login. */
function serverDatabase(databaseUrl: string, temporalDb: string): ServerDatabase {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
    name: temporalDb,
    visibilityName: `${temporalDb}_visibility`,
  };
}

/** Creates Clearance's database when it does not exist (the API's migrations do the rest). */
async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`DATABASE_URL names no plain database: "${name}"`);
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new PgClient({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

async function waitHttp(url: string, proc: ClusterProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null)
      throw new Error(`${proc.name} exited during start-up; see ${proc.log}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(3000) })).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms; see ${proc.log}`);
}

/** Until something accepts TCP connections on 127.0.0.1:`port`. */
async function waitForPort(port: number, proc: ClusterProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null)
      throw new Error(`${proc.name} exited during start-up; see ${proc.log}`);
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
  throw new Error(`${proc.name} did not listen on ${port} within ${timeoutMs} ms; see ${proc.log}`);
}

/** Every worker is polling when the workflow task queue has that many distinct pollers. */
async function waitForPollers(
  address: string,
  taskQueue: string,
  workers: ClusterProcess[],
  timeoutMs: number,
): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const dead = workers.find((w) => w.child.exitCode !== null || w.child.signalCode !== null);
      if (dead) throw new Error(`${dead.name} exited during start-up; see ${dead.log}`);
      const { pollers } = await connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if (new Set((pollers ?? []).map((p) => p.identity)).size >= workers.length) return;
      await sleep(500);
    }
    throw new Error(`${workers.length} workers were not all polling ${taskQueue} within ${timeoutMs} ms`);
  } finally {
    await connection.close();
  }
}

/** SIGTERM, then SIGKILL after `graceMs`. */
function terminate(proc: ClusterProcess, graceMs: number): Promise<void> {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Brings the whole topology up; the caller stops it with `stop()`, which ends every process by pid. */
export async function startCluster(
  options: ClusterOptions,
  hooks: {
    log?: (line: string) => void;
    /** A process died while the cluster runs. */
    onUnexpectedExit?: (proc: ClusterProcess) => void;
    /** Receives `stop` at once, so a signal during start-up stops what has started so far. */
    onStopAvailable?: (stop: () => Promise<void>) => void;
  } = {},
): Promise<Cluster> {
  const log = hooks.log ?? say;
  const started = Date.now();
  const processes: ClusterProcess[] = [];
  let stopping = false;
  /** Processes stopped on purpose (a restart): their exit is no failure. */
  const restarting = new Set<ClusterProcess>();
  const infraProcs: ClusterProcess[] = [];
  const clearanceProcs: ClusterProcess[] = [];
  const stop = async () => {
    stopping = true;
    // Clearance first (workers drain their activities), then the capture, then Temporal's services.
    await Promise.all(clearanceProcs.map((p) => terminate(p, 20_000)));
    await Promise.all(infraProcs.map((p) => terminate(p, 15_000)));
  };
  hooks.onStopAvailable?.(stop);
  const watch = (proc: ClusterProcess) => {
    proc.child.once('exit', (code, signal) => {
      if (stopping || restarting.has(proc)) return;
      log(`${proc.name} exited (${signal ?? code}); its log: ${proc.log}`);
      hooks.onUnexpectedExit?.(proc);
    });
    processes.push(proc);
    return proc;
  };

  try {
    fs.mkdirSync(options.logDir, { recursive: true });
    const db = serverDatabase(options.databaseUrl, options.temporalDb);
    const bins = findOrBuildServer(log);
    let t = Date.now();
    await setupServerSchemas(bins, db);
    await ensureDatabase(options.databaseUrl);
    log(
      `databases ${db.name}, ${db.visibilityName} (Temporal) and ${new URL(options.databaseUrl).pathname.slice(1)} (Clearance) on ${db.host}:${db.port} ready in ${((Date.now() - t) / 1000).toFixed(1)} s`,
    );

    t = Date.now();
    const serverEnv = serverEnvironment(db, { frontend: options.temporalPort });
    const startService = (service: (typeof SERVER_SERVICES)[number]) => {
      const logFile = path.join(options.logDir, `temporal-${service}.log`);
      const proc = {
        name: `temporal ${service}`,
        child: startServerService(bins, service, serverEnv, logFile),
        log: logFile,
      };
      infraProcs.push(watch(proc));
      return proc;
    };
    // Every service writes the cluster's metadata row when it starts; on a fresh database the ones
    // that lose that race exit (duplicate key). So one goes first, and the rest start once it listens.
    const [first, ...rest] = SERVER_SERVICES;
    await waitForPort(options.temporalPort + 1, startService(first), 120_000);
    rest.forEach(startService);
    const temporalAddress = `127.0.0.1:${options.temporalPort}`;
    const { created } = await registerNamespace(
      temporalAddress,
      'default',
      infraProcs.map((p) => p.child),
      120_000,
    );
    log(
      `Temporal (${SERVER_SERVICES.join(', ')}: one process each) serving at ${temporalAddress} in ${((Date.now() - t) / 1000).toFixed(1)} s` +
        (created ? ' (namespace or search attributes registered)' : ''),
    );

    const node = (name: string, script: string, args: string[], env: NodeJS.ProcessEnv) => {
      const logFile = path.join(options.logDir, `${name.replace(/ /g, '-')}.log`);
      const out = fs.openSync(logFile, 'a');
      const child = spawn(
        process.execPath,
        ['--enable-source-maps', path.join(PROJECT_ROOT, 'dist', script), ...args],
        {
          env,
          stdio: ['ignore', out, out],
        },
      );
      fs.closeSync(out);
      const proc = watch({ name, child, log: logFile });
      (name === 'smtp capture' ? infraProcs : clearanceProcs).unshift(proc);
      return proc;
    };

    const mailboxPort = options.smtpPort + 1;
    const capture = node('smtp capture', 'scripts/smtp-capture.js', [String(options.smtpPort), String(mailboxPort)], {
      ...process.env,
    });
    const mailboxUrl = `http://127.0.0.1:${mailboxPort}`;
    await waitHttp(`${mailboxUrl}/mails?to=nobody`, capture, 30_000);

    const base: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      CLEARANCE_DEV_MODE: '1',
      DATABASE_URL: options.databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      SMTP_URL: `smtp://127.0.0.1:${options.smtpPort}`,
      SMTP_CAPTURE_URL: mailboxUrl,
      // Links in emails point at the first API: behind a load balancer both would share one URL.
      PUBLIC_URL: `http://localhost:${options.port}`,
    };
    t = Date.now();
    const apiUrls: string[] = [];
    const apis: ClusterProcess[] = [];
    for (let i = 0; i < options.apis; i++) {
      const port = options.port + i;
      apiUrls.push(`http://localhost:${port}`);
      apis.push(node(`api ${i + 1}`, 'apps/api/main.js', [], { ...base, PORT: String(port) }));
    }
    const workers: ClusterProcess[] = [];
    for (let i = 0; i < options.workers; i++) workers.push(node(`worker ${i + 1}`, 'apps/worker/main.js', [], base));
    await Promise.all([
      ...apis.map((api, i) => waitHttp(`http://127.0.0.1:${options.port + i}/health/ready`, api, 180_000)),
      waitForPollers(temporalAddress, process.env.TEMPORAL_TASK_QUEUE || 'clearance', workers, 180_000),
    ]);
    log(
      `${options.apis} APIs ready and ${options.workers} workers polling in ${((Date.now() - t) / 1000).toFixed(1)} s`,
    );
    return {
      apiUrls,
      temporalAddress,
      mailboxUrl,
      databaseUrl: options.databaseUrl,
      processes,
      startupMs: Date.now() - started,
      async restartTemporalService(service, pauseMs) {
        const old = infraProcs.find((p) => p.name === `temporal ${service}`);
        if (!old) throw new Error(`no temporal ${service} process`);
        restarting.add(old);
        await terminate(old, 15_000);
        infraProcs.splice(infraProcs.indexOf(old), 1);
        processes.splice(processes.indexOf(old), 1);
        await sleep(pauseMs);
        await waitForPort(serverServicePort(service, options.temporalPort), startService(service), 60_000);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function main(): Promise<void> {
  const options = withProcessCounts(clusterOptionsFromEnv(), process.argv.slice(2));
  let stopCluster: (() => Promise<void>) | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await stopCluster?.();
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  const cluster = await startCluster(options, {
    onUnexpectedExit: () => void stop(1),
    onStopAvailable: (fn) => (stopCluster = fn),
  });
  say(`ready in ${(cluster.startupMs / 1000).toFixed(1)} s`);
  cluster.apiUrls.forEach((url, i) => say(`  API ${i + 1}          ${url}/api   (OpenAPI UI: ${url}/api/docs)`));
  say(`  Workers        ${options.workers} (one process each)`);
  say(`  Dev mailbox    ${cluster.apiUrls[0]}/dev/mailbox.html (the same on every API)`);
  say(`  Temporal gRPC  ${cluster.temporalAddress} (frontend; history, matching, worker: own processes)`);
  say(`  Database       ${options.databaseUrl}`);
  say(`  Logs           ${options.logDir}`);
  say(
    `  Sign in:       curl -s -XPOST localhost:${options.port}/api/auth/dev-login -H "content-type: application/json" -d '{"email":"alice@example.com"}'`,
  );
  say('Ctrl-C stops everything.');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`[cluster] start failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
