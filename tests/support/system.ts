import type { INestApplication } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { createApiApp } from '../../apps/api/app';
import { createClearanceWorker, type ClearanceWorker } from '../../apps/worker/worker';
import { loadConfig, type AppConfig } from '@libs/config';
import { SmtpCapture } from '@libs/mail';
import { freePort } from '../../scripts/dev-server';
import type { TestDatabase } from './databases';
import { Http } from './http';

/**
 * The whole system in one test process: API (listening on loopback), worker, SMTP capture and a
 * fresh database, against the shared real Temporal dev server. Each system gets its own task
 * queue, so test files never steal each other's tasks.
 */
export interface TestSystem {
  config: AppConfig;
  baseUrl: string;
  mail: SmtpCapture;
  app: INestApplication;
  worker: ClearanceWorker;
  stop(): Promise<void>;
}

export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEST_TEMPORAL_ADDRESS is not set: run through jest (global setup starts the server)');
  return {
    NODE_ENV: 'test',
    // dev-login, the seeded directory and dev keys, asked for explicitly (PostgreSQL runs count as
    // production settings); a test of production mode gets none of it
    ...(extra.NODE_ENV === 'production' ? {} : { CLEARANCE_DEV_MODE: '1' }),
    // limits no suite reaches (fuzz, authorization matrix); tests/security/rate-limits sets low ones
    RATE_LIMIT_PUBLIC: '1000000',
    RATE_LIMIT_EVALUATE: '1000000',
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: `clearance-test-${randomBytes(4).toString('hex')}`,
    SMTP_CAPTURE_PORT: '0',
    LOG_LEVEL: 'error',
    ...extra,
  };
}

export async function startSystem(database: TestDatabase, extraEnv: Record<string, string> = {}): Promise<TestSystem> {
  const db = await database.create();
  const mail = new SmtpCapture();
  const smtpPort = await mail.start(0);
  const port = await freePort();
  const config = loadConfig(
    testEnv({
      ...db.env,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      ...extraEnv,
    }),
  );
  const app = await createApiApp(config, { smtpCapture: mail });
  await app.listen(port, '127.0.0.1');
  const worker = await createClearanceWorker(config, {
    workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
  });
  const running = worker.worker.run();
  return {
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    mail,
    app,
    worker,
    async stop() {
      worker.worker.shutdown();
      await running;
      await worker.close();
      await app.close();
      await mail.stop();
      await db.drop();
    },
  };
}

/** A spec's system and its HTTP client; both usable from hooks and tests, not while the spec is collected. */
export interface UsedSystem {
  readonly system: TestSystem;
  readonly http: Http;
}

/**
 * Starts the system before the spec's tests (`beforeAll`) and stops it after them (`afterAll`):
 * `const { http } = useSystem(database);` inside the `describe`.
 */
export function useSystem(database: TestDatabase, extraEnv: Record<string, string> = {}): UsedSystem {
  let started: TestSystem | undefined;
  const system = (): TestSystem => {
    if (!started) throw new Error('the system starts in beforeAll: use it inside hooks and tests');
    return started;
  };
  beforeAll(async () => {
    started = await startSystem(database, extraEnv);
  });
  afterAll(async () => {
    await started?.stop();
  });
  return {
    get system() {
      return system();
    },
    http: new Http(() => system().baseUrl),
  };
}

/**
 * A Temporal client without the payload codec, on its own connection: what anyone with network
 * reach to the Temporal frontend would hold. Connects in `beforeAll` (after `useSystem`'s, so call
 * it after that) and closes in `afterAll`; `.workflow` is usable from hooks and tests.
 */
export function useBareTemporalClient(used: UsedSystem): Pick<Client, 'workflow'> {
  let connection: Connection | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS });
    client = new Client({ connection, namespace: used.system.config.temporal.namespace });
  });
  afterAll(async () => {
    await connection?.close();
  });
  return {
    get workflow() {
      if (!client) throw new Error('the bare client connects in beforeAll: use it inside hooks and tests');
      return client.workflow;
    },
  };
}
