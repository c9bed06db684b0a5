/*
 * The Clearance cycle: `requests` departures abroad submitted over HTTP, discovered in the four
 * parties' inboxes and approved by `concurrency` approvers, until every workflow closed and every
 * mail it sent reached the mailbox.
 */
import { resetStatementTally, startPhase, topStatements } from '../profile';
import { drain, log, PARTIES, pool, range, REQUESTER, sleep, type BenchOptions } from './common';
import { listAll, submitRequest, type BenchTarget } from './system';

/** How long the cycle may take: 240 s, or half a second per request for the big runs (1,000 histories to replay). */
const deadlineMs = (requests: number) => Math.max(240_000, requests * 500);

export async function runCycle(sys: BenchTarget, opts: BenchOptions) {
  const { http, mail, processes } = sys;
  const N = opts.requests;
  const CONCURRENCY = opts.concurrency;
  log(`cycle: ${N} departure_abroad requests, ${CONCURRENCY} concurrent approvers`);
  mail?.clear();
  const decisionLatencies: number[] = [];
  const refused: Record<string, number> = {};
  const queue: { id: string; party: string; member: string }[] = [];
  const seen = new Set<string>();
  let cycleDone = false;
  let inboxPolls = 0;
  resetStatementTally();
  const endCyclePhase = startPhase();
  const cpuBefore = processes?.cpu();
  const cycleStart = Date.now();
  const submitted: string[] = [];
  const ours = new Set<string>();
  const submitting = pool(range(N), CONCURRENCY, async () => {
    const id = await submitRequest(sys);
    submitted.push(id);
    ours.add(id);
  });
  // One inbox watcher per party member discovers pending approvals, as an approver's inbox would:
  // every 50 ms while it finds new ones, backing off to 200 ms while it finds none (each poll is an
  // HTTP request the API serves on the same cores as everything else).
  const watchers = PARTIES.map(async (p, pi) => {
    let idleMs = 50;
    while (!cycleDone) {
      const before = seen.size;
      inboxPolls += 1;
      const res = await http.as<{ items: { requestId: string }[] }>(
        p.members[0],
        'GET',
        `/api/approvals/inbox?party=${p.party}&limit=100`,
      );
      if (res.status === 200) {
        for (const item of res.body.items) {
          const key = `${item.requestId}/${p.party}`;
          if (!ours.has(item.requestId) || seen.has(key)) continue;
          seen.add(key);
          queue.push({ id: item.requestId, party: p.party, member: p.members[(seen.size + pi) % 2] });
        }
      }
      idleMs = seen.size > before ? 50 : Math.min(idleMs * 2, 200);
      await sleep(idleMs);
    }
  });
  let decisions = 0;
  const deciders = drain(
    queue,
    CONCURRENCY,
    10,
    () => cycleDone,
    async (job) => {
      const t = performance.now();
      const res = await http.as(job.member, 'POST', `/api/requests/${job.id}/decisions`, {
        party: job.party,
        decision: 'approve',
      });
      const ms = performance.now() - t;
      if (res.status === 200) {
        decisionLatencies.push(ms);
        decisions++;
      } else {
        refused[String(res.status)] = (refused[String(res.status)] ?? 0) + 1;
        seen.delete(`${job.id}/${job.party}`); // let the watcher offer it again
      }
    },
  );
  await submitting;
  const submittedMs = Date.now() - cycleStart;
  let approvedAt = 0;
  const cycleDeadline = Date.now() + deadlineMs(N);
  while (Date.now() < cycleDeadline) {
    const approved = await listAll(sys, REQUESTER, 'approved');
    if (submitted.every((id) => approved.has(id))) {
      approvedAt = Date.now();
      break;
    }
    await sleep(200);
  }
  if (!approvedAt) throw new Error(`the cycle did not finish within ${deadlineMs(N) / 1000} s`);
  // The workflow ends once its approval and outcome emails went out (it awaits them); then every mail
  // the outbox records as sent must have reached the capture. Up to 2 members × 4 parties + the outcome
  // per request: a member who approved before the party's email went out is not emailed (notifyParty's rule).
  // Against a running system the bench has neither the mailbox nor the database: the workflows'
  // closing (after their emails went out) ends the cycle.
  if (!(await sys.waitClosed(submitted, cycleDeadline)))
    throw new Error(`the cycle did not finish within ${deadlineMs(N) / 1000} s`);
  const closedAt = Date.now();
  const sentMails = await sys.sentMails();
  if (mail && sentMails !== null) while (mail.count() < sentMails && Date.now() < cycleDeadline) await sleep(20);
  const cycleEnd = Date.now();
  const profile = endCyclePhase();
  const processCpuMs = processes && cpuBefore ? processes.cpuByRole(cpuBefore, processes.cpu()) : null;
  cycleDone = true;
  await Promise.all([...watchers, deciders]);
  const cycleMs = cycleEnd - cycleStart;
  await sleep(1000);
  const mailsPerRequest = mail ? mail.count() / N : null;
  const approvedMs = approvedAt - cycleStart;
  const closedMs = closedAt - cycleStart;
  log(
    `cycle: ${N} approved in ${cycleMs} ms (all submitted after ${submittedMs} ms, approved after ${approvedMs} ms, workflows closed after ${closedMs} ms); ${decisions} decisions; refused ${JSON.stringify(refused)}; ${mailsPerRequest} mails/request`,
  );
  log(`cycle profile: ${JSON.stringify(profile)}; ${inboxPolls} inbox polls`);
  if (processCpuMs) log(`cycle CPU of the running system's processes, ms by role: ${JSON.stringify(processCpuMs)}`);
  if (opts.statements) {
    for (const [text, n] of topStatements(25)) log(`  ${String(n).padStart(6)} × ${text}`);
  }
  return {
    submitted,
    cycleMs,
    submittedMs,
    approvedMs,
    closedMs,
    profile,
    processCpuMs,
    inboxPolls,
    decisions,
    decisionLatencies,
    refused,
    mailsPerRequest,
    cyclesPerSecond: N / (cycleMs / 1000),
    decisionsPerSecond: decisions / (cycleMs / 1000),
  };
}
export type CycleResult = Awaited<ReturnType<typeof runCycle>>;
