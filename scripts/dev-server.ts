import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../libs/contracts';
import { findOrBuildTemporalCli } from './temporal-cli';

export interface DevServer {
  address: string;
  uiUrl: string | null;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  /** Persist to this SQLite file; in memory when omitted. */
  dbFile?: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
  log?: (line: string) => void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const searchAttributeArgs = Object.values(SEARCH_ATTRIBUTES).flatMap((key) => [
  '--search-attribute',
  `${key.name}=Keyword`,
]);

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Temporal dev server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the Temporal dev server did not come up at ${address} within ${timeoutMs} ms: ${String(lastError)}`);
}

/**
 * Starts the Temporal CLI's dev server with Clearance's search attributes registered, and waits
 * (far longer than the SDK's 5 s, which flakes on small machines) until it answers.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cli = findOrBuildTemporalCli(log);
  const port = options.port ?? (await freePort());
  const address = `127.0.0.1:${port}`;
  if (!cli) return startSdkDownloadedServer(options, port, log);

  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--log-level',
    'error',
    ...searchAttributeArgs,
  ];
  if (options.dbFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  const uiPort = options.headless ? null : (options.uiPort ?? port + 1000);
  if (uiPort === null) args.push('--headless');
  else args.push('--ui-port', String(uiPort));

  const child = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilServing(address, child, 90_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    address,
    uiUrl: uiPort === null ? null : `http://127.0.0.1:${uiPort}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** On a machine with internet and no Go: the SDK downloads the CLI itself. */
async function startSdkDownloadedServer(
  options: DevServerOptions,
  port: number,
  log: (line: string) => void,
): Promise<DevServer> {
  log('No Temporal CLI and no Go found: using the SDK to download the dev server');
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      port,
      dbFilename: options.dbFile,
      ui: !options.headless,
      uiPort: options.uiPort,
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
    },
  });
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: options.headless ? null : `http://127.0.0.1:${options.uiPort ?? port + 1000}`,
    stop: () => env.teardown(),
  };
}
