import { condition, log } from '@temporalio/workflow';
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
  withdrawUpdate,
  type AmendInput,
  type CatchUpInput,
  type CorrectObligationInput,
  type DecideInput,
  type DecideOutcome,
  type FulfilObligationInput,
  type PassportReturned,
  type RecordAuthorizationInput,
  type WithdrawInput,
} from '@libs/contracts';
import {
  amendRefusal,
  applyDecision,
  correctionRefusal,
  fulfil,
  fulfilRefusal,
  refusalFor,
  reopen,
  roundRefusal,
  withdraw,
  withdrawRefusal,
  type RequestState,
} from '@libs/domain/approval-state';
import { authorizationRefusal, recordAuthorization } from '@libs/domain/authorizations';
import { conflictOfInterest } from '@libs/domain/conflict-of-interest';
import { materialDocumentRefusal, recordMaterialDocument } from '@libs/domain/material-documents';
import { isFromTheApi, refuseUnlessFromTheApi } from '../from-the-api';
import { refuse, refuseIf } from '../refuse';
import { reviewAmendment } from './amendment';
import { startExpiryWatch } from './authorities';
import type { RequestRun } from './run';

/**
 * The handlers of the request workflow's messages. Each Update's validator asks the domain rule
 * of record (a refused Update leaves no trace in the history), after checking that the Update
 * comes from the API (../from-the-api.ts); its handler commits the change and answers with the new state.
 */

/** Answers once the submission is recorded (the API starts the workflow with this Update). */
export async function whenSubmitted(run: RequestRun): Promise<RequestState> {
  await condition(() => run.state !== undefined);
  return run.current();
}

export function validateDecision(run: RequestRun, decision: DecideInput): void {
  refuseUnlessFromTheApi(run.input.proofKey, decideUpdate.name, decision);
  refuseIf(roundRefusal(run.current(), decision.round));
  refuseIf(refusalFor(run.current(), decision));
  // The API also checks deal participants, which need the database. Only facts the requester does not
  // control exclude an approver (never what the request says, such as a counterparty's contact).
  for (const person of [decision.actorEmail, decision.onBehalfOf].filter((p): p is string => !!p)) {
    const conflict = conflictOfInterest({
      type: run.input.request.type,
      approverEmail: person,
      requesterManagerEmail: run.input.requester.managerEmail ?? null,
      dealParticipants: [],
    });
    if (conflict) refuse('CONFLICT_OF_INTEREST', conflict);
  }
}

/**
 * Since `decisions-written-by-the-api`, a decision that leaves its stage open (the same status, stage
 * and round) answers in the step that applied it: the API writes the state it answers with. A decision
 * that closes a stage or the request is written here before it answers, as every other change is.
 */
export async function decide(run: RequestRun, decision: DecideInput): Promise<DecideOutcome> {
  const before = run.current();
  const next = applyDecision(before, decision);
  if (run.lean && leavesStageOpen(before, next)) {
    run.commitUnwritten(next, { decision });
    return { ...next, unprojected: true };
  }
  await run.commit(next, { decision });
  return run.current();
}

function leavesStageOpen(before: RequestState, after: RequestState): boolean {
  return (
    after.status === 'pending' &&
    after.status === before.status &&
    after.currentStage === before.currentStage &&
    after.round === before.round
  );
}

export function validateCatchUp(run: RequestRun, input: CatchUpInput): void {
  refuseUnlessFromTheApi(run.input.proofKey, catchUpUpdate.name, input);
  run.current(); // refused while the submission is still being recorded
}

/** Every committed state written (decisions the API answered for without writing among them). */
export async function catchUp(run: RequestRun): Promise<RequestState> {
  await run.allProjected();
  return run.current();
}

export function validateAmendment(run: RequestRun, amend: AmendInput): void {
  refuseUnlessFromTheApi(run.input.proofKey, amendUpdate.name, amend);
  refuseIf(amendRefusal(run.current(), amend.actorEmail));
}

/** The amended request is screened and routed again, and review restarts in a new round (./amendment.ts). */
export async function amend(run: RequestRun, amend: AmendInput): Promise<RequestState> {
  return reviewAmendment(run, amend);
}

