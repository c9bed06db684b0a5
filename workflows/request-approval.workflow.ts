import { setHandler } from '@temporalio/workflow';
import {
  amendUpdate,
  catchUpUpdate,
  correctObligationUpdate,
  decideUpdate,
  fulfilObligationUpdate,
  passportReturnedSignal,
  recordAuthorizationUpdate,
  attachMaterialDocumentUpdate,
  type AttachMaterialDocumentInput,
  stateQuery,
  submittedUpdate,
  withdrawUpdate,
  type AmendInput,
  type CatchUpInput,
  type CorrectObligationInput,
  type DecideInput,
  type FulfilObligationInput,
  type RecordAuthorizationInput,
  type RequestWorkflowInput,
  type WithdrawInput,
} from '@libs/contracts';
import type { RequestState } from '@libs/domain/approval-state';
import { afterApproval } from './request/after-approval';
import { awaitAuthorities } from './request/authorities';
import * as on from './request/messages';
import { RequestRun } from './request/run';
import { settle } from './request/settle';
import { runStages } from './request/stages';
import { submit } from './request/submission';

/**
 * One request, from submission to a final outcome. It screens the counterparties, plans the
 * route from the policy version pinned in its input, and runs the stages in order, the parties of
 * a stage in parallel, each with its reminders, escalation and expiry on durable timers.
 * Decisions, amendments and withdrawal arrive as Updates whose validators enforce the rules, so a
 * refused decision leaves no trace in the history.
 */
export async function requestApprovalWorkflow(input: RequestWorkflowInput): Promise<RequestState> {
  const run = new RequestRun(input);

  // The workflow's messages (rules in ./request/messages.ts, and in libs/domain/approval-state.ts).
  // Where the request stands (refused while the submission is being recorded).
  setHandler(stateQuery, () => run.current());
  // Answers once the submission is recorded: the API starts the workflow with it.
  setHandler(submittedUpdate, () => on.whenSubmitted(run));
  // A party's decision (or a delegate's on an absent member's behalf).
  setHandler(decideUpdate, (d) => on.decide(run, d), { validator: (d: DecideInput) => on.validateDecision(run, d) });
  // The requester's amendment after changes were requested: screened and routed again, review restarts.
  setHandler(amendUpdate, (a) => on.amend(run, a), { validator: (a: AmendInput) => on.validateAmendment(run, a) });
  // The requester withdraws an undecided request.
  setHandler(withdrawUpdate, (request) => on.withdrawRequest(run, request), {
    validator: (w: WithdrawInput) => on.validateWithdrawal(run, w),
  });
  // The requester records an obligation of the approved request as met.
  setHandler(fulfilObligationUpdate, (f) => on.fulfilObligation(run, f), {
    validator: (f: FulfilObligationInput) => on.validateFulfilment(run, f),
  });
  // The requester or security reopens an obligation recorded by mistake, with a reason.
  setHandler(correctObligationUpdate, (c) => on.correctObligation(run, c), {
    validator: (c: CorrectObligationInput) => on.validateCorrection(run, c),
  });
  // The requester or an admin records an authority's decision on an external authorization.
  setHandler(recordAuthorizationUpdate, (a) => on.recordAuthorizationProgress(run, a), {
    validator: (a: RecordAuthorizationInput) => on.validateAuthorization(run, a),
  });
  // The requester attaches the file of a material on the trip manifest (by its hash).
  setHandler(attachMaterialDocumentUpdate, (m) => on.attachMaterialDocument(run, m), {
    validator: (m: AttachMaterialDocumentInput) => on.validateMaterialDocument(run, m),
  });
  // The API, after losing a decision's answer: write what the database may not hold yet.
  setHandler(catchUpUpdate, () => on.catchUp(run), { validator: (c: CatchUpInput) => on.validateCatchUp(run, c) });
  // From the custody workflow: the released passport is back.
  setHandler(passportReturnedSignal, (returned) => on.passportReturned(run, returned));

  // The main line: submission, the stages until decided, life after approval, settling.
  await submit(run);
  for (;;) {
    const deadlines = await runStages(run);
    // Stopped in one step with what follows: the histories record the timers' cancellation after it.
    deadlines?.cancel();
    // Every party approved, and an authority has not granted yet (only requests whose pinned policy has them).
    if (run.current().status === 'awaiting_authorization') await awaitAuthorities(run);
    // Requests approved before obligations existed simply ended here (their histories have no marker).
    if (run.current().status !== 'approved' || !run.since('obligations-after-approval')) break;
    await run.tellRequester(run.current());
    // An approval that lapses before the trip is decided again, from the first stage.
    if ((await afterApproval(run)) !== 'lapsed') break;
  }
  await settle(run);
  return run.current();
}
