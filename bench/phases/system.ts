/* The system under bench in this one process: Temporal dev server, API, worker, mailbox, database and clients. */
import type { INestApplication } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/app';
import { createClearanceWorker, type ClearanceWorker } from '../../apps/worker/worker';
import { loadConfig, type AppConfig } from '@libs/config';
import { EncryptionCodec, Keyring } from '@libs/crypto';
import { openDataSource } from '@libs/persistence';
import { freePort, startDevServer, type DevServer } from '../../scripts/dev-server';
import { createPostgresDatabase } from '../../tests/support/databases';
import { requestBody } from '../../tests/support/factories';
import { BenchHttp } from '../http-client';
import { CaptureMailbox, CountingSink, type BenchMailbox } from '../mail-sink';
import type { ProcessWatch } from '../processes';
import { log, PARTIES, quiet, REQUESTER, sleep, type BenchOptions } from './common';
import { WORKFLOW_BUNDLER_OPTIONS } from '@libs/temporal';

/** What the cycle, the baseline, the history and the open-requests phases need: the in-process system or a running one. */
export interface BenchTarget {
  /** 'in-process' (this process holds API and worker) or 'running' (`--base`: a system started elsewhere). */
  mode: 'in-process' | 'running';
  tmp: string;
  temporalAddress: string;
  namespace: string;
  http: BenchHttp;
  /** Reads histories; in-process it has the payload codec, against a running system it has none (counting needs none). */
  client: Client;
  /** The baseline's client: bare SDK, no codec. */
  bareClient: Client;
  /** The counting mailbox, or null when the bench has none (a running system sends to its own). */
  mail: BenchMailbox | null;
  /** Emails the outbox marks sent, or null when the bench cannot read the database. */
  sentMails(): Promise<number | null>;
  /** Resolves once every one of `ids`' request workflows closed, or after `deadline` (returns false). */
  waitClosed(ids: string[], deadline: number): Promise<boolean>;
  /** The running system's processes (RSS, CPU), or null in-process. */
  processes: ProcessWatch | null;
}

export interface BenchSystem extends BenchTarget {
  mode: 'in-process';
  tmp: string;
  server: DevServer;
  bundleCode: string;
  bundlePath: string;
  config: AppConfig;
  codec: EncryptionCodec;
  app: INestApplication;
  /** Replaced when the restart phase starts a fresh worker. */
  worker: ClearanceWorker;
  running: Promise<void>;
  http: BenchHttp;
  clientConn: Connection;
  db: DataSource;
  mail: BenchMailbox;
  dropDb: () => Promise<void>;
}

export async function startSystem(opts: BenchOptions, t0: number): Promise<BenchSystem> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-bench-'));
  log(
    `temp dir ${tmp}; requests=${opts.requests} open=${opts.open} (${opts.openConcurrency} in flight) replay=${opts.replay} concurrency=${opts.concurrency} db=${opts.postgres ? 'postgres' : 'sqlite'}`,
  );
  const server = await startDevServer({ headless: true, log });
  log(`Temporal dev server at ${server.address}`);
  const tb = Date.now();
  const { code: bundleCode } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLER_OPTIONS,
    workflowsPath: require.resolve('../../workflows'),
    logger: quiet,
  });
  const bundleMs = Date.now() - tb;
  const bundlePath = path.join(tmp, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundleCode);

  const database = await benchDatabase(opts.postgres, tmp);
  const mail: BenchMailbox = opts.capture ? new CaptureMailbox() : new CountingSink();
  const smtpPort = await mail.start();
  const port = await freePort();
  const config = benchConfig({ temporalAddress: server.address, port, smtpPort, databaseEnv: database.env });
  const codec = new EncryptionCodec(new Keyring(config.encryption));
  const app = await createApiApp(config, mail.capture ? { smtpCapture: mail.capture } : {});
  await app.listen(port, '127.0.0.1');
  const worker = await createClearanceWorker(config, { workflowBundle: { codePath: bundlePath } });
  const running = worker.worker.run();
  const http = new BenchHttp(`http://127.0.0.1:${port}`);
  const clientConn = await Connection.connect({ address: server.address });
  const client = new Client({ connection: clientConn, dataConverter: { payloadCodecs: [codec] } });
  const bareClient = new Client({ connection: clientConn });
  const db = await openDataSource(config.database, { migrate: false, auditChain: config.auditChain });
  for (const p of PARTIES) for (const m of p.members) await http.token(m);
  await http.token(REQUESTER);
  log(`system up in ${Date.now() - t0} ms (workflow bundle ${bundleMs} ms)`);
  return {
    mode: 'in-process',
    temporalAddress: server.address,
    namespace: config.temporal.namespace,
    processes: null,
    async sentMails() {
      const [{ n }] = await db.query<{ n: number | string }[]>(
        "SELECT COUNT(*) AS n FROM sent_emails WHERE status = 'sent'",
      );
      return Number(n);
    },
    async waitClosed(ids, deadline) {
      const closing = Promise.all(ids.map((id) => client.workflow.getHandle(`request-${id}`).result()));
      const late = sleep(Math.max(deadline - Date.now(), 0)).then(() => 'late' as const);
      return (await Promise.race([closing, late])) !== 'late';
    },
    tmp,
    server,
    bundleCode,
    bundlePath,
    config,
    codec,
    app,
    worker,
    running,
    http,
    clientConn,
    client,
    bareClient,
    db,
    mail,
    dropDb: database.drop,
  };
}