export function validateWithdrawal(run: RequestRun, request: WithdrawInput): void {
  refuseUnlessFromTheApi(run.input.proofKey, withdrawUpdate.name, request);
  refuseIf(withdrawRefusal(run.current(), request.actorEmail));
}

export async function withdrawRequest(run: RequestRun, request?: WithdrawInput): Promise<RequestState> {
  // The facts only ride along in the state (projection, the approvers' notice); no command changes.
  const withdrawal = request && {
    by: request.actorEmail,
    at: request.withdrawnAt,
    reason: request.reason?.trim() || null,
  };
  await run.commit(withdraw(run.current(), withdrawal));
  return run.current();
}

export function validateFulfilment(run: RequestRun, f: FulfilObligationInput): void {
  refuseUnlessFromTheApi(run.input.proofKey, fulfilObligationUpdate.name, f);
  // Validators do not run on replay: obligations accepted earlier stay accepted in their histories. The trip's
  // end is tripEnd (the return date; a permanent move's departure date): for every request that gives a return
  // date, which every request started before permanent moves existed did, the outcome is the same as before.
  refuseIf(fulfilRefusal(run.current(), f.kind, f.actorEmail, { trip: run.request, at: f.at }));
}

export async function fulfilObligation(run: RequestRun, f: FulfilObligationInput): Promise<RequestState> {
  await run.commit(fulfil(run.current(), f.kind, f.actorEmail, f.at));
  return run.current();
}

export function validateCorrection(run: RequestRun, c: CorrectObligationInput): void {
  refuseUnlessFromTheApi(run.input.proofKey, correctObligationUpdate.name, c);
  refuseIf(correctionRefusal(run.current(), c.kind, { email: c.actorEmail, asSecurity: c.asSecurity }, c.reason));
}

/** A correction reopens the obligation; the chasing in ./after-approval.ts takes it up again. */
export async function correctObligation(run: RequestRun, c: CorrectObligationInput): Promise<RequestState> {
  const { proof: _proof, ...correction } = c;
  await run.commit(reopen(run.current(), c.kind, c.at), { correction });
  return run.current();
}

export function validateAuthorization(run: RequestRun, input: RecordAuthorizationInput): void {
  refuseUnlessFromTheApi(run.input.proofKey, recordAuthorizationUpdate.name, input);
  refuseIf(authorizationRefusal(run.current(), input));
}

/** Records an authority's decision: a refusal rejects the request, the last blocking grant approves it. */
export async function recordAuthorizationProgress(
  run: RequestRun,
  input: RecordAuthorizationInput,
): Promise<RequestState> {
  const { proof: _proof, ...authorization } = input;
  await run.commit(recordAuthorization(run.current(), authorization), { authorization });
  // A grant that ends before it is needed through expires unless renewed in time.
  startExpiryWatch(run);
  return run.current();
}

export function validateMaterialDocument(run: RequestRun, input: AttachMaterialDocumentInput): void {
  refuseUnlessFromTheApi(run.input.proofKey, attachMaterialDocumentUpdate.name, input);
  refuseIf(materialDocumentRefusal(run.current(), run.request.manifest, input));
}

/** Records the SHA-256 of a material's file (the file is stored sealed by the API, never in the history). */
export async function attachMaterialDocument(
  run: RequestRun,
  input: AttachMaterialDocumentInput,
): Promise<RequestState> {
  const { proof: _proof, ...materialDocument } = input;
  await run.commit(recordMaterialDocument(run.current(), run.request.manifest!, materialDocument), {
    materialDocument,
  });
  return run.current();
}

/**
 * The custody workflow says the passport is back: its obligation is met. Before submission is
 * recorded there is no state and no such obligation, so the signal changes nothing. A signal cannot
 * be refused: one without the proof the custody workflow puts on it is ignored and logged.
 */
export async function passportReturned(run: RequestRun, returned: PassportReturned): Promise<void> {
  if (!isFromTheApi(run.input.proofKey, passportReturnedSignal.name, returned)) {
    log.warn('ignored a passportReturned signal without a valid proof', { requestId: run.requestId });
    return;
  }
  const now = run.state;
  const open = now?.obligations.find((o) => o.kind === 'passport_return' && o.status !== 'fulfilled');
  if (now && open) await run.commit(fulfil(now, 'passport_return', returned.by, returned.at));
}
