import { log, sleep } from '@temporalio/workflow';
import { expire, findApproval } from '@libs/domain/approval-state';
import type { PlannedParty } from '@libs/domain/policy/evaluate';
import type { Party } from '@libs/domain/vocabulary';
import { activities } from '../activity-proxies';
import { MAX_REMINDERS } from '../reminders';
import type { RequestRun } from './run';

const { notifyParty, notifyParties } = activities;

type DeadlineKind = 'reminder' | 'escalation' | 'expiry';

/** The party's reminders, its escalation and its expiry, in order, as offsets from its stage's opening. */
function deadlinesOf(party: PlannedParty): Array<{ at: number; kind: DeadlineKind }> {
  const d = party.deadlines;
  const events: Array<{ at: number; kind: DeadlineKind }> = [];
  for (
    let at = d.reminderAfterMs, n = 0;
    at < d.expireAfterMs && n < MAX_REMINDERS.perPartyRound;
    at += d.reminderEveryMs, n += 1
  ) {
    events.push({ at, kind: 'reminder' });
  }
  events.push({ at: d.escalateAfterMs, kind: 'escalation' }, { at: d.expireAfterMs, kind: 'expiry' });
  events.sort((a, b) => a.at - b.at);
  return events;
}

/** Whether the party is still asked in this stage and round, undecided. */
function awaiting(run: RequestRun, party: Party, round: number, stageIndex: number): boolean {
  const now = run.current();
  return (
    now.status === 'pending' &&
    now.round === round &&
    now.currentStage === stageIndex &&
    findApproval(now, party)?.status === 'pending'
  );
}

/**
 * Since `cheaper-cycle`: the deadlines of every party of a stage on one timer at a time, measured
 * from the stage's opening. At each moment something falls due: a party still undecided at its
 * expiry expires the request; the others due are reminded (or their leads told) in one email step
 * per kind and number. Ends once nobody of the stage is left undecided (or is cancelled with it).
 */
export async function watchStageDeadlines(run: RequestRun, parties: PlannedParty[], round: number, stageIndex: number) {
  const due = parties.flatMap((party) => deadlinesOf(party).map((d) => ({ ...d, party })));
  const moments = [...new Set(due.map((d) => d.at))].sort((a, b) => a - b);
  const reminders = new Map<string, number>();
  let elapsed = 0;
  for (const at of moments) {
    if (!parties.some((p) => awaiting(run, p.party, round, stageIndex))) return;
    await sleep(at - elapsed);
    elapsed = at;
    const now = due.filter((d) => d.at === at && awaiting(run, d.party.party, round, stageIndex));
    if (now.some((d) => d.kind === 'expiry')) {
      log.info('party let its deadline pass; the request expires', {
        party: now.find((d) => d.kind === 'expiry')!.party.party,
      });
      await run.commit(expire(run.current()));
      return;
    }
    const asks = new Map<string, Array<{ party: PlannedParty; kind: 'reminder' | 'escalation'; sequence: number }>>();
    for (const d of now) {
      if (d.kind === 'expiry') continue;
      const sequence = d.kind === 'reminder' ? (reminders.get(d.party.party) ?? 0) + 1 : 1;
      if (d.kind === 'reminder') reminders.set(d.party.party, sequence);
      const key = `${d.kind}#${sequence}`;
      asks.set(key, [...(asks.get(key) ?? []), { party: d.party, kind: d.kind, sequence }]);
    }
    // Decisions the API wrote from their answers are written here too: if it stopped before it did, the
    // database holds them again by the first reminder (`decisions-written-by-the-api`).
    if (run.lean) await run.allProjected();
    for (const group of asks.values()) {
      await notifyParties({
        requestId: run.requestId,
        round,
        kind: group[0].kind,
        sequence: group[0].sequence,
        summary: run.summary,
        screeningHits: run.route().screeningHits,
        parties: group.map((g) => ({ party: g.party.party, reasons: g.party.reasons })),
      });
    }
  }
}

/**
 * Reminders, escalation to the leads and expiry for one party, on durable timers measured from its
 * stage's opening, until the party has decided (or its stage or round is over).
 */
export async function watchDeadlines(run: RequestRun, party: PlannedParty, round: number, stageIndex: number) {
  let elapsed = 0;
  let reminders = 0;
  for (const event of deadlinesOf(party)) {
    await sleep(event.at - elapsed);
    elapsed = event.at;
    if (!awaiting(run, party.party, round, stageIndex)) return;
    if (event.kind === 'expiry') {
      log.info('party let its deadline pass; the request expires', { party: party.party });
      await run.commit(expire(run.current()));
      return;
    }
    if (event.kind === 'reminder') reminders += 1;
    await notifyParty({
      requestId: run.requestId,
      party: party.party,
      round,
      kind: event.kind,
      sequence: event.kind === 'reminder' ? reminders : 1,
      reasons: party.reasons,
      summary: run.summary,
      screeningHits: run.route().screeningHits,
    });
  }
}
