import { log, sleep } from '@temporalio/workflow';
import { expire, findApproval } from '@libs/domain/approval-state';
import type { PlannedParty } from '@libs/domain/policy/evaluate';
import { activities } from '../activity-proxies';
import { MAX_REMINDERS } from '../reminders';
import type { RequestRun } from './run';

const { notifyParty } = activities;

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

/**
 * Reminders, escalation to the leads and expiry for one party, on durable timers measured from its
 * stage's opening, until the party has decided (or its stage or round is over).
 */
export async function watchDeadlines(run: RequestRun, party: PlannedParty, round: number, stageIndex: number) {
  const awaiting = () => {
    const now = run.current();
    return (
      now.status === 'pending' &&
      now.round === round &&
      now.currentStage === stageIndex &&
      findApproval(now, party.party)?.status === 'pending'
    );
  };
  let elapsed = 0;
  let reminders = 0;
  for (const event of deadlinesOf(party)) {
    await sleep(event.at - elapsed);
    elapsed = event.at;
    if (!awaiting()) return;
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
