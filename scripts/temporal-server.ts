import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { SEARCH_ATTRIBUTES } from '@libs/contracts';
import { PROJECT_ROOT } from '@libs/config';
import { cacheDir, isExecutable, onPath } from './temporal-cli';

/**
 * The real Temporal server (not the CLI's dev server) for `npm run start:cluster`: its binaries
 * built once from the Go module proxy into the same cache as the CLI, its PostgreSQL schemas set
 * up with temporal-sql-tool, one process per service from deploy/temporal/config/clearance.yaml.
 */
export const SERVER_VERSION = 'v1.29.1';
export const SERVER_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ServerService = (typeof SERVER_SERVICES)[number];

/** `--config` is joined to `--root` (default `.`), so an absolute directory goes through `--root`. */
const CONFIG_DIR = 'deploy/temporal/config';
const CONFIG_ENV = 'clearance';
const DYNAMIC_CONFIG = path.join(PROJECT_ROOT, 'deploy', 'temporal', 'dynamicconfig', 'docker.yaml');
const run = promisify(execFile);

function findGo(): string | null {
  return onPath('go', ['/usr/local/go/bin']);
}

export interface ServerBinaries {
  server: string;
  sql: string;
  /** schema/postgresql/v12 of the same server version, read from the Go module cache. */
  schemaDir: string;
}

/**
 * Returns `server` and `sql` (temporal-sql-tool) from the cache, building what is missing with
 * `go install …@v1.29.1` (several minutes the first time), and the schema directory of that
 * version. The schemas come from the module cache rather than a copy in the checkout so they can
 * never disagree with the binary that reads them; `go mod download` restores them if it was cleaned.
 */
