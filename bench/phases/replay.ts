/*
 * Histories: the first `replay` cycles' histories exported as JSON (as an auditor would receive
 * them), what one cycle costs in Temporal terms against the baseline's, and how long replaying them
 * takes, raw through the SDK and through the project's `replayHistories` (what replay-all and the endpoint use).
 */
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { replayHistories as replayThroughOneWorker, replayHistory } from '@libs/audit';
import { renderApprovalMail } from '@libs/mail';
import { historyProfile } from '../profile';
import { log } from './common';
import type { EncryptionCodec } from '@libs/crypto';
import type { BenchTarget } from './system';

export interface ExportedHistory {
  file: string;
  workflowId: string;
}

export async function exportHistories(
  sys: BenchTarget,
  submitted: string[],
  limit: number,
): Promise<ExportedHistory[]> {
  const histDir = path.join(sys.tmp, 'histories');
  fs.mkdirSync(histDir);
  const files: ExportedHistory[] = [];
  for (const id of submitted.slice(0, Math.min(limit, submitted.length))) {
    const workflowId = `request-${id}`;
    const json = historyToJSON(await sys.client.workflow.getHandle(workflowId).fetchHistory());
    const file = path.join(histDir, `${workflowId}.json`);
    fs.writeFileSync(file, json);
    files.push({ file, workflowId });
  }
  return files;
}

const readHistory = (f: ExportedHistory) => historyFromJSON(JSON.parse(fs.readFileSync(f.file, 'utf8')));

/** What one Clearance cycle costs in Temporal terms (averaged over the exported histories) vs the baseline. */
export async function historyCost(sys: BenchTarget, files: ExportedHistory[], baselineWorkflowId: string) {
  const perCycle = historyProfile(files.map(readHistory));
  const baseHistory = await sys.bareClient.workflow.getHandle(baselineWorkflowId).fetchHistory();
  const baselineEvents = baseHistory.events?.length ?? 0;
  const baselineWorkflowTasks = (baseHistory.events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes).length;
  log(
    `per cycle: ${JSON.stringify(perCycle)}; baseline history ${baselineEvents} events, ${baselineWorkflowTasks} workflow tasks`,
  );
  return { perCycle, baselineEvents, baselineWorkflowTasks };
}

/** The payload codec and the workflow bundle a replay needs. */
export interface ReplayKit {
  codec: EncryptionCodec;
  bundleCode: string;
}

export async function replayHistories(sys: ReplayKit, files: ExportedHistory[]) {
  const { codec } = sys;
  const workflowBundle = { code: sys.bundleCode };
  // warm-up (first replay worker pays one-off costs), not timed
  await replayHistory(JSON.parse(fs.readFileSync(files[0].file, 'utf8')), {
    workflowId: files[0].workflowId,
    codec,
    workflowBundle,
  });
  let tr = performance.now();
  let rawOk = 0;
  let eventCount = 0;
  for await (const result of Worker.runReplayHistories(
    { workflowBundle, dataConverter: { payloadCodecs: [codec] } },
    (function* () {
      for (const f of files) {
        const h = readHistory(f);
        eventCount += h.events?.length ?? 0;
        yield { workflowId: f.workflowId, history: h };
      }
    })(),
  )) {
    if (!result.error) rawOk++;
  }
  const rawReplayMs = performance.now() - tr;
  tr = performance.now();
  let projOk = 0;
  // the product path (`npm run audit -- replay-all`, the replay endpoint): `replayHistories`, one worker for all
  for await (const res of replayThroughOneWorker(
    (function* () {
      for (const f of files)
        yield { workflowId: f.workflowId, history: JSON.parse(fs.readFileSync(f.file, 'utf8')) as unknown };
    })(),
    { codec, workflowBundle },
  )) {
    if (res.deterministic) projOk++;
  }
  const projectReplayMs = performance.now() - tr;
  log(
    `replay: ${files.length} histories (${eventCount} events): raw ${Math.round(rawReplayMs)} ms, replayHistories ${Math.round(projectReplayMs)} ms`,
  );
  return { histories: files.length, eventCount, rawReplayMs, projectReplayMs, rawOk, projOk };
}
export type ReplayResult = Awaited<ReturnType<typeof replayHistories>>;
export type HistoryCost = Awaited<ReturnType<typeof historyCost>>;

/** Rendering one approval email (Handlebars text + HTML), alone, to see its share of a cycle; ms per mail. */
export function timeApprovalMailRender(requester: string, renders = 500): number {
  const t = performance.now();
  for (let i = 0; i < renders; i++) {
    renderApprovalMail({
      kind: 'approval',
      summary: {
        type: 'departure_abroad',
        requesterEmail: requester,
        requesterName: 'Carol',
        destinationCountry: 'DE',
        departureDate: '2027-03-01',
        returnDate: '2027-03-07',
        purpose: `Bench ${i}`,
      },
      reference: `CLR-2027-${String(i + 1).padStart(6, '0')}`,
      party: 'hr',
      reasons: ['departure abroad'],
      hits: [],
      link: `http://127.0.0.1/approvals/${i}`,
      expiresAt: '2027-03-01 00:00 UTC',
    });
  }
  return (performance.now() - t) / renders;
}
