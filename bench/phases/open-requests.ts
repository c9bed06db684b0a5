/*
 * The scale of waiting: `open` requests submitted and left pending with all four parties, then what
 * the process holds in memory and how fast the list and the inbox still answer.
 */
import { startPhase } from '../profile';
import { log, mib, pool, r1, range, sleep, type BenchOptions } from './common';
import { submitRequest, type BenchSystem } from './system';

export async function openRequests(sys: BenchSystem, opts: BenchOptions) {
  const { http, mail } = sys;
  const OPEN = opts.open;
  // With --capture every mail is kept in this process; the open phase reads none, so it keeps none.
  mail.clear();
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  log(`waiting: submitting ${OPEN} open requests, ${opts.openConcurrency} in flight`);
  const tOpen = Date.now();
  const endOpenPhase = startPhase();
  const ids: string[] = [];
  let failures = 0;
  let mailsAtOpen = 0;
  await pool(range(OPEN), opts.openConcurrency, async () => {
    try {
      ids.push(await submitRequest(sys));
    } catch (error) {
      failures += 1;
      if (failures <= 5) log(`open submission failed: ${String(error)}`);
      return;
    }
    if (ids.length % 1000 === 0) {
      mailsAtOpen += mail.count();
      mail.clear();
      const s = (Date.now() - tOpen) / 1000;
      log(`waiting: ${ids.length} submitted in ${Math.round(s)} s (${r1(ids.length / s)}/s)`);
    }
  });
  const submittedMs = Date.now() - tOpen;
  // wait until all are projected as pending with their parties awaiting
  const openDeadline = Date.now() + 180_000 + OPEN * 100;
  let inboxTotal = 0;
  while (Date.now() < openDeadline) {
    const res = await http.as<{ total: number }>('hr@example.com', 'GET', '/api/approvals/inbox?party=hr');
    inboxTotal = res.body.total;
    if (inboxTotal >= ids.length) break;
    await sleep(Math.max(250, OPEN / 2));
  }
  const projectedMs = Date.now() - tOpen;
  // Every member of the four parties is emailed about each (2 × 4); wait for those too, so the worker is idle.
  while (mailsAtOpen + mail.count() < 8 * ids.length && Date.now() < openDeadline) await sleep(250);
  const mailedMs = Date.now() - tOpen;
  const profile = endOpenPhase();
  log(`waiting profile: ${JSON.stringify(profile)}`);
  mail.clear();
  global.gc?.();
  await sleep(500);
  const rssOpen = process.memoryUsage().rss;
  const heapOpen = process.memoryUsage().heapUsed;
  const { listLat, inboxLat } = await readLatencies(sys);
  log(`waiting: ${inboxTotal} open in hr's inbox after ${projectedMs} ms; RSS ${mib(rssOpen)} MiB`);
  return {
    ids,
    failures,
    inboxTotal,
    submittedMs,
    projectedMs,
    mailedMs,
    profile,
    rssBefore,
    rssOpen,
    heapOpen,
    listLat,
    inboxLat,
  };
}
export type OpenRequestsResult = Awaited<ReturnType<typeof openRequests>>;

/** 20 reads each of an auditor's request list and hr's inbox, with the open requests in the database. */
async function readLatencies(sys: BenchSystem): Promise<{ listLat: number[]; inboxLat: number[] }> {
  const listLat: number[] = [];
  const inboxLat: number[] = [];
  for (let i = 0; i < 20; i++) {
    let t = performance.now();
    const l = await sys.http.as('auditor@example.com', 'GET', '/api/requests?limit=50');
    listLat.push(performance.now() - t);
    if (l.status !== 200) throw new Error(`list answered ${l.status}`);
    t = performance.now();
    const b = await sys.http.as('hr@example.com', 'GET', '/api/approvals/inbox');
    inboxLat.push(performance.now() - t);
    if (b.status !== 200) throw new Error(`inbox answered ${b.status}`);
  }
  return { listLat, inboxLat };
}
