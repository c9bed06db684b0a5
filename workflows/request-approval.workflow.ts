import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  amendUpdate,
  decideUpdate,
  SEARCH_ATTRIBUTES,
  stateQuery,
  submittedUpdate,
  summaryOf,
  withdrawUpdate,
  type AmendInput,
  type DecideInput,
  type RequestWorkflowInput,
  type WithdrawInput,
} from '../libs/contracts';
import {
  applyDecision,
  currentStage,
  expire,
  findApproval,
  initialState,
  isFinal,
  refusalFor,
  restartCurrentStage,
  withdraw,
  type RequestState,
} from '../libs/domain/approval-state';
import { planRoute } from '../libs/domain/policy/evaluate';
import type { PlannedParty } from '../libs/domain/policy/evaluate';
import { conflictOfInterest } from '../libs/domain/conflict-of-interest';
import type { RequestInput } from '../libs/domain/request';

type Activities = ReturnType<typeof createActivities>;

const { projectState, notifyParty, notifyRequester, screenCounterparties, recordSubmission } =
  proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });

/** At most this many reminders per party and round, however short the interval. */
const MAX_REMINDERS = 50;

function refuse(error: { code: string; message: string }): never {
  throw ApplicationFailure.nonRetryable(error.message, error.code);
}

/**
 * One request, from submission to a final outcome. It screens the counterparties, plans the
 * route from the policy version pinned in its input, and runs the stages in order, the parties of
 * a stage in parallel, each with its reminders, escalation and expiry on durable timers.
 * Decisions, amendments and withdrawal arrive as Updates whose validators enforce the rules, so a
 * refused decision leaves no trace in the history.
 */
