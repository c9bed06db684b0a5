import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import type { createActivities } from '../../activities';
import { planSubmission } from '../../activities/submission.activities';
import {
  amendUpdate,
  catchUpUpdate,
  decideUpdate,
  correctObligationUpdate,
  fulfilObligationUpdate,
  recordAuthorizationUpdate,
  attachMaterialDocumentUpdate,
  stateQuery,
  withdrawUpdate,
  workflowIdFor,
  custodyWorkflowIdFor,
  handOutPassportUpdate,
  returnPassportUpdate,
  type HandOutInput,
  type DecideInput,
  type NotifyPartyInput,
  submittedUpdate,
  type ProjectStateInput,
  type RecordAuthorizationInput,
  type RecordSubmissionInput,
  type RequestWorkflowInput,
  type ScreenInput,
} from '@libs/contracts';
import { findApproval, type RequestState } from '@libs/domain/approval-state';
import { DEFAULT_POLICY, type RoutingPolicy } from '@libs/domain/policy';
import type { ScreeningHit } from '@libs/domain/screening';
import type { RequestInput } from '@libs/domain/request';
import type { Party, RequestType, Tier } from '@libs/domain/vocabulary';
import type { requestApprovalWorkflow } from '../../workflows';
import { eventually } from '../support/eventually';
import { requestBody } from '../support/factories';

/**
 * The approval workflow on the real Temporal dev server. Activities are in-memory recorders:
 * the workflow is what is under test here; the activities' own tests use the real database and SMTP.
 */
type Activities = ReturnType<typeof createActivities>;

const slug = (name: string) =>
  name
    .replace(/^requestApprovalWorkflow /, '')
    .replace(/^should /, '')
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()
    .slice(0, 60);

const REQUESTER = 'alice@example.com';
const PLAIN = { technologyAreas: ['none'], dataCategories: ['none'], details: { eventName: 'E', presenting: false } };

