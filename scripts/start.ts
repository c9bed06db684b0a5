import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { loadConfig, PROJECT_ROOT, withDevModeByDefault, type AppConfig } from '@libs/config';
import { temporalConnectionOptions } from '@libs/temporal';
import { startDevServer, type DevServer } from './dev-server';

/**
 * `npm start`: the whole system on one machine, in dev mode unless NODE_ENV=production (with
 * production settings but neither, it refuses to start rather than offer dev-login on them). Starts the Temporal dev server persisted under
 * data/ (unless TEMPORAL_ADDRESS points elsewhere), then the worker, then the API (which runs the
 * migrations, seeds the dev directory and starts the SMTP capture server), and prints the URLs.
 */
const say = (line: string) => process.stdout.write(`[clearance] ${line}\n`);

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error('the API exited during start-up');
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms`);
}

/** The worker is ready when Temporal sees it polling the task queue. */
async function waitForWorker(
  address: string,
  config: AppConfig,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const connection = await Connection.connect({ ...temporalConnectionOptions({ ...config.temporal, address }) });
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error('the worker exited during start-up');
      const { pollers } = await connection.workflowService.describeTaskQueue({
        namespace: config.temporal.namespace,
        taskQueue: { name: config.temporal.taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if ((pollers ?? []).length > 0) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`the worker did not poll ${config.temporal.taskQueue} within ${timeoutMs} ms`);
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const env: NodeJS.ProcessEnv = { ...withDevModeByDefault(process.env) };
  const config = loadConfig(env);
  const children: ChildProcess[] = [];
  let devServer: DevServer | undefined;
  let stopping = false;

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await devServer?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  if (!process.env.TEMPORAL_ADDRESS) {
    const dbFile = path.join(PROJECT_ROOT, 'data', 'temporal.db');
    say(`starting the Temporal dev server (history persisted to ${path.relative(process.cwd(), dbFile)})…`);
    const port = Number(process.env.TEMPORAL_DEV_PORT ?? 7233);
    devServer = await startDevServer({ dbFile, port, uiPort: port + 1000 });
    env.TEMPORAL_ADDRESS = devServer.address;
  }

  const run = (name: string, script: string) => {
    const child = spawn(process.execPath, ['--enable-source-maps', path.join(PROJECT_ROOT, 'dist', script)], {
      env,
      stdio: 'inherit',
    });
    child.once('exit', (code, signal) => {
      if (!stopping) {
        say(`${name} exited (${signal ?? code}); stopping everything`);
        void stop(code || 1);
      }
    });
    children.push(child);
    return child;
  };

  const worker = run('worker', 'apps/worker/main.js');
  const api = run('api', 'apps/api/main.js');
  try {
    await waitReady(`http://127.0.0.1:${config.port}/health/ready`, api, 120_000);
    await waitForWorker(env.TEMPORAL_ADDRESS!, config, worker, 120_000);
  } catch (error) {
    process.stderr.write(`[clearance] start failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop(1);
    return;
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(`ready in ${seconds} s`);
  say(`  API            ${config.publicUrl}/api   (OpenAPI UI: ${config.publicUrl}/api/docs)`);
  if (config.devMode) say(`  Dev mailbox    ${config.publicUrl}/dev/mailbox.html`);
  if (devServer?.uiUrl) say(`  Temporal UI    ${devServer.uiUrl}`);
  say(`  Temporal gRPC  ${env.TEMPORAL_ADDRESS}`);
  if (config.devMode)
    say(
      '  Sign in:       curl -s -XPOST localhost:' +
        config.port +
        '/api/auth/dev-login -H "content-type: application/json" -d \'{"email":"alice@example.com"}\'',
    );
  say('Ctrl-C stops everything.');
}

main().catch((error: unknown) => {
  process.stderr.write(`[clearance] start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
