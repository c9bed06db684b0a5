import { condition, getExternalWorkflowHandle, setHandler } from '@temporalio/workflow';
import {
  passportReturnedSignal,
  returnPassportUpdate,
  withProof,
  workflowIdFor,
  type CustodyState,
  type CustodyWorkflowInput,
  type PassportReturned,
  type ReturnPassportInput,
} from '../libs/contracts';
import { activities } from './activity-proxies';
import { chase } from './chase';
import { msUntil } from './clock';
import { refuseUnlessFromTheApi } from './from-the-api';
import { refuse } from './refuse';

const { markPassportReturned, markPassportOverdue, notifyCustody } = activities;

/**
 * One released passport, from hand-out until it is back in custody. Past its due date it is
 * overdue: the employee is reminded on a durable timer and security is told once the escalation
 * delay has passed. The return arrives as an Update from the custodian, through the API (proven with
 * the request's key, as the request workflow's Updates are); the request workflow hears of it by a
 * signal proven with the same key.
 */
export async function custodyWorkflow(input: CustodyWorkflowInput): Promise<CustodyState> {
  let state: CustodyState = { passportId: input.passportId, status: 'released', returnedBy: null, returnedAt: null };

  setHandler(
    returnPassportUpdate,
    async ({ by, at }) => {
      await markPassportReturned({ passportId: input.passportId, requestId: input.requestId, at });
      state = { ...state, status: 'in_custody', returnedBy: by.toLowerCase(), returnedAt: at };
      return state;
    },
    {
      validator: (back: ReturnPassportInput) => {
        refuseUnlessFromTheApi(input.proofKey, returnPassportUpdate.name, back);
        if (state.status === 'in_custody') refuse('PASSPORT_IN_CUSTODY', 'the passport is already back in custody');
      },
    },
  );

  const back = () => state.status === 'in_custody';
  if (!(await condition(back, Math.max(msUntil(input.dueBackAt), 1)))) {
    state = { ...state, status: 'overdue' };
    await markPassportOverdue({ passportId: input.passportId, requestId: input.requestId });
    await chase({
      isDone: back,
      remind: (sequence) => notifyCustody({ ...input, kind: 'overdue', sequence }),
      escalate: () => notifyCustody({ ...input, kind: 'escalation', sequence: 1 }),
      everyMs: input.reminderEveryMs,
      escalateAfterMs: input.escalateAfterMs,
    });
  }

  const returned: PassportReturned = {
    passportId: input.passportId,
    by: state.returnedBy ?? 'custodian',
    at: state.returnedAt ?? '',
  };
  await getExternalWorkflowHandle(workflowIdFor(input.requestId)).signal(
    passportReturnedSignal,
    input.proofKey ? withProof(input.proofKey, passportReturnedSignal.name, returned) : returned,
  );
  return state;
}
