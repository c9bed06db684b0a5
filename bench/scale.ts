/*
 * What the pages cost with a big database: `npm run bench:scale [-- --requests 100000 --pending 10000
 * --samples 60 --postgres URL --json FILE]`. The requests are written straight into the projection
 * (`tests/support/inbox-rows.ts`: no workflow stands behind them, they are for reading), `pending` of
 * them waiting for hr and the rest closed; then the API (its own Temporal dev server, its own database)
 * answers the inbox and the lists `samples` times each, and the p50/p95 of every route is reported.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createApiApp } from '../apps/api/app';
import { openDataSource } from '@libs/persistence';
import { freePort, startDevServer } from '../scripts/dev-server';
import { createPostgresDatabase } from '../tests/support/databases';
import { insertPendingApprovals } from '../tests/support/inbox-rows';
import { BenchHttp } from './http-client';
import { log, pct, r1 } from './phases/common';
import { benchConfig } from './phases/system';

function options(argv: string[] = process.argv) {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const requests = Number(arg('requests') ?? 100_000);
  const pending = Number(arg('pending') ?? 10_000);
  if (!(pending <= requests)) throw new Error('--pending must not exceed --requests');
  return { requests, pending, samples: Number(arg('samples') ?? 60), postgres: arg('postgres'), json: arg('json') };
}

/** The routes a person opens first, each as who opens it. */
const ROUTES: Array<{ name: string; as: string; path: string }> = [
  { name: 'inbox (hr, first page)', as: 'hr@example.com', path: '/api/approvals/inbox' },
  { name: 'inbox (hr, oldest first)', as: 'hr@example.com', path: '/api/approvals/inbox?order=oldest' },
  { name: 'inbox (hr, due soonest first)', as: 'hr@example.com', path: '/api/approvals/inbox?sort=due' },
  { name: 'list (auditor, first page)', as: 'auditor@example.com', path: '/api/requests?limit=50' },
  { name: 'list (auditor, pending)', as: 'auditor@example.com', path: '/api/requests?status=pending&limit=50' },
  { name: 'list (requester, mine)', as: 'carol@example.com', path: '/api/requests?mine=true&limit=50' },
];

async function main(): Promise<void> {
  const opts = options();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-scale-'));
  const database = opts.postgres
    ? await createPostgresDatabase(opts.postgres, 'clearance_scale')
    : { env: { SQLITE_PATH: path.join(tmp, 'scale.sqlite') }, drop: () => Promise.resolve() };
  const server = await startDevServer({ headless: true, log: () => undefined });
  const port = await freePort();
  // no SMTP server: nothing here sends mail
  const config = benchConfig({ temporalAddress: server.address, port, smtpPort: 9, databaseEnv: database.env });
  const app = await createApiApp(config);
  await app.listen(port, '127.0.0.1');
  const db = await openDataSource(config.database, { migrate: false, auditChain: config.auditChain });
  const http = new BenchHttp(`http://127.0.0.1:${port}`);
  try {
    const t0 = Date.now();
    const prefix = randomBytes(4).toString('hex');
    const from = new Date(Date.now() - opts.requests * 1000).toISOString();
    await insertPendingApprovals(db, {
      count: opts.requests,
      party: 'hr',
      requester: 'carol@example.com',
      from,
      prefix,
    });
    // all but the newest `pending` are decided and closed (ids sort as they were created)
    const lastClosed = `${prefix}-0000-4000-8000-${String(opts.requests - opts.pending).padStart(12, '0')}`;
    const before = opts.postgres ? '$1' : '?';
    await db.query(`UPDATE requests SET status = 'closed' WHERE id < ${before}`, [lastClosed]);
    await db.query(`UPDATE approvals SET status = 'approved', stage_status = 'approved' WHERE request_id < ${before}`, [
      lastClosed,
    ]);
    await db.query('ANALYZE'); // the planner's statistics, as a running database has them
    log(`${opts.requests} requests (${opts.pending} pending for hr) written in ${Date.now() - t0} ms`);

    const results: Record<string, { p50: number; p95: number; items: number }> = {};
    for (const route of ROUTES) {
      const first = await http.as<{ items: unknown[] }>(route.as, 'GET', route.path);
      if (first.status !== 200) throw new Error(`${route.path} answered ${first.status}: ${first.text}`);
      const ms: number[] = [];
      for (let i = 0; i < opts.samples; i++) {
        const t = performance.now();
        const res = await http.as(route.as, 'GET', route.path);
        ms.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`${route.path} answered ${res.status}`);
      }
      results[route.name] = { p50: r1(pct(ms, 50)), p95: r1(pct(ms, 95)), items: first.body.items.length };
      log(`${route.name.padEnd(28)} p50 ${results[route.name].p50} ms, p95 ${results[route.name].p95} ms`);
    }
    const inboxP95Ms = Math.max(
      ...Object.entries(results)
        .filter(([k]) => k.startsWith('inbox'))
        .map(([, v]) => v.p95),
    );
    const listP95Ms = Math.max(
      ...Object.entries(results)
        .filter(([k]) => k.startsWith('list'))
        .map(([, v]) => v.p95),
    );
    const summary = {
      database: opts.postgres ? 'postgres' : 'sqlite',
      requests: opts.requests,
      pending: opts.pending,
      samples: opts.samples,
      routes: results,
      inboxP95Ms,
      listP95Ms,
      machine: {
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model,
        loadavg: os.loadavg().map(r1),
        node: process.version,
      },
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    http.close();
    await app.close();
    await db.destroy();
    await server.stop();
    await database.drop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench:scale failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