export function findOrBuildServer(log: (line: string) => void): ServerBinaries {
  const binDir = path.join(cacheDir(), 'bin');
  const targets = { server: 'go.temporal.io/server/cmd/server', sql: 'go.temporal.io/server/cmd/tools/sql' };
  const missing = (Object.keys(targets) as (keyof typeof targets)[]).filter(
    (name) => !isExecutable(path.join(binDir, name)),
  );
  const go = findGo();
  if (!go)
    throw new Error(
      missing.length > 0
        ? `no ${missing.join(' and ')} in ${binDir} and no Go toolchain to build them`
        : 'no Go toolchain: the schemas are read from the Go module cache',
    );
  const goEnv = { ...process.env, GOBIN: binDir, PATH: `${path.dirname(go)}${path.delimiter}${process.env.PATH}` };
  fs.mkdirSync(binDir, { recursive: true });
  for (const name of missing) {
    const started = Date.now();
    log(`building the Temporal ${name} ${SERVER_VERSION} into ${binDir} (first time only, several minutes)…`);
    execFileSync(go, ['install', `${targets[name]}@${SERVER_VERSION}`], { env: goEnv, stdio: 'inherit' });
    log(`built ${name} in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const modCache = execFileSync(go, ['env', 'GOMODCACHE'], { env: goEnv, encoding: 'utf8' }).trim();
  const schemaDir = path.join(modCache, `go.temporal.io/server@${SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
  if (!fs.existsSync(schemaDir))
    execFileSync(go, ['mod', 'download', `go.temporal.io/server@${SERVER_VERSION}`], { env: goEnv, stdio: 'inherit' });
  return { server: path.join(binDir, 'server'), sql: path.join(binDir, 'sql'), schemaDir };
}

export interface ServerDatabase {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Persistence and visibility database names. */
  name: string;
  visibilityName: string;
}

/**
 * Creates both databases and brings their schemas to this version. Idempotent: `create` skips an
 * existing database, `setup-schema -v 0.0` an already versioned one, `update-schema` applies only
 * the missing versions (deploy/temporal/setup-schema.sh does the same in compose).
 */
export async function setupServerSchemas(bins: ServerBinaries, db: ServerDatabase): Promise<void> {
  const base = ['--plugin', 'postgres12', '--ep', db.host, '-p', String(db.port), '-u', db.user];
  if (db.password) base.push('--pw', db.password);
  for (const [name, kind] of [
    [db.name, 'temporal'],
    [db.visibilityName, 'visibility'],
  ] as const) {
    const sql = async (...args: string[]) => {
      try {
        await run(bins.sql, [...base, '--db', name, ...args]);
      } catch (error) {
        const e = error as { stderr?: string; message: string };
        throw new Error(`temporal-sql-tool ${args[0]} on ${name} failed: ${e.stderr || e.message}`);
      }
    };
    await sql('create');
    await sql('setup-schema', '-v', '0.0');
    await sql('update-schema', '-d', path.join(bins.schemaDir, kind, 'versioned'));
  }
}

export interface ServerPorts {
  /** Frontend gRPC; the others are derived as the stock config does (7233 → 7234, 7235, 7239, 7243, 6933…). */
  frontend: number;
}

/** The environment deploy/temporal/config/clearance.yaml reads, for these ports and databases. */
export function serverEnvironment(db: ServerDatabase, ports: ServerPorts): NodeJS.ProcessEnv {
  const p = ports.frontend;
  return {
    DB: 'postgres12',
    POSTGRES_SEEDS: db.host,
    DB_PORT: String(db.port),
    POSTGRES_USER: db.user,
    POSTGRES_PWD: db.password,
    DBNAME: db.name,
    VISIBILITY_DBNAME: db.visibilityName,
    BIND_ON_IP: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(p),
    HISTORY_GRPC_PORT: String(p + 1),
    MATCHING_GRPC_PORT: String(p + 2),
    WORKER_GRPC_PORT: String(p + 6),
    FRONTEND_HTTP_PORT: String(p + 10),
    FRONTEND_MEMBERSHIP_PORT: String(p - 300),
    HISTORY_MEMBERSHIP_PORT: String(p - 299),
    MATCHING_MEMBERSHIP_PORT: String(p - 298),
    WORKER_MEMBERSHIP_PORT: String(p - 294),
    DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG,
  };
}

/** The arguments to `server` that start one service from deploy/temporal/config/clearance.yaml. */
export function serverServiceArgs(service: ServerService): string[] {
  return [
    '--root',
    PROJECT_ROOT,
    '--config',
    CONFIG_DIR,
    '--env',
    CONFIG_ENV,
    '--allow-no-auth',
    'start',
    '--service',
    service,
  ];
}

/**
 * A port the service listens on once it is up, for the frontend port `frontend` (as
 * serverEnvironment sets them): its gRPC port, or for the internal worker (which serves no gRPC)
 * its membership port.
 */
export function serverServicePort(service: ServerService, frontend: number): number {
  return frontend + { frontend: 0, history: 1, matching: 2, worker: -294 }[service];
}

/** One Temporal service in its own process, its log in `logFile`. */
export function startServerService(
  bins: ServerBinaries,
  service: ServerService,
  env: NodeJS.ProcessEnv,
  logFile: string,
): ChildProcess {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(bins.server, serverServiceArgs(service), {
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  return child;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the frontend answers, then makes sure the namespace exists with Clearance's search
 * attributes (as the dev server's `--search-attribute` does). Idempotent. When it had to create
 * something it waits for the other services' namespace caches to see it (refreshed every 10 s).
 */
export async function registerNamespace(
  address: string,
  namespace: string,
  children: ChildProcess[],
  timeoutMs: number,
): Promise<{ created: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let connection: Connection | undefined;
  let lastError: unknown;
  while (!connection) {
    if (Date.now() > deadline)
      throw new Error(`the Temporal frontend at ${address} did not answer: ${String(lastError)}`);
    const dead = children.find((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead) throw new Error(`a Temporal service exited during start-up (${dead.exitCode ?? dead.signalCode})`);
    try {
      const c = await Connection.connect({ address, connectTimeout: '2s' });
      await c.workflowService.getSystemInfo({});
      connection = c;
    } catch (error) {
      lastError = error;
      await sleep(500);
    }
  }
  try {
    const service = connection.workflowService;
    let created = false;
    const describe = () => service.describeNamespace({ namespace });
    try {
      await describe();
    } catch {
      await retryUntil(deadline, () =>
        service
          .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('30 days') })
          .catch((error: { code?: number }) => {
            if (error.code !== 6) throw error; // ALREADY_EXISTS
          }),
      );
      created = true;
      await retryUntil(deadline, describe);
    }
    const wanted = Object.values(SEARCH_ATTRIBUTES).map((key) => key.name);
    const listed = async () =>
      Object.keys((await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {});
    const present = await retryUntil(deadline, listed);
    const toAdd = wanted.filter((name) => !present.includes(name));
    if (toAdd.length > 0) {
      await retryUntil(deadline, () =>
        connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(
            toAdd.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
          ),
        }),
      );
      created = true;
      await retryUntil(deadline, async () => {
        const now = await listed();
        if (!wanted.every((name) => now.includes(name))) throw new Error('search attributes not listed yet');
      });
    }
    // Every service refreshes its namespace cache (which carries SQL visibility's attribute mapping) every 10 s.
    if (created) await sleep(11_000);
    return { created };
  } finally {
    await connection.close();
  }
}

async function retryUntil<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

if (require.main === module) {
  // `.ci/run`: find or build the binaries before the bounded cluster smoke, and say where they are.
  const bins = findOrBuildServer((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${bins.server}\n${bins.sql}\n${bins.schemaDir}\n`);
}