export async function requestApprovalWorkflow(input: RequestWorkflowInput): Promise<RequestState> {
  let summary = summaryOf(input.requester, input.request);
  let state: RequestState | undefined;
  const current = (): RequestState => {
    if (!state) refuse({ code: 'REQUEST_NOT_PENDING', message: 'the request is still being submitted' });
    return state;
  };

  /** Every state change is projected before the Update that caused it answers. */
  const commit = async (next: RequestState, extra: { decision?: DecideInput; amendedRequest?: RequestInput } = {}) => {
    state = next;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: next.status }]);
    await projectState({ state: next, ...extra });
  };

  setHandler(stateQuery, () => current());
  setHandler(submittedUpdate, async () => {
    await condition(() => state !== undefined);
    return current();
  });

  setHandler(
    decideUpdate,
    async (decision) => {
      await commit(applyDecision(current(), decision), { decision });
      return current();
    },
    {
      validator: (decision: DecideInput) => {
        const refusal = refusalFor(current(), decision);
        if (refusal) refuse(refusal);
        // The API also checks deal participants, which need the database; these facts travel with the request.
        for (const person of [decision.actorEmail, decision.onBehalfOf].filter((p): p is string => !!p)) {
          const conflict = conflictOfInterest({
            type: input.request.type,
            approverEmail: person,
            requesterManagerEmail: input.requester.managerEmail ?? null,
            counterparties: input.request.counterparties,
            dealParticipants: [],
          });
          if (conflict) refuse({ code: 'CONFLICT_OF_INTEREST', message: conflict });
        }
      },
    },
  );

  setHandler(
    amendUpdate,
    async (amend) => {
      summary = summaryOf(input.requester, amend.request);
      await commit(restartCurrentStage(current()), { amendedRequest: amend.request });
      return current();
    },
    {
      validator: (amend: AmendInput) => {
        const now = current();
        if (amend.actorEmail.toLowerCase() !== now.requesterEmail) {
          refuse({ code: 'NOT_REQUESTER', message: 'only the requester may amend a request' });
        }
        if (now.status !== 'changes_requested') {
          refuse({
            code: 'REQUEST_NOT_AMENDABLE',
            message: `only a request in changes_requested can be amended (it is ${now.status})`,
          });
        }
      },
    },
  );

  setHandler(
    withdrawUpdate,
    async () => {
      await commit(withdraw(current()));
      return current();
    },
    {
      validator: (request: WithdrawInput) => {
        const now = current();
        if (request.actorEmail.toLowerCase() !== now.requesterEmail) {
          refuse({ code: 'NOT_REQUESTER', message: 'only the requester may withdraw a request' });
        }
        if (isFinal(now.status)) {
          refuse({
            code: 'REQUEST_NOT_PENDING',
            message: `only an undecided request can be withdrawn (it is ${now.status})`,
          });
        }
      },
    },
  );

  // Submission: screen, plan from the pinned policy, record. The plan is now in the history.
  const screeningHits = await screenCounterparties({
    requestId: input.requestId,
    counterparties: input.request.counterparties,
  });
  const plan = planRoute({ request: input.request, tier: input.requester.tier, screeningHits }, input.policy);
  const initial = initialState(input.requestId, input.requester.email, plan);
  await recordSubmission({ workflow: input, plan, state: initial });
  state = initial;
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: initial.status }]);

  const plannedParty = (party: string): PlannedParty =>
    plan.stages.flatMap((s) => s.parties).find((p) => p.party === party)!;

  /** Reminders, escalation to the leads and expiry for one party, measured from its stage's opening. */
  const watchDeadlines = async (party: PlannedParty, round: number, stageIndex: number) => {
    const d = party.deadlines;
    const events: Array<{ at: number; kind: 'reminder' | 'escalation' | 'expiry' }> = [];
    for (
      let at = d.reminderAfterMs, n = 0;
      at < d.expireAfterMs && n < MAX_REMINDERS;
      at += d.reminderEveryMs, n += 1
    ) {
      events.push({ at, kind: 'reminder' });
    }
    events.push({ at: d.escalateAfterMs, kind: 'escalation' }, { at: d.expireAfterMs, kind: 'expiry' });
    events.sort((a, b) => a.at - b.at);
    const awaiting = () => {
      const now = current();
      return (
        now.status === 'pending' &&
        now.round === round &&
        now.currentStage === stageIndex &&
        findApproval(now, party.party)?.status === 'pending'
      );
    };
    let elapsed = 0;
    let reminders = 0;
    for (const event of events) {
      await sleep(event.at - elapsed);
      elapsed = event.at;
      if (!awaiting()) return;
      if (event.kind === 'expiry') {
        log.info('party let its deadline pass; the request expires', { party: party.party });
        await commit(expire(current()));
        return;
      }
      if (event.kind === 'reminder') reminders += 1;
      await notifyParty({
        requestId: input.requestId,
        party: party.party,
        round,
        kind: event.kind,
        sequence: event.kind === 'reminder' ? reminders : 1,
        reasons: party.reasons,
        summary,
        screeningHits: plan.screeningHits,
      });
    }
  };

  let watched = '';
  let watchers: CancellationScope | undefined;
  let lastRequesterNotice = current().seq;

  while (!isFinal(current().status)) {
    const now = current();
    // Taken before any await: a change that lands while emails go out is not missed.
    const seen = now.seq;
    const key = now.status === 'pending' ? `${now.currentStage}:${now.round}` : '';
    if (key !== watched) {
      watchers?.cancel();
      watchers = undefined;
      watched = key;
      if (key) {
        const stage = currentStage(now);
        const round = now.round;
        await Promise.all(
          stage.approvals.map((a) =>
            notifyParty({
              requestId: input.requestId,
              party: a.party,
              round,
              kind: 'approval',
              sequence: 1,
              reasons: a.reasons,
              summary,
              screeningHits: plan.screeningHits,
            }),
          ),
        );
        const scope = new CancellationScope();
        watchers = scope;
        void scope
          .run(() => Promise.all(stage.approvals.map((a) => watchDeadlines(plannedParty(a.party), round, stage.index))))
          .catch((error: unknown) => {
            if (!isCancellation(error)) throw error;
          });
      }
    }
    await condition(() => current().seq !== seen);
    const after = current();
    if (after.status === 'changes_requested' && lastRequesterNotice !== after.seq) {
      lastRequesterNotice = after.seq;
      await notifyRequester({ requestId: input.requestId, seq: after.seq, state: after, summary });
    }
  }

  watchers?.cancel();
  const final = current();
  await notifyRequester({ requestId: input.requestId, seq: final.seq, state: final, summary });
  await condition(allHandlersFinished);
  log.info('request settled', { requestId: input.requestId, status: current().status });
  return current();
}