describe('requestApprovalWorkflow', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `wf-test-${randomUUID()}`;
  const projected = new Map<string, ProjectStateInput[]>();
  const notified = new Map<string, NotifyPartyInput[]>();
  const outcomes = new Map<string, string[]>();
  const submissions = new Map<string, RecordSubmissionInput>();
  const obligationNotices = new Map<string, string[]>();
  const inCustody = new Set<string>();
  const handOuts = new Map<string, HandOutInput>();
  const notCollected = new Set<string>();

  // A counterparty whose name starts with "Restricted" is a hit; everything else is clean.
  async function screenRestricted(input: ScreenInput): Promise<ScreeningHit[]> {
    return input.counterparties
      .filter((c) => c.name.startsWith('Restricted'))
      .map((c) => ({
        counterparty: c.name,
        counterpartyCountry: c.country,
        entryId: 'entry-1',
        entryName: 'RESTRICTED RESEARCH INSTITUTE',
        matchedName: 'RESTRICTED RESEARCH INSTITUTE',
        source: 'Test list',
        score: 97,
      }));
  }

  const activities: Activities = {
    screenCounterparties: screenRestricted,
    // The one-step submission (`cheaper-cycle`): the same screening, the plan and authorizations from the pinned policy, recorded.
    async submitRequest({ workflow }) {
      const screeningHits = await screenRestricted({
        requestId: workflow.requestId,
        counterparties: workflow.request.counterparties,
      });
      const { plan, state } = planSubmission(workflow, screeningHits);
      submissions.set(workflow.requestId, { workflow, plan, state });
      return { plan, state };
    },
    async recordSubmission(input) {
      submissions.set(input.workflow.requestId, input);
    },
    async projectState(input) {
      projected.set(input.state.requestId, [...(projected.get(input.state.requestId) ?? []), input]);
    },
    async projectStates({ states }) {
      for (const input of states) {
        projected.set(input.state.requestId, [...(projected.get(input.state.requestId) ?? []), input]);
      }
    },
    async notifyParty(input) {
      notified.set(input.requestId, [...(notified.get(input.requestId) ?? []), input]);
      return { sent: 1, skipped: 0 };
    },
    async notifyParties({ parties, ...ask }) {
      const each = parties.map((p) => ({ ...ask, ...p }));
      notified.set(ask.requestId, [...(notified.get(ask.requestId) ?? []), ...each]);
      return { sent: each.length, skipped: 0 };
    },
    async archiveHistory() {
      return { sha256: 'test', eventCount: 0 };
    },
    async releasePassport() {
      return null;
    },
    // A passport is in custody only for the requests of `inCustody`.
    async preparePassportHandOut(input) {
      return inCustody.has(input.requestId)
        ? { passportId: `passport-${input.requestId}`, numberLast3: '987', dueBackAt: input.dueBackAt }
        : null;
    },
    async handOutPassport(input) {
      handOuts.set(input.requestId, input);
    },
    async markPassportOverdue() {},
    async markPassportReturned() {},
    async markPassportNotCollected(input) {
      notCollected.add(input.requestId);
    },
    async notifyCustody() {},
    async notifyObligation(input) {
      const notice = `${input.kind}:${input.obligation}#${input.sequence}`;
      obligationNotices.set(input.requestId, [...(obligationNotices.get(input.requestId) ?? []), notice]);
    },
    async notifyRequester(input) {
      outcomes.set(input.requestId, [...(outcomes.get(input.requestId) ?? []), input.state.status]);
      return true;
    },
  };

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: process.env.TEST_TEMPORAL_ADDRESS! });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
      activities,
    });
    running = worker.run();
  });

  /** With RECORD_HISTORIES=1, each scenario's closed history becomes a golden file (see tests/histories/README.md). */
  const recorded = new Map<string, string>();
  afterEach(async () => {
    const name = expect.getState().currentTestName;
    const workflowId = name ? recorded.get(name) : undefined;
    if (!process.env.RECORD_HISTORIES || !name || !workflowId) return;
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const file = path.join(__dirname, '../histories', `${slug(name)}.json`);
    fs.writeFileSync(file, `${historyToJSON(history)}\n`);
  });

  afterAll(async () => {
    worker.shutdown();
    await running;
    await env.teardown();
  });

  async function start(
    type: RequestType,
    tier: Tier = 'standard',
    body: Record<string, unknown> = {},
    policy: RoutingPolicy = DEFAULT_POLICY,
    requestId: string = randomUUID(),
  ) {
    const request = requestBody(type, body) as RequestInput;
    const input: RequestWorkflowInput = {
      requestId,
      request,
      requester: { email: REQUESTER, name: 'Alice', tier, managerEmail: 'hr-lead@example.com' },
      policy,
      submittedAt: new Date().toISOString(),
      idempotencyKey: null,
      bodyHash: 'test',
    };
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof requestApprovalWorkflow>(
      'requestApprovalWorkflow',
      { taskQueue, workflowId: workflowIdFor(requestId), args: [input], workflowIdConflictPolicy: 'FAIL' },
    );
    const initial = await env.client.workflow.executeUpdateWithStart(submittedUpdate, { startWorkflowOperation });
    const handle = await startWorkflowOperation.workflowHandle();
    const name = expect.getState().currentTestName;
    if (name && !recorded.has(name)) recorded.set(name, handle.workflowId);
    return { requestId, handle, request, initial };
  }

  const decision = (party: Party, actorEmail: string, extra: Partial<DecideInput> = {}): DecideInput => ({
    party,
    decision: 'approve',
    actorEmail,
    decidedAt: new Date().toISOString(),
    via: 'api',
    ...extra,
  });

  async function eventuallyState(
    handle: WorkflowHandle,
    check: (state: RequestState) => boolean,
  ): Promise<RequestState> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const state = await handle.query(stateQuery);
      if (check(state) || Date.now() > deadline) return state;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure)
        return error.cause.type ?? undefined;
      throw error;
    }
    throw new Error('the update was accepted');
  }

  async function notifiedParties(requestId: string, count: number): Promise<Array<[Party, number]>> {
    const deadline = Date.now() + 20_000;
    while ((notified.get(requestId)?.length ?? 0) < count && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    return (notified.get(requestId) ?? []).map((n) => [n.party, n.round]);
  }

  /** The requester's outcome emails go out after the Update that caused them has answered. */
  async function outcomesOf(requestId: string, count: number): Promise<string[]> {
    const deadline = Date.now() + 20_000;
    while ((outcomes.get(requestId)?.length ?? 0) < count && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    return outcomes.get(requestId) ?? [];
  }

  it('should run stages in order and the parties of a stage in parallel', async () => {
    const { requestId, handle } = await start('overseas_assignment');
    expect((await notifiedParties(requestId, 2)).sort()).toEqual([
      ['hr', 1],
      ['security', 1],
    ]);
    expect(await refusal(handle.executeUpdate(decideUpdate, { args: [decision('legal', 'legal@example.com')] }))).toBe(
      'PARTY_NOT_AWAITING',
    );

    const [afterHr, afterSecurity] = await Promise.all([
      handle.executeUpdate(decideUpdate, {
        args: [decision('hr', 'hr@example.com', { conditions: ['clean laptop only'] })],
      }),
      handle.executeUpdate(decideUpdate, { args: [decision('security', 'security@example.com')] }),
    ]);
    const last = afterHr.seq > afterSecurity.seq ? afterHr : afterSecurity;
    expect(last.currentStage).toBe(2);
    expect(last.stages[0].status).toBe('approved');
    expect(last.stages[1].approvals.map((a) => a.status)).toEqual(['pending', 'pending']);
    expect(last.stages[0].approvals.find((a) => a.party === 'hr')!.conditions).toEqual(['clean laptop only']);
    expect((await notifiedParties(requestId, 4)).slice(2).sort()).toEqual([
      ['data_governance', 1],
      ['legal', 1],
    ]);

    await handle.executeUpdate(decideUpdate, { args: [decision('legal', 'legal@example.com')] });
    const final = await handle.executeUpdate(decideUpdate, {
      args: [decision('data_governance', 'datagov@example.com')],
    });
    expect(final.status).toBe('approved');
    // Approved with obligations: hr's condition to acknowledge and a debrief after an assignment.
    const withObligations = await eventuallyState(handle, (s) => s.obligations.length > 0);
    expect(withObligations.obligations.map((o) => [o.kind, o.status])).toEqual([
      ['condition-1', 'open'],
      ['debrief', 'open'],
    ]);
    const fulfilment = (kind: string, actorEmail = REQUESTER, at = new Date().toISOString()) => ({
      kind,
      actorEmail,
      at,
    });
    // a debrief waits for the trip to end: refused now, taken as recorded after the return date
    const afterReturn = '2027-12-31T00:00:00.000Z';
    expect(await refusal(handle.executeUpdate(fulfilObligationUpdate, { args: [fulfilment('debrief')] }))).toBe(
      'OBLIGATION_NOT_OPEN',
    );
    expect(
      await refusal(handle.executeUpdate(fulfilObligationUpdate, { args: [fulfilment('debrief', 'hr@example.com')] })),
    ).toBe('NOT_REQUESTER');
    await handle.executeUpdate(fulfilObligationUpdate, { args: [fulfilment('condition-1')] });
    const closed = await handle.executeUpdate(fulfilObligationUpdate, {
      args: [fulfilment('debrief', REQUESTER, afterReturn)],
    });
    expect(closed.status).toBe('closed');
    expect(closed.obligations.every((o) => o.status === 'fulfilled' && o.fulfilledBy === REQUESTER)).toBe(true);
    expect((await handle.result()).status).toBe('closed');
    expect(outcomes.get(requestId)).toEqual(['approved', 'closed']);

    const seqs = projected.get(requestId)!.map((p) => p.state.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(
      projected
        .get(requestId)!
        .filter((p) => p.decision)
        .map((p) => p.decision!.party)
        .sort(),
    ).toEqual(['data_governance', 'hr', 'legal', 'security'].sort());
  });

  it('should count a permanent move from its departure date: a debrief waits for the departure, not a return', async () => {
    // a policy that asks departures for a debrief too, so that the trip's end shows
    const policy: RoutingPolicy = structuredClone(DEFAULT_POLICY);
    policy.afterApproval = { ...policy.afterApproval!, debriefTypes: ['departure_abroad'], debriefWithin: '5d' };
    const { handle, request } = await start(
      'departure_abroad',
      'standard',
      { ...PLAIN, returnDate: undefined, details: { newEmployer: 'Lab', lastWorkingDay: '2027-09-30' } },
      policy,
    );
    expect(request.returnDate).toBeUndefined();
    for (const [party, member] of [
      ['hr', 'hr@example.com'],
      ['legal', 'legal@example.com'],
      ['security', 'security@example.com'],
      ['data_governance', 'datagov@example.com'],
    ] as const) {
      await handle.executeUpdate(decideUpdate, { args: [decision(party, member)] });
    }
    const approved = await eventuallyState(handle, (s) => s.obligations.length > 0);
    const departure = request.departureDate;
    expect(approved.obligations.map((o) => [o.kind, o.dueAt])).toEqual([
      ['debrief', new Date(Date.parse(`${departure}T00:00:00.000Z`) + 5 * 86_400_000).toISOString()],
    ]);
    const debrief = (at: string) => ({ kind: 'debrief', actorEmail: REQUESTER, at });
    const justBefore = new Date(Date.parse(`${departure}T00:00:00.000Z`) - 1).toISOString();
    expect(await refusal(handle.executeUpdate(fulfilObligationUpdate, { args: [debrief(justBefore)] }))).toBe(
      'OBLIGATION_NOT_OPEN',
    );
    const closed = await handle.executeUpdate(fulfilObligationUpdate, {
      args: [debrief(`${departure}T00:00:00.000Z`)],
    });
    expect(closed.status).toBe('closed');
    expect((await handle.result()).status).toBe('closed');
  });

  it('should enforce every decision rule in the Update validator and leave refusals out of the history', async () => {
    const { handle } = await start('departure_abroad');
    const decide = (d: DecideInput) => refusal(handle.executeUpdate(decideUpdate, { args: [d] }));

    expect(await decide(decision('hr', REQUESTER))).toBe('REQUESTER_CANNOT_DECIDE');
    expect(await decide(decision('hr', 'ALICE@example.com'))).toBe('REQUESTER_CANNOT_DECIDE');
    expect(await decide(decision('hr', 'hr@example.com', { decision: 'reject' }))).toBe('COMMENT_REQUIRED');

    await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'multi@example.com')] });
    expect(await decide(decision('legal', 'multi@example.com'))).toBe('DECIDED_FOR_ANOTHER_PARTY');
    expect(await decide(decision('hr', 'hr-lead@example.com'))).toBe('PARTY_NOT_AWAITING');

    const { handle: conference } = await start('conference', 'standard', {
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { eventName: 'E', presenting: false },
    });
    expect(
      await refusal(conference.executeUpdate(decideUpdate, { args: [decision('legal', 'legal@example.com')] })),
    ).toBe('PARTY_NOT_IN_REQUEST');

    const state = await handle.query(stateQuery);
    expect(state.stages[0].approvals.filter((a) => a.status === 'approved').map((a) => a.decidedBy)).toEqual([
      'multi@example.com',
    ]);
    const history = await handle.fetchHistory();
    const accepted = (history.events ?? []).filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'decide',
    );
    expect(accepted).toHaveLength(1);
  });

  it('should end the request on one rejection and cancel the later stages', async () => {
    const { requestId, handle } = await start('ma_participation');
    await notifiedParties(requestId, 1);
    const state = await handle.executeUpdate(decideUpdate, {
      args: [
        decision('legal', 'legal@example.com', { decision: 'reject', comment: 'counterparty is on a watch list' }),
      ],
    });
    expect(state.status).toBe('rejected');
    expect(state.stages.map((s) => s.status)).toEqual(['rejected', 'cancelled']);
    expect(state.stages[0].approvals[0].comment).toBe('counterparty is on a watch list');
    expect((await handle.result()).status).toBe('rejected');
    expect(
      await refusal(handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] })).catch(
        () => 'completed',
      ),
    ).toBe('completed');
  });

  it('should send a change request back and restart the current stage on amendment', async () => {
    const { requestId, handle, request } = await start('passport_release', 'core');
    await notifiedParties(requestId, 2);
    await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    const changes = await handle.executeUpdate(decideUpdate, {
      args: [decision('security', 'security@example.com', { decision: 'request_changes', comment: 'name the trip' })],
    });
    expect(changes.status).toBe('changes_requested');
    expect(await refusal(handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr-lead@example.com')] }))).toBe(
      'REQUEST_NOT_PENDING',
    );

    const amend = {
      actorEmail: REQUESTER,
      request: { ...request, purpose: 'NeurIPS trip' },
      amendedAt: new Date().toISOString(),
    };
    expect(
      await refusal(handle.executeUpdate(amendUpdate, { args: [{ ...amend, actorEmail: 'carol@example.com' }] })),
    ).toBe('NOT_REQUESTER');
    const amended = await handle.executeUpdate(amendUpdate, { args: [amend] });
    expect(amended.status).toBe('pending');
    expect(amended.round).toBe(2);
    expect(amended.stages[0].approvals.map((a) => [a.party, a.status, a.decidedBy])).toEqual([
      ['hr', 'pending', null],
      ['security', 'pending', null],
    ]);
    expect(await refusal(handle.executeUpdate(amendUpdate, { args: [amend] }))).toBe('REQUEST_NOT_AMENDABLE');
    expect((await notifiedParties(requestId, 4)).slice(2).sort()).toEqual([
      ['hr', 2],
      ['security', 2],
    ]);
    expect(projected.get(requestId)!.some((p) => p.amendedRequest?.purpose === 'NeurIPS trip')).toBe(true);

    await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    const approved = await handle.executeUpdate(decideUpdate, { args: [decision('security', 'security@example.com')] });
    expect(approved.status).toBe('approved');
    expect(await outcomesOf(requestId, 2)).toEqual(['changes_requested', 'approved']);
  });

  it('should screen and route an amendment again and restart review at stage 1 with the new route', async () => {
    const { requestId, handle, request } = await start('conference', 'standard', PLAIN);
    expect(await notifiedParties(requestId, 1)).toEqual([['hr', 1]]);
    await handle.executeUpdate(decideUpdate, {
      args: [decision('hr', 'hr@example.com', { decision: 'request_changes', comment: 'name the organiser' })],
    });
    const amended = await handle.executeUpdate(amendUpdate, {
      args: [
        {
          actorEmail: REQUESTER,
          request: {
            ...request,
            destinationCountry: 'IR',
            counterparties: [{ name: 'Restricted Lab', country: 'IR' }],
          },
          amendedAt: new Date().toISOString(),
        },
      ],
    });
    expect(amended).toMatchObject({ status: 'pending', round: 2, currentStage: 1 });
    expect(amended.stages.flatMap((s) => s.approvals.map((a) => [a.party, a.status])).sort()).toEqual([
      ['hr', 'pending'],
      ['legal', 'pending'],
      ['security', 'pending'],
    ]);
    const record = projected.get(requestId)!.find((p) => p.amendment)!;
    expect(record.plan?.screeningHits).toHaveLength(1);
    expect(record.amendment).toMatchObject({
      actorEmail: REQUESTER,
      changes: [
        { field: 'destinationCountry', before: 'US', after: 'IR' },
        expect.objectContaining({ field: 'counterparties' }),
      ],
      routeChange: expect.objectContaining({ added: ['legal', 'security'], newScreeningHits: 1 }),
    });
    await notifiedParties(requestId, 4);
    const asked = notified.get(requestId)!.filter((n) => n.round === 2);
    expect(asked.map((n) => n.party).sort()).toEqual(['hr', 'legal', 'security']);
    expect(asked.find((n) => n.party === 'hr')!.amendment).toMatchObject({
      changes: expect.arrayContaining(['destination US → IR']),
      earlier: { status: 'changes_requested', comment: 'name the organiser', conditions: [] },
    });
    expect(asked.every((n) => n.screeningHits.length === 1)).toBe(true);

    await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    await handle.executeUpdate(decideUpdate, { args: [decision('legal', 'legal@example.com')] });
    const approved = await handle.executeUpdate(decideUpdate, { args: [decision('security', 'security@example.com')] });
    expect(approved.status).toBe('approved');
  });

  it('should let only the requester withdraw, and only while undecided', async () => {
    const { handle } = await start('conference', 'core');
    const withdrawal = { actorEmail: REQUESTER, withdrawnAt: new Date().toISOString() };
    expect(
      await refusal(handle.executeUpdate(withdrawUpdate, { args: [{ ...withdrawal, actorEmail: 'hr@example.com' }] })),
    ).toBe('NOT_REQUESTER');
    const state = await handle.executeUpdate(withdrawUpdate, { args: [withdrawal] });
    expect(state.status).toBe('withdrawn');
    expect(state.stages[0].status).toBe('cancelled');
    expect((await handle.result()).status).toBe('withdrawn');
  });

  /** A policy whose deadlines and quorums are short enough to watch in a test. */
  const testPolicy = (changes: (doc: RoutingPolicy) => void): RoutingPolicy => {
    const policy: RoutingPolicy = JSON.parse(JSON.stringify(DEFAULT_POLICY));
    policy.version = 99;
    changes(policy);
    return policy;
  };

  it('should need a quorum of k members and show who approved so far', async () => {
    const policy = testPolicy((p) => {
      p.parties.hr.quorum = 2;
    });
    const { requestId, handle } = await start(
      'conference',
      'standard',
      { technologyAreas: ['none'], dataCategories: ['none'], details: { eventName: 'E', presenting: false } },
      policy,
    );
    expect(submissions.get(requestId)!.plan.stages[0].parties).toEqual([
      expect.objectContaining({ party: 'hr', quorum: 2 }),
    ]);
    const first = await handle.executeUpdate(decideUpdate, {
      args: [decision('hr', 'hr@example.com', { conditions: ['clean laptop only'] })],
    });
    expect(first.status).toBe('pending');
    expect(first.stages[0].approvals[0]).toMatchObject({
      status: 'pending',
      quorum: 2,
      conditions: ['clean laptop only'],
    });
    expect(first.stages[0].approvals[0].approvedBy.map((v) => v.by)).toEqual(['hr@example.com']);
    expect(await refusal(handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] }))).toBe(
      'ALREADY_APPROVED',
    );
    const second = await handle.executeUpdate(decideUpdate, {
      args: [decision('hr', 'hr-lead@example.com', { conditions: ['debrief within 5 days'] })],
    });
    expect(second.status).toBe('approved');
    expect(second.stages[0].approvals[0]).toMatchObject({
      status: 'approved',
      decidedBy: 'hr-lead@example.com',
      conditions: ['clean laptop only', 'debrief within 5 days'],
    });
  });

  it('should remind, escalate to the leads and expire on durable timers, throttled, from policy data', async () => {
    const policy = testPolicy((p) => {
      for (const party of ['hr', 'security'] as const) {
        p.parties[party].deadlines = {
          reminderAfter: '1s',
          reminderEvery: '1s',
          escalateAfter: '2500ms',
          expireAfter: '4s',
        };
      }
    });
    const { requestId, handle } = await start('passport_release', 'core', {}, policy);
    await handle.executeUpdate(decideUpdate, { args: [decision('security', 'security@example.com')] });
    const final = await handle.result();
    expect(final.status).toBe('expired');
    expect(final.stages[0].status).toBe('cancelled');
    const hrNotices = (notified.get(requestId) ?? [])
      .filter((n) => n.party === 'hr')
      .map((n) => `${n.kind}#${n.sequence}`);
    // Reminders at 1s, 2s and 3s (one per interval), the escalation at 2.5s, expiry at 4s.
    expect(hrNotices).toEqual(['approval#1', 'reminder#1', 'reminder#2', 'escalation#1', 'reminder#3']);
    // Security decided at once: no reminder, no escalation for it.
    expect((notified.get(requestId) ?? []).filter((n) => n.party === 'security').map((n) => n.kind)).toEqual([
      'approval',
    ]);
    expect(outcomes.get(requestId)).toEqual(['expired']);
  });

  it('should stop the deadlines of a party once it decides and restart them with a new round', async () => {
    const policy = testPolicy((p) => {
      p.parties.hr.deadlines = {
        reminderAfter: '1500ms',
        reminderEvery: '10s',
        escalateAfter: '20s',
        expireAfter: '30s',
      };
    });
    const { requestId, handle } = await start(
      'conference',
      'standard',
      { technologyAreas: ['none'], dataCategories: ['none'], details: { eventName: 'E', presenting: false } },
      policy,
    );
    expect((await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] })).status).toBe(
      'approved',
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect((notified.get(requestId) ?? []).map((n) => n.kind)).toEqual(['approval']);
  });

  /** The history's events by type and its activities by name, for the cost of a cycle. */
  async function historyCost(handle: WorkflowHandle) {
    const events = (await handle.fetchHistory()).events ?? [];
    const activities = events
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter((n): n is string => !!n);
    const count = (has: (e: (typeof events)[number]) => unknown) => events.filter((e) => has(e)).length;
    return {
      events: events.length,
      activities: activities.reduce<Record<string, number>>((n, a) => ({ ...n, [a]: (n[a] ?? 0) + 1 }), {}),
      timersStarted: count((e) => e.timerStartedEventAttributes),
      upserts: count((e) => e.upsertWorkflowSearchAttributesEventAttributes),
      markers: count((e) => e.markerRecordedEventAttributes),
      /** The most timers running at once. */
      timersAtOnce: events.reduce(
        (acc, e) => {
          const running =
            acc.running +
            (e.timerStartedEventAttributes ? 1 : 0) -
            (e.timerFiredEventAttributes || e.timerCanceledEventAttributes ? 1 : 0);
          return { running, most: Math.max(acc.most, running) };
        },
        { running: 0, most: 0 },
      ).most,
    };
  }

  it('should decide a four-party stage in one email step and write concurrent decisions in coalesced steps', async () => {
    const { requestId, handle } = await start('departure_abroad');
    expect((await notifiedParties(requestId, 4)).sort()).toEqual([
      ['data_governance', 1],
      ['hr', 1],
      ['legal', 1],
      ['security', 1],
    ]);
    const answers = await Promise.all(
      (
        [
          ['hr', 'hr@example.com'],
          ['legal', 'legal@example.com'],
          ['security', 'security@example.com'],
          ['data_governance', 'datagov@example.com'],
        ] as const
      ).map(([party, email]) => handle.executeUpdate(decideUpdate, { args: [decision(party, email)] })),
    );
    // Each Update answers once its own state is written, or (a decision that left the stage open) with
    // `unprojected`, for the API to write (`decisions-written-by-the-api`).
    for (const answer of answers.filter((a) => !a.unprojected)) {
      expect(projected.get(requestId)!.some((p) => p.state.seq >= answer.seq)).toBe(true);
    }
    expect((await handle.result()).status).toBe('approved');
    expect(outcomes.get(requestId)).toEqual(['approved']);

    // Every state written once, in order, each decision with its own state.
    const seqs = projected.get(requestId)!.map((p) => p.state.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(
      projected
        .get(requestId)!
        .filter((p) => p.decision)
        .map((p) => p.decision!.party)
        .sort(),
    ).toEqual(['data_governance', 'hr', 'legal', 'security']);

    const cost = await historyCost(handle);
    expect(cost.activities.submitRequest).toBe(1);
    expect(cost.activities.notifyParties).toBe(1);
    expect(cost.activities.notifyRequester).toBe(1);
    expect(cost.activities.projectStates).toBeLessThanOrEqual(4);
    for (const before of ['screenCounterparties', 'recordSubmission', 'notifyParty', 'projectState']) {
      expect(cost.activities[before]).toBeUndefined();
    }
    expect(cost.timersAtOnce).toBeLessThanOrEqual(1);
    // The `cheaper-cycle` and `decisions-written-by-the-api` markers (with their search-attribute upserts),
    // the status at submission and at approval.
    expect(cost.markers).toBe(2);
    expect(cost.upserts).toBeLessThanOrEqual(4);
  });

  it('should answer a decision that leaves its stage open at once, and write it with the one that closes the stage', async () => {
    const { requestId, handle } = await start('departure_abroad');
    await notifiedParties(requestId, 4);
    const parties = [
      ['hr', 'hr@example.com'],
      ['legal', 'legal@example.com'],
      ['security', 'security@example.com'],
    ] as const;
    const writtenBefore = projected.get(requestId)?.length ?? 0;
    for (const [party, email] of parties) {
      const answer = await handle.executeUpdate(decideUpdate, { args: [decision(party, email)] });
      // The state the decision made, for the API to write; the workflow has not written it.
      expect(answer.unprojected).toBe(true);
      expect(answer.status).toBe('pending');
      expect(findApproval(answer, party)?.status).toBe('approved');
      expect(projected.get(requestId)?.length ?? 0).toBe(writtenBefore);
    }
    const last = await handle.executeUpdate(decideUpdate, {
      args: [decision('data_governance', 'datagov@example.com')],
    });
    // The stage's last decision is written before it answers, with the three before it, in order.
    expect(last.unprojected).toBeUndefined();
    const written = projected.get(requestId)!.slice(writtenBefore);
    expect(written.map((w) => w.decision?.party)).toEqual(['hr', 'legal', 'security', 'data_governance']);
    expect(written.map((w) => w.state.seq)).toEqual([...written.map((w) => w.state.seq)].sort((a, b) => a - b));
    expect((await handle.result()).status).toBe('approved');

    const cost = await historyCost(handle);
    // A decision that leaves the stage open costs its Update and one workflow task: no activity of its own.
    expect(cost.activities.projectStates).toBe(1);
    expect(cost.activities.submitRequest).toBe(1);
    expect(cost.activities.notifyParties).toBe(1);
    expect(cost.activities.notifyRequester).toBe(1);
    expect(Object.values(cost.activities).reduce((a, b) => a + b, 0)).toBe(4);
    // 64 measured: start and two patch markers 9, submission 6, the stage's email 8, its timer 2, three
    // decisions 5 each, the last one 13, the outcome email 6, the archive 5, completion 1 (was 75).
    expect(cost.events).toBeLessThanOrEqual(64);
  });

  it('should write a decision the API did not write when the API asks it to catch up', async () => {
    const { requestId, handle } = await start('departure_abroad');
    await notifiedParties(requestId, 4);
    const writtenBefore = projected.get(requestId)?.length ?? 0;
    const answer = await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    expect(answer.unprojected).toBe(true);
    expect(projected.get(requestId)?.length ?? 0).toBe(writtenBefore);
    // The API lost that answer: it asks the workflow to write what it holds, and the decision is written.
    const state = await handle.executeUpdate(catchUpUpdate, { args: [{ askedAt: new Date().toISOString() }] });
    expect(state.seq).toBe(answer.seq);
    const written = projected.get(requestId)!.slice(writtenBefore);
    expect(written.map((w) => [w.decision?.party, w.decision?.actorEmail, w.state.seq])).toEqual([
      ['hr', 'hr@example.com', answer.seq],
    ]);
    // Nothing left to write: a second catch-up writes nothing.
    await handle.executeUpdate(catchUpUpdate, { args: [{ askedAt: new Date().toISOString() }] });
    expect(projected.get(requestId)!.length).toBe(writtenBefore + 1);
    await handle.terminate('done');
  });

  it('should write a decision the API did not write by the first reminder after it', async () => {
    const policy = testPolicy((p) => {
      for (const party of ['hr', 'security'] as const) {
        p.parties[party].deadlines = {
          reminderAfter: '1500ms',
          reminderEvery: '10s',
          escalateAfter: '20s',
          expireAfter: '30s',
        };
      }
    });
    const { requestId, handle } = await start('passport_release', 'core', {}, policy);
    await notifiedParties(requestId, 2);
    const writtenBefore = projected.get(requestId)?.length ?? 0;
    // The API stops before it writes the answer: only the history holds the decision.
    const answer = await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    expect(answer.unprojected).toBe(true);
    expect(projected.get(requestId)?.length ?? 0).toBe(writtenBefore);
    // Security is reminded at 1.5 s; hr's decision is written before the reminder goes out.
    const deadline = Date.now() + 20_000;
    while (!(notified.get(requestId) ?? []).some((n) => n.kind === 'reminder') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const reminded = (notified.get(requestId) ?? []).filter((n) => n.kind === 'reminder').map((n) => n.party);
    expect(reminded).toEqual(['security']);
    const written = projected.get(requestId)!.slice(writtenBefore);
    expect(written.map((w) => [w.decision?.party, w.state.seq])).toEqual([['hr', answer.seq]]);
    const last = await handle.executeUpdate(decideUpdate, { args: [decision('security', 'security@example.com')] });
    expect(last.status).toBe('approved');
  });

  it("should keep a stage's deadlines on one timer at a time and remind the parties due together in one step", async () => {
    const policy = testPolicy((p) => {
      for (const party of ['hr', 'security'] as const) {
        p.parties[party].deadlines = {
          reminderAfter: '1s',
          reminderEvery: '1s',
          escalateAfter: '2500ms',
          expireAfter: '4s',
        };
      }
    });
    const { requestId, handle } = await start('passport_release', 'core', {}, policy);
    expect((await handle.result()).status).toBe('expired');
    const noticesOf = (party: Party) =>
      (notified.get(requestId) ?? []).filter((n) => n.party === party).map((n) => `${n.kind}#${n.sequence}`);
    // Reminders at 1s, 2s and 3s, the escalation at 2.5s, expiry at 4s: for both parties alike.
    const expected = ['approval#1', 'reminder#1', 'reminder#2', 'escalation#1', 'reminder#3'];
    expect(noticesOf('hr')).toEqual(expected);
    expect(noticesOf('security')).toEqual(expected);
    expect(outcomes.get(requestId)).toEqual(['expired']);
    const cost = await historyCost(handle);
    expect(cost.timersAtOnce).toBe(1);
    // One timer per moment something falls due, one email step per moment for both parties.
    expect(cost.timersStarted).toBe(5);
    expect(cost.activities.notifyParties).toBe(5);
  });

  it('should record a delegate as deciding on behalf of the absent approver, with four eyes for both', async () => {
    const { handle } = await start('departure_abroad');
    expect(
      await refusal(
        handle.executeUpdate(decideUpdate, { args: [decision('hr', 'carol@example.com', { onBehalfOf: REQUESTER })] }),
      ),
    ).toBe('REQUESTER_CANNOT_DECIDE');
    const state = await handle.executeUpdate(decideUpdate, {
      args: [decision('hr', 'carol@example.com', { onBehalfOf: 'hr@example.com' })],
    });
    expect(state.stages[0].approvals.find((a) => a.party === 'hr')).toMatchObject({
      status: 'approved',
      decidedBy: 'carol@example.com',
      onBehalfOf: 'hr@example.com',
    });
    // Neither the delegate nor the absent approver decides for a second party.
    expect(await refusal(handle.executeUpdate(decideUpdate, { args: [decision('legal', 'carol@example.com')] }))).toBe(
      'DECIDED_FOR_ANOTHER_PARTY',
    );
    expect(
      await refusal(
        handle.executeUpdate(decideUpdate, {
          args: [decision('legal', 'dave@example.com', { onBehalfOf: 'hr@example.com' })],
        }),
      ),
    ).toBe('DECIDED_FOR_ANOTHER_PARTY');
  });

  it('should screen counterparties at submission and add legal and security for a hit', async () => {
    const { requestId, initial } = await start('conference', 'standard', {
      technologyAreas: ['none'],
      dataCategories: ['none'],
      details: { eventName: 'E', presenting: false },
      counterparties: [
        { name: 'Restricted Labs', country: 'CN' },
        { name: 'Clean Org', country: 'US' },
      ],
    });
    expect(initial.stages[0].approvals.map((a) => a.party)).toEqual(['hr', 'legal', 'security']);
    const { plan } = submissions.get(requestId)!;
    expect(plan.screeningHits).toEqual([
      expect.objectContaining({ counterparty: 'Restricted Labs', entryName: 'RESTRICTED RESEARCH INSTITUTE' }),
    ]);
    expect(plan.stages[0].parties.find((p) => p.party === 'legal')!.reasons).toEqual([
      'counterparty "Restricted Labs" matches restricted party "RESTRICTED RESEARCH INSTITUTE"',
    ]);
    expect(((await notifiedParties(requestId, 3)).map(([p]) => p) as string[]).sort()).toEqual([
      'hr',
      'legal',
      'security',
    ]);
    expect(notified.get(requestId)![0].screeningHits).toHaveLength(1);
  });

  // Its golden history (refuse-the-requester-s-manager-on-a-departure-and-a-counterp.json) was recorded when a
  // counterparty's contact was still refused; the validator does not run on replay, so it replays unchanged.
  it("should refuse the requester's manager on a departure in the validator, and never a counterparty's contact", async () => {
    const { handle } = await start('departure_abroad', 'standard', {
      counterparties: [{ name: 'Lab Abroad', country: 'SG', contactEmail: 'legal@example.com' }],
    });
    expect(await refusal(handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr-lead@example.com')] }))).toBe(
      'CONFLICT_OF_INTEREST',
    );
    expect(
      await refusal(
        handle.executeUpdate(decideUpdate, {
          args: [decision('hr', 'carol@example.com', { onBehalfOf: 'hr-lead@example.com' })],
        }),
      ),
    ).toBe('CONFLICT_OF_INTEREST');
    // what the requester writes removes nobody: the named contact decides like any member
    const state = await handle.executeUpdate(decideUpdate, { args: [decision('legal', 'legal@example.com')] });
    expect(state.stages[0].approvals.find((a) => a.party === 'legal')!.status).toBe('approved');
  });

  /** The requester records an authority's grant, valid well past any test trip. */
  const grant = (kind: string, extra: Partial<RecordAuthorizationInput> = {}): RecordAuthorizationInput => ({
    kind,
    actorEmail: REQUESTER,
    asAdmin: false,
    at: new Date().toISOString(),
    status: 'granted',
    reference: 'EXIT-1',
    validUntil: '2099-12-31',
    ...extra,
  });

  it('should wait for the external authorization once every party approved, then approve on its grant or reject on its refusal', async () => {
    const { handle } = await start('conference', 'core', { ...PLAIN });
    const initial = await handle.query(stateQuery);
    expect(initial.authorizations!.map((a) => [a.kind, a.status, a.blocks])).toEqual([
      ['official_exit_approval', 'required', 'approval'],
    ]);
    await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    const waiting = await handle.executeUpdate(decideUpdate, { args: [decision('security', 'security@example.com')] });
    expect(waiting.status).toBe('awaiting_authorization');
    // Someone else, or a kind that does not apply, is refused by the validator and leaves no trace.
    expect(
      await refusal(
        handle.executeUpdate(recordAuthorizationUpdate, {
          args: [grant('official_exit_approval', { actorEmail: 'bob@example.com' })],
        }),
      ),
    ).toBe('NOT_REQUESTER');
    expect(
      await refusal(handle.executeUpdate(recordAuthorizationUpdate, { args: [grant('data_export_assessment')] })),
    ).toBe('AUTHORIZATION_NOT_REQUIRED');
    const applied = await handle.executeUpdate(recordAuthorizationUpdate, {
      args: [grant('official_exit_approval', { status: 'applied', validUntil: null })],
    });
    expect(applied.status).toBe('awaiting_authorization');
    const approved = await handle.executeUpdate(recordAuthorizationUpdate, { args: [grant('official_exit_approval')] });
    expect(approved.status).toBe('approved');
    expect(approved.authorizations![0]).toMatchObject({ status: 'granted', reference: 'EXIT-1' });

    const other = await start('conference', 'core', { ...PLAIN });
    await other.handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    await other.handle.executeUpdate(decideUpdate, { args: [decision('security', 'security@example.com')] });
    const rejected = await other.handle.executeUpdate(recordAuthorizationUpdate, {
      args: [
        grant('official_exit_approval', {
          status: 'refused',
          reason: 'not this year',
          asAdmin: true,
          actorEmail: 'admin@example.com',
        }),
      ],
    });
    expect(rejected.status).toBe('rejected');
    expect((await other.handle.result()).status).toBe('rejected');
  });

  it('should remind the requester on durable timers while an external authorization is outstanding', async () => {
    const policy = testPolicy((p) => {
      p.afterApproval = { ...p.afterApproval!, reminderEvery: '1s' };
    });
    const { requestId, handle } = await start('conference', 'core', { ...PLAIN }, policy);
    await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    const waiting = await handle.executeUpdate(decideUpdate, { args: [decision('security', 'security@example.com')] });
    expect(waiting.status).toBe('awaiting_authorization');
    await eventually(() => (obligationNotices.get(requestId) ?? []).length >= 2, 'two reminders');
    expect((obligationNotices.get(requestId) ?? []).slice(0, 2)).toEqual([
      'reminder:authorization-official_exit_approval#1',
      'reminder:authorization-official_exit_approval#2',
    ]);
    const approved = await handle.executeUpdate(recordAuthorizationUpdate, { args: [grant('official_exit_approval')] });
    expect(approved.status).toBe('approved');
    const count = (obligationNotices.get(requestId) ?? []).length;
    await new Promise((r) => setTimeout(r, 1500));
    // No more authorization reminders once granted (obligation reminders may follow later).
    expect((obligationNotices.get(requestId) ?? []).slice(count).filter((n) => n.includes('authorization-'))).toEqual(
      [],
    );
  });

  it('should expire a grant that ends before the return on a durable timer: a waiting request keeps waiting, an approved one must renew it', async () => {
    const policy = testPolicy((p) => {
      p.afterApproval = { ...p.afterApproval!, reminderEvery: '1h', escalateAfter: '2h' };
    });
    const { requestId, handle, request } = await start('conference', 'core', { ...PLAIN }, policy);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    await handle.executeUpdate(decideUpdate, { args: [decision('security', 'security@example.com')] });
    // Granted, but only until yesterday: it never counted, and now it has expired.
    const short = await handle.executeUpdate(recordAuthorizationUpdate, {
      args: [grant('official_exit_approval', { validUntil: yesterday })],
    });
    expect(short.status).toBe('awaiting_authorization');
    const expired = await eventuallyState(handle, (s) => s.authorizations![0].status === 'expired');
    expect(expired.status).toBe('awaiting_authorization');
    expect(expired.authorizations![0].status).toBe('expired');
    // the query sees the state as soon as it is committed; its projection write follows
    await eventually(
      () => (projected.get(requestId) ?? []).some((p) => p.expiry?.kind === 'official_exit_approval'),
      'the expiry projected',
    );
    await eventually(
      () => (obligationNotices.get(requestId) ?? []).includes('expired:authorization-official_exit_approval#1'),
      'the expiry notice',
    );
    // Renewed through the return: approved.
    const approved = await handle.executeUpdate(recordAuthorizationUpdate, {
      args: [grant('official_exit_approval', { validUntil: request.returnDate })],
    });
    expect(approved.status).toBe('approved');
    await eventuallyState(handle, (s) => s.obligations.length > 0);
    // The authority shortened it after approval: once it expires, renewing it is an overdue obligation.
    await handle.executeUpdate(recordAuthorizationUpdate, {
      args: [
        grant('official_exit_approval', { validUntil: yesterday, asAdmin: true, actorEmail: 'admin@example.com' }),
      ],
    });
    const renew = await eventuallyState(handle, (s) =>
      s.obligations.some((o) => o.kind === 'authorization-official_exit_approval' && o.status === 'overdue'),
    );
    expect(renew.status).toBe('approved');
    expect(renew.obligations.find((o) => o.kind === 'authorization-official_exit_approval')!.label).toBe(
      'Renew Official exit approval',
    );
    const renewed = await handle.executeUpdate(recordAuthorizationUpdate, {
      args: [grant('official_exit_approval', { validUntil: request.returnDate, reference: 'EXIT-2' })],
    });
    expect(renewed.obligations.find((o) => o.kind === 'authorization-official_exit_approval')!.status).toBe(
      'fulfilled',
    );
    const fulfilment = (kind: string) => ({
      kind,
      actorEmail: REQUESTER,
      at: kind === 'debrief' ? '2027-12-31T00:00:00.000Z' : new Date().toISOString(),
    });
    for (const o of renewed.obligations.filter((x) => x.status !== 'fulfilled')) {
      await handle.executeUpdate(fulfilObligationUpdate, { args: [fulfilment(o.kind)] });
    }
    expect((await handle.result()).status).toBe('closed');
  });

  it("should record a material's file by its hash, for the requester only and only for a declared material", async () => {
    const manifest = { devices: [], materials: [{ title: 'Scaling laws', published: false }] };
    const { handle } = await start('conference', 'standard', { ...PLAIN, manifest });
    const sha256 = 'a'.repeat(64);
    const attach = (extra: Record<string, unknown> = {}) => ({
      index: 0,
      actorEmail: REQUESTER,
      at: new Date().toISOString(),
      sha256,
      contentType: 'application/pdf',
      sizeBytes: 1234,
      ...extra,
    });
    expect(
      await refusal(
        handle.executeUpdate(attachMaterialDocumentUpdate, { args: [attach({ actorEmail: 'hr@example.com' })] }),
      ),
    ).toBe('NOT_REQUESTER');
    expect(await refusal(handle.executeUpdate(attachMaterialDocumentUpdate, { args: [attach({ index: 3 })] }))).toBe(
      'MATERIAL_NOT_DECLARED',
    );
    const attached = await handle.executeUpdate(attachMaterialDocumentUpdate, { args: [attach()] });
    expect(attached.materialDocuments).toEqual([
      expect.objectContaining({ index: 0, title: 'Scaling laws', sha256, uploadedBy: REQUESTER }),
    ]);
    await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    const decided = await handle.executeUpdate(decideUpdate, {
      args: [decision('data_governance', 'datagov@example.com')],
    });
    expect(decided.status).toBe('approved');
    const withObligations = await eventuallyState(handle, (s) => s.obligations.length > 0);
    for (const o of withObligations.obligations) {
      await handle.executeUpdate(fulfilObligationUpdate, {
        args: [{ kind: o.kind, actorEmail: REQUESTER, at: '2027-12-31T00:00:00.000Z' }],
      });
    }
    const final = await handle.result();
    expect(final.status).toBe('closed');
    expect(final.materialDocuments![0].sha256).toBe(sha256);
  });

  it('should chase overdue obligations, reminding the requester and escalating to security, until all are met', async () => {
    const policy = testPolicy((p) => {
      p.afterApproval = { ...p.afterApproval!, trainingDueBefore: '60d', reminderEvery: '1s', escalateAfter: '1500ms' };
    });
    const { requestId, handle } = await start('conference', 'core', { ...PLAIN }, policy);
    // A core employee travels once the official exit approval is granted (the default policy's; see above):
    // granted before the parties decide, so the request is approved at once and only obligations are chased.
    await handle.executeUpdate(recordAuthorizationUpdate, { args: [grant('official_exit_approval')] });
    await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    await handle.executeUpdate(decideUpdate, { args: [decision('security', 'security@example.com')] });
    const overdue = await eventuallyState(handle, (s) => s.obligations.some((o) => o.status === 'overdue'));
    expect(overdue.obligations.map((o) => [o.kind, o.status])).toEqual([
      ['training', 'overdue'],
      ['debrief', 'open'],
    ]);
    // two reminders and the escalation, however slowly a loaded machine runs the 1 s timers
    await eventually(() => (obligationNotices.get(requestId) ?? []).length >= 3, 'two reminders and an escalation');
    expect((obligationNotices.get(requestId) ?? []).slice(0, 3)).toEqual([
      'reminder:training#1',
      'reminder:training#2',
      'escalation:training#1',
    ]);
    // training now; the debrief as recorded after the trip (it waits for the return date)
    const fulfilment = (kind: string) => ({
      kind,
      actorEmail: REQUESTER,
      at: kind === 'debrief' ? '2027-12-31T00:00:00.000Z' : new Date().toISOString(),
    });
    await handle.executeUpdate(fulfilObligationUpdate, { args: [fulfilment('training')] });
    const count = (obligationNotices.get(requestId) ?? []).length;
    await new Promise((r) => setTimeout(r, 1500));
    expect((obligationNotices.get(requestId) ?? []).length).toBe(count);
    const closed = await handle.executeUpdate(fulfilObligationUpdate, { args: [fulfilment('debrief')] });
    expect(closed.status).toBe('closed');
  });

  it('should reopen an obligation recorded by mistake and chase it again until it is met once more', async () => {
    const policy = testPolicy((p) => {
      p.afterApproval = { ...p.afterApproval!, trainingDueBefore: '60d', reminderEvery: '1s', escalateAfter: '1h' };
    });
    const { requestId, handle } = await start('conference', 'core', { ...PLAIN }, policy);
    await handle.executeUpdate(recordAuthorizationUpdate, { args: [grant('official_exit_approval')] });
    await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    await handle.executeUpdate(decideUpdate, { args: [decision('security', 'security@example.com')] });
    await eventuallyState(handle, (s) => s.obligations.some((o) => o.status === 'overdue'));
    const at = () => new Date().toISOString();
    await handle.executeUpdate(fulfilObligationUpdate, {
      args: [{ kind: 'training', actorEmail: REQUESTER, at: at() }],
    });
    const remindedBefore = (obligationNotices.get(requestId) ?? []).length;

    const correction = { kind: 'training', actorEmail: REQUESTER, asSecurity: false, reason: 'not attended', at: at() };
    // the rule of record: a reason, a recorded obligation, the requester or security
    expect(
      await refusal(
        handle.executeUpdate(correctObligationUpdate, { args: [{ ...correction, actorEmail: 'hr@example.com' }] }),
      ),
    ).toBe('NOT_REQUESTER');
    expect(
      await refusal(handle.executeUpdate(correctObligationUpdate, { args: [{ ...correction, reason: ' ' }] })),
    ).toBe('COMMENT_REQUIRED');
    expect(
      await refusal(handle.executeUpdate(correctObligationUpdate, { args: [{ ...correction, kind: 'debrief' }] })),
    ).toBe('OBLIGATION_NOT_OPEN');
    const reopened = await handle.executeUpdate(correctObligationUpdate, { args: [correction] });
    // past its due date: overdue again at once, and chased again
    expect(reopened.obligations.find((o) => o.kind === 'training')).toMatchObject({
      status: 'overdue',
      fulfilledBy: null,
    });
    await eventually(
      () => (obligationNotices.get(requestId) ?? []).length > remindedBefore,
      'a reminder for the reopened training',
    );
    expect((obligationNotices.get(requestId) ?? [])[remindedBefore]).toBe('reminder:training#1');

    // security may correct too, but only what is recorded: the training is open again
    expect(
      await refusal(
        handle.executeUpdate(correctObligationUpdate, {
          args: [{ ...correction, actorEmail: 'security@example.com', asSecurity: true }],
        }),
      ),
    ).toBe('OBLIGATION_NOT_OPEN');
    await handle.executeUpdate(fulfilObligationUpdate, {
      args: [{ kind: 'training', actorEmail: REQUESTER, at: at() }],
    });
    const closed = await handle.executeUpdate(fulfilObligationUpdate, {
      args: [{ kind: 'debrief', actorEmail: REQUESTER, at: '2027-12-31T00:00:00.000Z' }],
    });
    expect(closed.status).toBe('closed');
  });

  it('should lapse an approval whose trip has not started within the validity window and ask every party again', async () => {
    const policy = testPolicy((p) => {
      p.afterApproval = { ...p.afterApproval!, approvalValidity: '1s' };
    });
    const { requestId, handle } = await start('overseas_assignment', 'standard', {}, policy);
    const deciders = [
      ['hr', 'hr@example.com'],
      ['security', 'security@example.com'],
      ['legal', 'legal@example.com'],
      ['data_governance', 'datagov@example.com'],
    ] as const;
    for (const [party, who] of deciders) await handle.executeUpdate(decideUpdate, { args: [decision(party, who)] });
    const lapsed = await eventuallyState(handle, (s) => s.status === 'pending');
    expect(lapsed).toMatchObject({ status: 'pending', round: 2, currentStage: 1, obligations: [] });
    expect(lapsed.stages.map((s) => s.approvals.map((a) => a.status))).toEqual([
      ['pending', 'pending'],
      ['waiting', 'waiting'],
    ]);
    expect((await notifiedParties(requestId, 6)).slice(4).sort()).toEqual([
      ['hr', 2],
      ['security', 2],
    ]);
    await handle.executeUpdate(withdrawUpdate, {
      args: [{ actorEmail: REQUESTER, withdrawnAt: new Date().toISOString() }],
    });
  });
  it('should ready the passport on approval and release it only when the custodian hands it out', async () => {
    const requestId = randomUUID();
    inCustody.add(requestId);
    const { handle } = await start('passport_release', 'standard', {}, DEFAULT_POLICY, requestId);
    await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    const approved = await handle.executeUpdate(decideUpdate, { args: [decision('security', 'security@example.com')] });
    expect(approved.status).toBe('approved');
    const withObligation = await eventuallyState(handle, (s) => s.obligations.length > 0);
    expect(withObligation.obligations.map((o) => [o.kind, o.status])).toEqual([['passport_return', 'open']]);

    const custody = env.client.workflow.getHandle(custodyWorkflowIdFor(`passport-${requestId}`, requestId));
    const at = new Date().toISOString();
    expect(
      await refusal(custody.executeUpdate(returnPassportUpdate, { args: [{ by: 'custodian@example.com', at }] })),
    ).toBe('PASSPORT_NOT_READY');
    expect(handOuts.has(requestId)).toBe(false);

    const out = await custody.executeUpdate(handOutPassportUpdate, {
      args: [{ by: 'Custodian@example.com', at, identityChecked: true }],
    });
    expect(out).toMatchObject({ status: 'released', handedOutBy: 'custodian@example.com', handedOutAt: at });
    expect(handOuts.get(requestId)).toMatchObject({
      passportId: `passport-${requestId}`,
      by: 'custodian@example.com',
      dueBackAt: withObligation.obligations[0].dueAt,
    });
    expect(
      await refusal(
        custody.executeUpdate(handOutPassportUpdate, {
          args: [{ by: 'custodian@example.com', at, identityChecked: true }],
        }),
      ),
    ).toBe('PASSPORT_NOT_READY');

    const back = await custody.executeUpdate(returnPassportUpdate, { args: [{ by: 'custodian@example.com', at }] });
    expect(back.status).toBe('in_custody');
    expect((await handle.result()).status).toBe('closed');
    if (process.env.RECORD_HISTORIES) {
      const file = path.join(
        __dirname,
        '../histories',
        'custody-wait-for-the-hand-out-then-release-and-take-back.json',
      );
      fs.writeFileSync(file, `${historyToJSON(await custody.fetchHistory())}\n`);
    }
  });

  it('should lapse a release nobody collected by the end of the return day: the passport stays in custody and the request closes', async () => {
    const requestId = randomUUID();
    inCustody.add(requestId);
    // the trip ended yesterday (the workflow takes the dates as given; the API would refuse them)
    const yesterday = new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
    const { handle } = await start(
      'passport_release',
      'standard',
      { departureDate: yesterday, returnDate: yesterday },
      DEFAULT_POLICY,
      requestId,
    );
    await handle.executeUpdate(decideUpdate, { args: [decision('hr', 'hr@example.com')] });
    expect(
      (await handle.executeUpdate(decideUpdate, { args: [decision('security', 'security@example.com')] })).status,
    ).toBe('approved');
    // the custody workflow starts once the passport is readied, after the approval's answer
    await eventuallyState(handle, (st) => st.obligations.length > 0);
    const custody = env.client.workflow.getHandle(custodyWorkflowIdFor(`passport-${requestId}`, requestId));
    expect(await custody.result()).toMatchObject({
      status: 'in_custody',
      returnedBy: 'not collected: it stayed in custody',
    });
    expect(notCollected.has(requestId)).toBe(true);
    if (process.env.RECORD_HISTORIES) {
      const file = path.join(__dirname, '../histories', 'custody-lapse-a-release-nobody-collected.json');
      fs.writeFileSync(file, `${historyToJSON(await custody.fetchHistory())}\n`);
    }
    expect(handOuts.has(requestId)).toBe(false);
    const closed = await handle.result();
    expect(closed.status).toBe('closed');
    expect(closed.obligations.find((o) => o.kind === 'passport_return')).toMatchObject({
      status: 'fulfilled',
      fulfilledBy: 'not collected: it stayed in custody',
    });
  });
});
