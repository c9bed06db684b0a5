/*
 * `--base URL[,URL…] --temporal ADDRESS [--namespace NS]`: a Clearance system already running
 * (`npm start`, `npm run start:cluster`), benched over HTTP only, as its users reach it: dev sign-in
 * (the system must offer it: dev mode), submissions and decisions through the API. The bench reads
 * Temporal only to count the cycle's history events, to run the bare baseline on its own task queue
 * and to see when the cycle's workflows closed; it reads the system's processes from /proc.
 */
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@libs/config';
import { EncryptionCodec, Keyring } from '@libs/crypto';
import { WORKFLOW_BUNDLER_OPTIONS } from '@libs/temporal';
import { BenchHttp } from '../http-client';
import { findSystemProcesses, ProcessWatch } from '../processes';
import { log, PARTIES, pool, quiet, REQUESTER, sleep, type BenchOptions } from './common';
import type { ReplayKit } from './replay';
import type { BenchTarget } from './system';

export interface RunningSystem extends BenchTarget {
  mode: 'running';
  connection: Connection;
  /** The codec (the dev keys, or ENCRYPTION_KEYS of this environment) and bundle to replay with, or null. */
  replayKit: ReplayKit | null;
  stop(): Promise<void>;
}

const portOf = (url: string): number => {
  const u = new URL(url);
  return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
};

export async function connectRunning(opts: BenchOptions, t0: number): Promise<RunningSystem> {
  const bases = opts.base!;
  const address = opts.temporal!;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-bench-'));
  log(
    `running system: ${bases.join(', ')}, Temporal ${address} (namespace ${opts.namespace}); requests=${opts.requests} open=${opts.open} replay=${opts.replay} concurrency=${opts.concurrency}`,
  );
  for (const base of bases) {
    const res = await fetch(`${base}/health/ready`).catch((e: unknown) => {
      throw new Error(`${base}/health/ready: ${String(e)} (is the system running?)`);
    });
    if (!res.ok) throw new Error(`${base}/health/ready answered ${res.status}`);
  }
  const http = new BenchHttp(bases);
  for (const p of PARTIES) for (const m of p.members) await http.token(m);
  await http.token(REQUESTER).catch((e: unknown) => {
    throw new Error(`${String(e)}: the bench signs in through the dev sign-in; run the system in dev mode`);
  });

  const connection = await Connection.connect({ address });
  // No payload codec: the bench counts events and reads workflow status, it decodes nothing.
  const client = new Client({ connection, namespace: opts.namespace });
  await connection.workflowService.describeNamespace({ namespace: opts.namespace });

  const procs = findSystemProcesses(bases.map(portOf), Number(address.split(':').pop()));
  for (const p of procs) log(`  process ${p.pid} ${p.label}: ${p.command.slice(0, 160)}`);
  if (!procs.some((p) => p.role === 'worker'))
    log('no worker process found under the API’s launcher: worker RSS and CPU will be null');
  const processes = new ProcessWatch(procs);

  const replayKit = opts.replay > 0 ? await replayKitFor(tmp) : null;
  log(`running system reached in ${Date.now() - t0} ms`);
  return {
    mode: 'running',
    tmp,
    temporalAddress: address,
    namespace: opts.namespace,
    http,
    client,
    bareClient: client,
    mail: null,
    sentMails: () => Promise.resolve(null),
    waitClosed: (ids, deadline) => waitClosed(client, ids, deadline),
    processes,
    connection,
    replayKit,
    async stop() {
      processes.stop();
      http.close();
      await connection.close();
      if (!process.env.BENCH_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * Polls the workflows (no result: that would need the system's codec) until each has closed or is
 * idle: no activity and no workflow task pending. On `npm start` an approved departure's workflow
 * stays open to track the return obligation, so "idle after approval" (its emails sent, its state
 * written) is where the cycle ends against a running system.
 */
async function waitClosed(client: Client, ids: string[], deadline: number): Promise<boolean> {
  let open = [...ids];
  const RUNNING = temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
  while (open.length > 0) {
    if (Date.now() > deadline) return false;
    const still: string[] = [];
    await pool(open, 10, async (id) => {
      const { raw } = await client.workflow.getHandle(`request-${id}`).describe();
      const busy = (raw.pendingActivities?.length ?? 0) > 0 || !!raw.pendingWorkflowTask;
      if (raw.workflowExecutionInfo?.status === RUNNING && busy) still.push(id);
    });
    open = still;
    if (open.length > 0) await sleep(250);
  }
  return true;
}

/**
 * A codec from this environment's keys (the public dev key unless ENCRYPTION_KEYS is set: the key
 * `npm start` and `start:cluster` use in dev mode) and the workflow bundle of this checkout; null
 * when the configuration does not load (replay is then skipped).
 */
async function replayKitFor(tmp: string): Promise<ReplayKit | null> {
  try {
    const config = loadConfig({
      ...process.env,
      CLEARANCE_DEV_MODE: process.env.CLEARANCE_DEV_MODE ?? '1',
      SQLITE_PATH: path.join(tmp, 'unused.sqlite'),
      DATABASE_URL: '',
    });
    const codec = new EncryptionCodec(new Keyring(config.encryption));
    const { code } = await bundleWorkflowCode({
      ...WORKFLOW_BUNDLER_OPTIONS,
      workflowsPath: require.resolve('../../workflows'),
      logger: quiet,
    });
    return { codec, bundleCode: code };
  } catch (error) {
    log(`replay skipped: ${String(error)}`);
    return null;
  }
}
