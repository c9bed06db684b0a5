import { condition, getExternalWorkflowHandle, patched, setHandler } from '@temporalio/workflow';
import {
  handOutPassportUpdate,
  passportReturnedSignal,
  returnPassportUpdate,
  withProof,
  workflowIdFor,
  type CustodyState,
  type CustodyWorkflowInput,
  type HandOutPassportInput,
  type PassportReturned,
  type ReturnPassportInput,
} from '@libs/contracts';
import { activities } from './activity-proxies';
import { chase } from './chase';
import { msUntil } from './clock';
import { refuseUnlessFromTheApi } from './from-the-api';
import { refuse } from './refuse';

const { handOutPassport, markPassportNotCollected, markPassportReturned, markPassportOverdue, notifyCustody } =
  activities;

/**
 * One released passport, from hand-out until it is back in custody. Started for an approved
 * release (`awaitsHandOut`), it first waits for the custodian's handOutPassport Update (identity
 * checked), which releases the passport and starts the due date; before the hand-out step
 * existed, it started with the passport already released. Past its due date it is
 * overdue: the employee is reminded on a durable timer and security is told once the escalation
 * delay has passed. The return arrives as an Update from the custodian, through the API (proven with
 * the request's key, as the request workflow's Updates are); the request workflow hears of it by a
 * signal proven with the same key.
 */
export async function custodyWorkflow(input: CustodyWorkflowInput): Promise<CustodyState> {
  let state: CustodyState = {
    passportId: input.passportId,
    status: input.awaitsHandOut ? 'ready_for_hand_out' : 'released',
    returnedBy: null,
    returnedAt: null,
  };
  let handingOut = false;
  /** Since `uncollected-release`: nobody collected it by the end of the return day, so the release lapsed. */
  let lapsed = false;

  // The custodian hands the passport out, the holder's identity checked: released until its due date.
  setHandler(
    handOutPassportUpdate,
    async ({ by, at }) => {
      handingOut = true;
      await handOutPassport({
        passportId: input.passportId,
        requestId: input.requestId,
        by: by.toLowerCase(),
        at,
        dueBackAt: input.dueBackAt,
      });
      state = { ...state, status: 'released', handedOutBy: by.toLowerCase(), handedOutAt: at };
      return state;
    },
    {
      validator: (out: HandOutPassportInput) => {
        refuseUnlessFromTheApi(input.proofKey, handOutPassportUpdate.name, out);
        if (lapsed) {
          refuse(
            'PASSPORT_NOT_READY',
            'nobody collected the passport by the end of the return day: the release lapsed',
          );
        }
        if (handingOut || state.status !== 'ready_for_hand_out') {
          refuse('PASSPORT_NOT_READY', 'the passport has already been handed out for this request');
        }
      },
    },
  );

  // The custodian takes the passport back.

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
        if (state.status === 'ready_for_hand_out') {
          refuse('PASSPORT_NOT_READY', 'the passport has not been handed out yet: it is still in custody');
        }
      },
    },
  );

  if (input.awaitsHandOut) {
    const collected = () => state.status !== 'ready_for_hand_out';
    if (input.collectBy && patched('uncollected-release')) {
      // A passport nobody collected by the end of the trip's return day never travelled: the release
      // lapses, the passport is in custody again, and the request's return obligation is met.
      // (A hand-out already under way when the day passes is let finish.)
      if (await condition(() => collected() || handingOut, Math.max(msUntil(input.collectBy), 1))) {
        await condition(collected);
      } else {
        lapsed = true;
        const at = new Date().toISOString();
        await markPassportNotCollected({ passportId: input.passportId, requestId: input.requestId, at });
        state = { ...state, status: 'in_custody', returnedBy: 'not collected: it stayed in custody', returnedAt: at };
      }
    } else {
      await condition(collected);
    }
  }
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
