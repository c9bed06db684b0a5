import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  amendUpdate,
  decideUpdate,
  SEARCH_ATTRIBUTES,
  stateQuery,
  withdrawUpdate,
  type AmendInput,
  type DecideInput,
  type RequestSummary,
  type RequestWorkflowInput,
  type WithdrawInput,
} from '../libs/contracts';
import {
  applyDecision,
  currentStage,
  initialState,
  isFinal,
  refusalFor,
  restartCurrentStage,
  withdraw,
  type RequestState,
} from '../libs/domain/approval-state';
import type { RequestInput } from '../libs/domain/request';

type Activities = ReturnType<typeof createActivities>;

const { projectState, notifyParty, notifyRequester } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

function refuse(error: { code: string; message: string }): never {
  throw ApplicationFailure.nonRetryable(error.message, error.code);
}

/**
 * One request, from submission to a final outcome. Stages run in order, the parties of a stage
 * in parallel. Decisions, amendments and withdrawal arrive as Updates whose validators enforce
 * the contract's rules, so a refused decision leaves no trace in the history.
 */
export async function requestApprovalWorkflow(input: RequestWorkflowInput): Promise<RequestState> {
  let summary: RequestSummary = input.summary;
  let state = initialState(input.requestId, input.summary.requesterEmail, input.plan);
  /** Stage openings not yet announced by email: [stageIndex, round]. */
  let announced = '';

  /** Every state change is projected before the Update that caused it answers. */
  const commit = async (next: RequestState, extra: { decision?: DecideInput; amendedRequest?: RequestInput } = {}) => {
    state = next;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: state.status }]);
    await projectState({ state, ...extra });
  };

  setHandler(stateQuery, () => state);

  setHandler(
    decideUpdate,
    async (decision) => {
      await commit(applyDecision(state, decision), { decision });
      return state;
    },
    {
      validator: (decision: DecideInput) => {
        const refusal = refusalFor(state, decision);
        if (refusal) refuse(refusal);
      },
    },
  );

  setHandler(
    amendUpdate,
    async (amend) => {
      summary = amend.summary;
      await commit(restartCurrentStage(state), { amendedRequest: amend.request });
      return state;
    },
    {
      validator: (amend: AmendInput) => {
        if (amend.actorEmail.toLowerCase() !== state.requesterEmail.toLowerCase()) {
          refuse({ code: 'NOT_REQUESTER', message: 'only the requester may amend a request' });
        }
        if (state.status !== 'changes_requested') {
          refuse({
            code: 'REQUEST_NOT_AMENDABLE',
            message: `only a request in changes_requested can be amended (it is ${state.status})`,
          });
        }
      },
    },
  );

  setHandler(
    withdrawUpdate,
    async () => {
      await commit(withdraw(state));
      return state;
    },
    {
      validator: (request: WithdrawInput) => {
        if (request.actorEmail.toLowerCase() !== state.requesterEmail.toLowerCase()) {
          refuse({ code: 'NOT_REQUESTER', message: 'only the requester may withdraw a request' });
        }
        if (isFinal(state.status)) {
          refuse({
            code: 'REQUEST_NOT_PENDING',
            message: `only an undecided request can be withdrawn (it is ${state.status})`,
          });
        }
      },
    },
  );

  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: state.status }]);
  // The API wrote the submission with the same initial state; this write is idempotent.
  await projectState({ state });

  let lastRequesterNotice = state.seq;
  while (!isFinal(state.status)) {
    const key = `${state.currentStage}:${state.round}`;
    if (state.status === 'pending' && announced !== key) {
      announced = key;
      const stage = currentStage(state);
      const round = state.round;
      await Promise.all(
        stage.approvals.map((a) =>
          notifyParty({ requestId: input.requestId, party: a.party, round, reasons: a.reasons, summary }),
        ),
      );
    }
    const seen = state.seq;
    await condition(() => state.seq !== seen || isFinal(state.status));
    if (state.status === 'changes_requested' && lastRequesterNotice !== state.seq) {
      lastRequesterNotice = state.seq;
      await notifyRequester({ requestId: input.requestId, seq: state.seq, state, summary });
    }
  }

  await notifyRequester({ requestId: input.requestId, seq: state.seq, state, summary });
  await condition(allHandlersFinished);
  log.info('request settled', { requestId: input.requestId, status: state.status });
  return state;
}