/** The configuration of a system the bench starts in its own process, on loopback, with its own task queue. */
export function benchConfig(args: {
  temporalAddress: string;
  port: number;
  smtpPort: number;
  databaseEnv: Record<string, string>;
}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    // dev mode asked for (a PostgreSQL run counts as production settings); no rate limits in a load test
    CLEARANCE_DEV_MODE: '1',
    RATE_LIMIT_PUBLIC: '0',
    RATE_LIMIT_EVALUATE: '0',
    TEMPORAL_ADDRESS: args.temporalAddress,
    TEMPORAL_TASK_QUEUE: `clearance-bench-${randomBytes(4).toString('hex')}`,
    SMTP_CAPTURE_PORT: '0',
    LOG_LEVEL: 'error',
    PORT: String(args.port),
    PUBLIC_URL: `http://127.0.0.1:${args.port}`,
    SMTP_URL: `smtp://127.0.0.1:${args.smtpPort}`,
    ...args.databaseEnv,
  });
}

/** A fresh SQLite file in the temp dir, or a fresh PostgreSQL database dropped at the end. */
async function benchDatabase(
  pg: string | undefined,
  tmp: string,
): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (!pg) return { env: { SQLITE_PATH: path.join(tmp, 'bench.sqlite') }, drop: () => Promise.resolve() };
  return createPostgresDatabase(pg, 'clearance_bench');
}

/** Stops the worker and waits for its run to end. */
export async function stopWorker(sys: BenchSystem): Promise<void> {
  sys.worker.worker.shutdown();
  await sys.running;
  await sys.worker.close();
}

export async function stopSystem(sys: BenchSystem): Promise<void> {
  await stopWorker(sys);
  sys.http.close();
  await sys.app.close();
  await sys.mail.stop();
  await sys.clientConn.close();
  await sys.db.destroy();
  await sys.server.stop();
  await sys.dropDb();
  // BENCH_KEEP_TMP=1 keeps the temp dir (the exported histories, to read one cycle event by event)
  if (!process.env.BENCH_KEEP_TMP) fs.rmSync(sys.tmp, { recursive: true, force: true });
}

/**
 * Submits one departure abroad as the requester; the new request's id. A 503 ("nothing was recorded,
 * try again": Temporal did not take it in time, as under overload) is tried again with the same
 * Idempotency-Key, as a client would, up to five times, a second apart and more.
 */
export async function submitRequest(sys: BenchTarget): Promise<string> {
  const body = requestBody('departure_abroad');
  const headers = { 'idempotency-key': `bench-${randomBytes(12).toString('hex')}` };
  for (let attempt = 1; ; attempt += 1) {
    const res = await sys.http.as<{ id: string }>(REQUESTER, 'POST', '/api/requests', body, headers);
    if (res.status === 201) return res.body.id;
    if (res.status !== 503 || attempt === 5) throw new Error(`submit answered ${res.status}: ${res.text}`);
    await sleep(1000 * attempt);
  }
}

/** Every id of `email`'s own requests in `status`, page by page. */
export async function listAll(sys: BenchTarget, email: string, status: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const q: string = `/api/requests?mine=true&status=${status}&limit=100${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await sys.http.as<{ items: { id: string }[]; nextCursor: string | null }>(email, 'GET', q);
    if (res.status !== 200) throw new Error(`list answered ${res.status}: ${res.text}`);
    for (const item of res.body.items) ids.add(item.id);
    cursor = res.body.nextCursor;
  } while (cursor);
  return ids;
}
