/*
 * The scale of waiting: `open` requests submitted and left pending with all four parties, then what
 * the process holds in memory and how fast the list and the inbox still answer.
 */
import { startPhase } from '../profile';
import { log, mib, pool, r1, range, sleep, type BenchOptions } from './common';
import { submitRequest, type BenchTarget } from './system';

export async function openRequests(sys: BenchTarget, opts: BenchOptions) {
  const { mail, processes } = sys;
  const OPEN = opts.open;
  // With --capture every mail is kept in this process; the open phase reads none, so it keeps none.
  mail?.clear();
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const rssByRoleBefore = processes?.rssByRole() ?? null;
  // A running system may hold pending approvals from before (earlier runs): count from there.
  const inboxBefore = await inboxTotalOf(sys);
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
      mailsAtOpen += mail?.count() ?? 0;
      mail?.clear();
      const s = (Date.now() - tOpen) / 1000;
      const rss = processes ? `; RSS by role ${JSON.stringify(processes.rssByRole())} MiB` : '';
      log(`waiting: ${ids.length} submitted in ${Math.round(s)} s (${r1(ids.length / s)}/s)${rss}`);
    }
  });
  const submittedMs = Date.now() - tOpen;
  // wait until all are projected as pending with their parties awaiting
  const openDeadline = Date.now() + 180_000 + OPEN * 100;
  let inboxTotal = 0;
  while (Date.now() < openDeadline) {
    inboxTotal = (await inboxTotalOf(sys)) - inboxBefore;
    if (inboxTotal >= ids.length) break;
    await sleep(Math.max(250, OPEN / 2));
  }
  const projectedMs = Date.now() - tOpen;
  // Every member of the four parties is emailed about each (2 × 4); wait for those too, so the worker is idle.
  // Against a running system the bench cannot count its mail: it waits until the workers are idle instead.
  if (mail) while (mailsAtOpen + mail.count() < 8 * ids.length && Date.now() < openDeadline) await sleep(250);
  else await workersIdle(sys, openDeadline);
  const mailedMs = Date.now() - tOpen;
  const profile = endOpenPhase();
  log(`waiting profile: ${JSON.stringify(profile)}`);
  mail?.clear();
  global.gc?.();
  await sleep(500);
  const rssOpen = process.memoryUsage().rss;
  const heapOpen = process.memoryUsage().heapUsed;
  const processesOpen = processes?.figures() ?? null;
  const rssByRoleOpen = processes?.rssByRole() ?? null;
  const { listLat, inboxLat } = await readLatencies(sys);
  log(
    `waiting: ${inboxTotal} more open in hr's inbox after ${projectedMs} ms; ` +
      (processesOpen
        ? `RSS by role ${JSON.stringify(rssByRoleOpen)} MiB; ${processesOpen.map((p) => `${p.label} ${p.pid}: ${p.rssMiB} MiB (peak ${p.peakRssMiB})`).join(', ')}`
        : `RSS ${mib(rssOpen)} MiB`),
  );
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
    rssByRoleBefore,
    rssByRoleOpen,
    processesOpen,
    heapOpen,
    listLat,
    inboxLat,
  };
}
export type OpenRequestsResult = Awaited<ReturnType<typeof openRequests>>;

/** Pending approvals in hr's inbox (the page's `total`). */
async function inboxTotalOf(sys: BenchTarget): Promise<number> {
  const res = await sys.http.as<{ total: number }>('hr@example.com', 'GET', '/api/approvals/inbox?party=hr&limit=1');
  if (res.status !== 200) throw new Error(`inbox answered ${res.status}: ${res.text}`);
  return res.body.total;
}

/** Until the running system's workers used under 5 % of a core over 2 s (their emails sent), or `deadline`. */
async function workersIdle(sys: BenchTarget, deadline: number): Promise<void> {
  const watch = sys.processes;
  if (!watch || !watch.procs.some((p) => p.role === 'worker')) {
    await sleep(5000);
    return;
  }
  while (Date.now() < deadline) {
    const before = watch.cpu();
    await sleep(2000);
    const used = watch.cpuByRole(before, watch.cpu()).worker;
    if (used !== null && used !== undefined && used < 100) return;
  }
}

/** 20 reads each of an auditor's request list and hr's inbox, with the open requests in the database. */
async function readLatencies(sys: BenchTarget): Promise<{ listLat: number[]; inboxLat: number[] }> {
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
