import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { freePort } from '../../scripts/dev-server';
import { SmtpCapture } from '@libs/mail';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';
import { Http } from '../support/http';
import { spawnTsChild } from '../support/ts-child';
import { testEnv } from '../support/system';

/**
 * The API and the worker as real, separate processes with the standard OTEL_* variables pointing at
 * an OTLP/HTTP receiver on loopback: spans from both, one trace across HTTP → Temporal → activity;
 * the worker's SDK metrics in the API's /metrics; JSON logs carrying the request id, and no emails.
 */

interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
}

function otlpReceiver(spans: ReceivedSpan[]): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const payload = JSON.parse(body) as {
          resourceSpans?: {
            resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
            scopeSpans?: { spans?: { name: string; traceId: string }[] }[];
          }[];
        };
        for (const rs of payload.resourceSpans ?? []) {
          const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const ss of rs.scopeSpans ?? []) {
            for (const span of ss.spans ?? []) spans.push({ service, name: span.name, traceId: span.traceId });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
}

function collect(child: ChildProcessWithoutNullStreams): { lines: string[] } {
  const out = { lines: [] as string[] };
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    out.lines.push(...parts);
  });
  child.stderr.on('data', (chunk: Buffer) => out.lines.push(...chunk.toString().split('\n')));
  return out;
}

const jsonLines = (lines: string[]) =>
  lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

async function stop(child: ChildProcessWithoutNullStreams | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const WORKER_SCRIPT = `
const { loadConfig } = require(ROOT + '/libs/config');
const { createRootLogger, installWorkerRuntime, startTracing } = require(ROOT + '/libs/observability');
const config = loadConfig();
const tracing = startTracing('clearance-worker', config.tracing);
installWorkerRuntime(createRootLogger('clearance-worker', config.logLevel), config.metrics.workerAddress);
const { createClearanceWorker } = require(ROOT + '/apps/worker/worker');
createClearanceWorker(config, { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE }, tracing }).then(
  async ({ worker, close }) => {
    process.once('SIGTERM', () => worker.shutdown());
    process.stdout.write('WORKER READY\\n');
    await worker.run();
    await close();
    await tracing?.shutdown();
    process.exit(0);
  },
  (error) => { process.stderr.write(String(error && error.stack) + '\\n'); process.exit(1); },
);
`;

describe('tracing, worker metrics and logs across the API and worker processes', () => {
  jest.setTimeout(180_000);
  const database = testDatabases()[0];
  const spans: ReceivedSpan[] = [];
  const receiver = otlpReceiver(spans);
  const mail = new SmtpCapture();
  let api: ChildProcessWithoutNullStreams | undefined;
  let worker: ChildProcessWithoutNullStreams | undefined;
  let apiOut: { lines: string[] };
  let workerOut: { lines: string[] };
  let http: Http;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await database.create();
    drop = () => db.drop();
    const smtpPort = await mail.start(0);
    const otlpPort = await freePort();
    await new Promise<void>((resolve) => receiver.listen(otlpPort, '127.0.0.1', resolve));
    const [port, metricsPort] = [await freePort(), await freePort()];
    const env = testEnv({
      ...db.env,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      LOG_LEVEL: 'debug',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      WORKER_METRICS_URL: `http://127.0.0.1:${metricsPort}/metrics`,
    });
    http = new Http(`http://127.0.0.1:${port}`);
    // the real API entry point; it migrates the database the worker then opens
    api = spawnTsChild(`require(ROOT + '/apps/api/main.ts');`, env);
    apiOut = collect(api);
    await eventually(
      () =>
        http.request('GET', '/health/live').then(
          (r) => r.status === 200,
          () => false,
        ),
      `the API to listen:\n${apiOut.lines.join('\n')}`,
      90_000,
    );
    worker = spawnTsChild(WORKER_SCRIPT, env);
    workerOut = collect(worker);
    await eventually(() => workerOut.lines.includes('WORKER READY'), 'the worker to start', 90_000);
  });

  afterAll(async () => {
    await stop(worker);
    await stop(api);
    await new Promise((resolve) => receiver.close(resolve));
    await mail.stop();
    await drop?.();
  });

  it('should trace one request cycle from HTTP through Temporal into activities, and log and measure it', async () => {
    const submitted = await http.as('alice@example.com', 'POST', '/api/requests', requestBody('conference'), {
      'x-request-id': 'trace-cycle-1',
    });
    expect(submitted.status).toBe(201);
    for (const [email, party] of [
      ['hr@example.com', 'hr'],
      ['legal@example.com', 'legal'],
      ['security@example.com', 'security'],
      ['datagov@example.com', 'data_governance'],
    ]) {
      const res = await http.as(email, 'POST', `/api/requests/${submitted.body.id}/decisions`, {
        party,
        decision: 'approve',
      });
      expect(res.status).toBe(200);
    }

    // spans from both processes, joined in one trace: HTTP server → Temporal client → workflow → activity
    await eventually(
      () =>
        spans.some((s) => s.service === 'clearance-worker' && s.name === 'RunActivity:notifyRequester') &&
        spans.some((s) => s.service === 'clearance-worker' && s.name === 'HandleUpdate:decide'),
      'worker spans',
      30_000,
    ).catch((error: Error) => {
      const seen = [...new Set(spans.map((s) => `${s.service} ${s.name}`))].join('\n');
      throw new Error(`${error.message}; spans seen:\n${seen}\nworker:\n${workerOut.lines.slice(-30).join('\n')}`);
    });
    const apiSpans = spans.filter((s) => s.service === 'clearance-api');
    const workerSpans = spans.filter((s) => s.service === 'clearance-worker');
    expect(apiSpans.map((s) => s.name)).toEqual(expect.arrayContaining(['POST']));
    expect(apiSpans.some((s) => /Workflow/.test(s.name))).toBe(true);
    const submissionTrace = workerSpans.find((s) => s.name === 'RunActivity:submitRequest')?.traceId;
    expect(submissionTrace).toBeDefined();
    expect(apiSpans.filter((s) => s.traceId === submissionTrace).map((s) => s.name)).toContain('POST');

    // the worker's Temporal SDK metrics, appended to the API's /metrics
    const metrics = await http.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^clearance_worker_metrics_up 1$/m);
    expect(metrics.text).toMatch(/^temporal_workflow_task_execution_latency\w*\{/m);
    expect(metrics.text).toMatch(/^temporal_activity_execution_latency\w*\{/m);
    // the worker's own counters, through the Runtime's metric meter (MeteredMailer)
    expect(metrics.text).toMatch(/^clearance_email_sends_total [1-9]\d*$/m);

    // JSON logs: the request id on the API's line, on workflow and on activity lines; no emails anywhere
    const apiLogs = jsonLines(apiOut.lines);
    const workerLogs = jsonLines(workerOut.lines);
    expect(
      apiLogs.find((l) => l.httpRequestId === 'trace-cycle-1' && l.msg === 'POST /api/requests 201'),
    ).toBeDefined();
    const tagged = workerLogs.filter((l) => l.httpRequestId === 'trace-cycle-1');
    expect(tagged.some((l) => l.activityType === 'submitRequest' && l.msg === 'Activity completed')).toBe(true);
    expect(tagged.some((l) => l.workflowType === 'requestApprovalWorkflow' && l.msg === 'Workflow started')).toBe(true);
    const withEmail = [...apiOut.lines, ...workerOut.lines].filter((line) => /@example\.com/.test(line));
    expect(withEmail).toEqual([]);
  });
});
