import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { chase } from './chase';
import { msUntil, workflowNow } from './clock';
import { archiveHistoryWorkflow } from './archive.workflow';
import { custodyWorkflow } from './custody.workflow';
import type { createActivities } from '../activities';
import {
  amendUpdate,
  custodyWorkflowIdFor,
  decideUpdate,
  fulfilObligationUpdate,
  passportReturnedSignal,
  SEARCH_ATTRIBUTES,
  stateQuery,
  submittedUpdate,
  summaryOf,
  withdrawUpdate,
  workflowIdFor,
  type AmendInput,
  type DecideInput,
  type FulfilObligationInput,
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
  fulfil,
  lapse,
  markOverdue,
  withdraw,
  withObligations,
  type RequestState,
} from '../libs/domain/approval-state';
import { planRoute } from '../libs/domain/policy/evaluate';
import type { PlannedParty } from '../libs/domain/policy/evaluate';
import { conflictOfInterest } from '../libs/domain/conflict-of-interest';
import { afterApprovalOf, obligationsFor, passportDueBack, recordedByRequester } from '../libs/domain/obligations';
import { durationMs } from '../libs/domain/policy/policy-schema';
import type { RequestInput } from '../libs/domain/request';

type Activities = ReturnType<typeof createActivities>;

const {
  projectState,
  notifyParty,
  notifyRequester,
  screenCounterparties,
  recordSubmission,
  releasePassport,
  notifyObligation,
} = proxyActivities<Activities>({
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
  let request = input.request;
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
        // The API also checks deal participants, which need the database. Only facts the requester does not
        // control exclude an approver (never what the request says, such as a counterparty's contact).
        for (const person of [decision.actorEmail, decision.onBehalfOf].filter((p): p is string => !!p)) {
          const conflict = conflictOfInterest({
            type: input.request.type,
            approverEmail: person,
            requesterManagerEmail: input.requester.managerEmail ?? null,
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
      request = amend.request;
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

  /**
   * After approval: release the passport (passport_release), then track the obligations until all
   * are met (`closed`), chasing overdue ones; or lapse if the trip has not started within the
   * approval's validity window.
   */
  const afterApproval = async (): Promise<'approved' | 'closed' | 'lapsed'> => {
    const rules = afterApprovalOf(input.policy);
    let passportDueBackAt: string | null = null;
    if (request.type === 'passport_release') {
      const released = await releasePassport({
        requestId: input.requestId,
        employeeEmail: input.requester.email,
        dueBackAt: passportDueBack(request, input.policy),
      });
      if (released) {
        passportDueBackAt = released.dueBackAt;
        await startChild(custodyWorkflow, {
          workflowId: custodyWorkflowIdFor(released.passportId, input.requestId),
          parentClosePolicy: ParentClosePolicy.ABANDON,
          args: [
            {
              passportId: released.passportId,
              requestId: input.requestId,
              employeeEmail: input.requester.email,
              employeeName: input.requester.name,
              numberLast3: released.numberLast3,
              dueBackAt: released.dueBackAt,
              reminderEveryMs: durationMs(rules.reminderEvery),
              escalateAfterMs: durationMs(rules.escalateAfter),
            },
          ],
        });
      }
    }
    const conditions = current().stages.flatMap((s) =>
      s.approvals.flatMap((a) => a.conditions.map((condition) => ({ party: a.party, condition }))),
    );
    const obligations = obligationsFor({
      request,
      tier: input.requester.tier,
      conditions,
      passportDueBackAt,
      policy: input.policy,
    });
    if (obligations.length === 0) return 'approved';
    await commit(withObligations(current(), obligations));

    const scope = new CancellationScope();
    const isMet = (kind: string) => current().obligations.find((o) => o.kind === kind)?.status === 'fulfilled';
    const chaseOverdue = async (kind: string) => {
      const obligation = current().obligations.find((o) => o.kind === kind);
      if (!obligation?.dueAt || kind === 'passport_return') return; // the custody workflow chases the passport
      if (await condition(() => isMet(kind), Math.max(msUntil(obligation.dueAt), 1))) return;
      await commit(markOverdue(current(), kind));
      const notice = {
        requestId: input.requestId,
        obligation: kind,
        label: obligation.label,
        dueAt: obligation.dueAt,
        summary,
      };
      await chase({
        isDone: () => isMet(kind),
        remind: (sequence) => notifyObligation({ ...notice, kind: 'reminder', sequence }),
        escalate: () => notifyObligation({ ...notice, kind: 'escalation', sequence: 1 }),
        everyMs: durationMs(rules.reminderEvery),
        escalateAfterMs: durationMs(rules.escalateAfter),
      });
    };
    let lapsed = false;
    const departure = Date.parse(`${request.departureDate}T00:00:00.000Z`);
    const validityMs = durationMs(rules.approvalValidity);
    const watchValidity = async () => {
      if (request.type === 'passport_release' || departure - workflowNow() <= validityMs) return;
      await sleep(validityMs);
      if (current().status === 'approved' && workflowNow() < departure) lapsed = true;
    };
    void scope
      .run(() => Promise.all([...obligations.map((o) => chaseOverdue(o.kind)), watchValidity()]))
      .catch((error: unknown) => {
        if (!isCancellation(error)) throw error;
      });
    await condition(() => current().status === 'closed' || lapsed);
    scope.cancel();
    if (current().status === 'closed') return 'closed';
    log.info('approval lapsed before the trip started; the request needs re-approval', { requestId: input.requestId });
    await commit(lapse(current()));
    return 'lapsed';
  };

  setHandler(
    fulfilObligationUpdate,
    async (f) => {
      await commit(fulfil(current(), f.kind, f.actorEmail, f.at));
      return current();
    },
    {
      validator: (f: FulfilObligationInput) => {
        const now = current();
        const obligation = now.obligations.find((o) => o.kind === f.kind);
        if (now.status !== 'approved' || !obligation) {
          refuse({ code: 'OBLIGATION_NOT_OPEN', message: `the request has no open obligation "${f.kind}"` });
        }
        if (obligation.status === 'fulfilled') {
          refuse({
            code: 'OBLIGATION_NOT_OPEN',
            message: `"${f.kind}" was already recorded by ${obligation.fulfilledBy}`,
          });
        }
        if (!recordedByRequester(f.kind)) {
          refuse({ code: 'OBLIGATION_NOT_OPEN', message: 'the passport is recorded back by the custodian, not here' });
        }
        if (f.actorEmail.toLowerCase() !== now.requesterEmail) {
          refuse({ code: 'NOT_REQUESTER', message: 'only the requester records their obligations' });
        }
      },
    },
  );

  setHandler(passportReturnedSignal, async ({ by, at }) => {
    const now = current();
    const open = now.obligations.find((o) => o.kind === 'passport_return' && o.status !== 'fulfilled');
    if (open) await commit(fulfil(now, 'passport_return', by, at));
  });

  let watched = '';
  let watchers: CancellationScope | undefined;
  let lastRequesterNotice = current().seq;

  for (;;) {
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
            .run(() =>
              Promise.all(stage.approvals.map((a) => watchDeadlines(plannedParty(a.party), round, stage.index))),
            )
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
    watched = '';
    // Requests approved before obligations existed simply ended here (their histories have no marker).
    if (current().status !== 'approved' || !patched('obligations-after-approval')) break;
    const approved = current();
    lastRequesterNotice = approved.seq;
    await notifyRequester({ requestId: input.requestId, seq: approved.seq, state: approved, summary });
    if ((await afterApproval()) !== 'lapsed') break;
  }

  const final = current();
  if (final.seq !== lastRequesterNotice) {
    await notifyRequester({ requestId: input.requestId, seq: final.seq, state: final, summary });
  }
  await condition(allHandlersFinished);
  if (patched('archive-on-close')) {
    // Its history is archived once it has closed, so it outlives the namespace's retention.
    const workflowId = workflowIdFor(input.requestId);
    await startChild(archiveHistoryWorkflow, {
      workflowId: `archive-${workflowId}`,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [{ requestId: input.requestId, workflowId }],
    });
  }
  log.info('request settled', { requestId: input.requestId, status: current().status });
  return current();
}
