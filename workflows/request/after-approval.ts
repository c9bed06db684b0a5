import { condition, log, ParentClosePolicy, sleep, startChild } from '@temporalio/workflow';
import { custodyWorkflowIdFor, type CustodyWorkflowInput } from '@libs/contracts';
import { lapse, markOverdue, withObligations } from '@libs/domain/approval-state';
import { outstanding } from '@libs/domain/authorizations';
import {
  afterApprovalOf,
  authorizationObligation,
  obligationsFor,
  passportCollectBy,
  passportDueBack,
  type Obligation,
} from '@libs/domain/obligations';
import { durationMs, type AfterApproval } from '@libs/domain/policy/policy-schema';
import { activities } from '../activity-proxies';
import { runCancellable } from '../cancellable';
import { chase } from '../chase';
import { msUntil, workflowNow } from '../clock';
import { custodyWorkflow } from '../custody.workflow';
import type { RequestRun } from './run';

const { releasePassport, preparePassportHandOut, notifyObligation } = activities;

/**
 * After approval: ready the passport for hand-out (passport_release) and hand it to its custody workflow, then
 * track the obligations until all are met (`closed`), chasing overdue ones; or lapse, to be decided
 * again, if the trip has not started within the approval's validity window.
 *
 * One async function on purpose: its awaits sit where the histories expect them, and a helper
 * awaited in between would add a microtask turn that reorders commands against concurrent handlers.
 */
export async function afterApproval(run: RequestRun): Promise<'approved' | 'closed' | 'lapsed' | 'rejected'> {
  const rules = afterApprovalOf(run.input.policy);
  let passportDueBackAt: string | null = null;
  if (run.request.type === 'passport_release') {
    // An authorization that holds the passport (only in requests whose pinned policy has one): it stays
    // in the vault until the authority grants; a refusal rejects the request.
    if (outstanding(run.current(), 'passport_release').length > 0) {
      await condition(
        () => outstanding(run.current(), 'passport_release').length === 0 || run.current().status !== 'approved',
      );
      if (run.current().status !== 'approved') return 'rejected';
    }
    // Since `hand-out-step`, approval only readies the passport: it leaves the vault when the
    // custodian hands it out (the custody workflow waits for that); before, approval released it.
    const handOutStep = run.since('hand-out-step');
    const released = await (handOutStep ? preparePassportHandOut : releasePassport)({
      requestId: run.requestId,
      employeeEmail: run.input.requester.email,
      dueBackAt: passportDueBack(run.request, run.input.policy),
    });
    if (released) {
      passportDueBackAt = released.dueBackAt;
      await startChild(custodyWorkflow, {
        workflowId: custodyWorkflowIdFor(released.passportId, run.requestId),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [
          {
            ...custodyOf(run, released, rules),
            ...(handOutStep ? { awaitsHandOut: true, collectBy: passportCollectBy(run.request) } : {}),
          },
        ],
      });
    }
  }
  const obligations = obligationsOf(run, passportDueBackAt);
  if (obligations.length === 0) return 'approved';
  await run.commit(withObligations(run.current(), obligations));

  let lapsed = false;
  const watchers = runCancellable(() =>
    Promise.all([
      ...obligations.map((o) => chaseOverdue(run, rules, o.kind)),
      watchValidity(run, rules, () => (lapsed = true)),
    ]),
  );
  // A refused authorization that blocks departure rejects an approved request (never one from before them).
  await condition(() => run.current().status === 'closed' || run.current().status === 'rejected' || lapsed);
  watchers.cancel();
  if (run.current().status === 'closed') return 'closed';
  if (run.current().status === 'rejected') return 'rejected';
  log.info('approval lapsed before the trip started; the request needs re-approval', { requestId: run.requestId });
  await run.commit(lapse(run.current()));
  return 'lapsed';
}

/** The custody workflow's input for a released passport. */
function custodyOf(
  run: RequestRun,
  released: { passportId: string; numberLast3: string; dueBackAt: string },
  rules: AfterApproval,
): CustodyWorkflowInput {
  return {
    passportId: released.passportId,
    requestId: run.requestId,
    employeeEmail: run.input.requester.email,
    employeeName: run.input.requester.name,
    numberLast3: released.numberLast3,
    dueBackAt: released.dueBackAt,
    reminderEveryMs: durationMs(rules.reminderEvery),
    escalateAfterMs: durationMs(rules.escalateAfter),
    // The custody workflow proves what it tells the request workflow, and checks the custodian's return.
    ...(run.input.proofKey ? { proofKey: run.input.proofKey } : {}),
  };
}

/** What the approved request must still do: the policy's, each approver condition, the passport back. */
function obligationsOf(run: RequestRun, passportDueBackAt: string | null): Obligation[] {
  const conditions = run
    .current()
    .stages.flatMap((s) =>
      s.approvals.flatMap((a) => a.conditions.map((condition) => ({ party: a.party, condition }))),
    );
  return obligationsFor({
    // Only requests that track external authorizations have any (patch `external-authorizations`).
    authorizations: run.current().authorizations,
    request: run.request,
    tier: run.input.requester.tier,
    conditions,
    passportDueBackAt,
    policy: run.input.policy,
  });
}

function isMet(run: RequestRun, kind: string): boolean {
  return run.current().obligations.find((o) => o.kind === kind)?.status === 'fulfilled';
}

/**
 * Once an obligation is past due and still open: mark it overdue, remind the requester, escalate. A
 * correction may reopen it once met (./messages.ts): it is then chased again. Waiting for that adds no
 * command, so histories without a correction are as they were.
 */
async function chaseOverdue(run: RequestRun, rules: AfterApproval, kind: string): Promise<void> {
  const obligation = run.current().obligations.find((o) => o.kind === kind);
  if (!obligation?.dueAt || kind === 'passport_return') return; // the custody workflow chases the passport
  for (;;) {
    await chaseUntilMet(run, rules, { ...obligation, dueAt: obligation.dueAt });
    await condition(() => !isMet(run, kind));
  }
}

async function chaseUntilMet(run: RequestRun, rules: AfterApproval, obligation: Obligation & { dueAt: string }) {
  const { kind } = obligation;
  if (await condition(() => isMet(run, kind), Math.max(msUntil(obligation.dueAt), 1))) return;
  await run.commit(markOverdue(run.current(), kind));
  // An authorization that holds the departure is chased like an obligation, with how to record it.
  const authorization = run.current().authorizations?.find((a) => authorizationObligation(a.kind) === kind);
  const notice = {
    requestId: run.requestId,
    obligation: kind,
    label: obligation.label,
    dueAt: obligation.dueAt,
    summary: run.summary,
    ...(authorization ? { authorization: { kind: authorization.kind, authority: authorization.authority } } : {}),
  };
  await chase({
    isDone: () => isMet(run, kind),
    remind: (sequence) => notifyObligation({ ...notice, kind: 'reminder', sequence }),
    escalate: () => notifyObligation({ ...notice, kind: 'escalation', sequence: 1 }),
    everyMs: durationMs(rules.reminderEvery),
    escalateAfterMs: durationMs(rules.escalateAfter),
  });
}

/** An approval is valid for a while before departure; it lapses if the trip has not started by then. */
async function watchValidity(run: RequestRun, rules: AfterApproval, onLapse: () => void): Promise<void> {
  const departure = Date.parse(`${run.request.departureDate}T00:00:00.000Z`);
  const validityMs = durationMs(rules.approvalValidity);
  if (run.request.type === 'passport_release' || departure - workflowNow() <= validityMs) return;
  await sleep(validityMs);
  if (run.current().status === 'approved' && workflowNow() < departure) onLapse();
}
