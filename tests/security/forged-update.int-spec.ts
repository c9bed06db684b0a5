import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, ValueError } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { custodyWorkflowIdFor, workflowIdFor, type RequestWorkflowInput } from '@libs/contracts';
import { DEFAULT_POLICY } from '@libs/domain/policy';
import type { RequestInput } from '@libs/domain/request';
import { UpdateProofs } from '@libs/crypto';
import { AuditLogEntity } from '@libs/persistence/entities';
import { testDatabases } from '../support/databases';
import { eventually } from '../support/eventually';
import { daysFromNow, depositPassport, requestBody } from '../support/factories';
import { useBareTemporalClient, useSystem } from '../support/system';
import { grantAuthorizations } from '../support/authorizations';

/**
 * Issue 12, attack 6: someone with network reach to the Temporal frontend (no API token, no
 * encryption key) sends the request workflow an Update of the right shape, for the right party and
 * round, under any name, with a bare Temporal client (no payload codec). Only the API may decide:
 * the forgery is refused before anything else, leaves no UpdateAccepted in the history, no audit
 * entry, and the request view does not change. The same holds for amend and withdraw, for the
 * custody workflow's returnPassport Update, and a forged passportReturned signal is ignored.
 */
describe.each(testDatabases())('a forged Update from outside the API is refused on $name', (database) => {
  const used = useSystem(database);
  const { http } = used;
  const bare = useBareTemporalClient(used);

  const view = async (id: string) => (await http.as('auditor@example.com', 'GET', `/api/requests/${id}`)).body;
  const auditRows = (id: string) =>
    used.system.app
      .get(DataSource)
      .getRepository(AuditLogEntity)
      .find({ where: { requestId: id }, order: { seq: 'ASC' } });
  const submit = async (email: string, body: Record<string, unknown>) => {
    const res = await http.as(email, 'POST', '/api/requests', body);
    expect(res.status).toBe(201);
    return res.body;
  };

  /** The updateIds the workflow accepted, read from its history. */
  async function acceptedUpdateIds(workflowId: string): Promise<string[]> {
    const history = await bare.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? [])
      .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId)
      .filter((id): id is string => !!id);
  }

  /** Waits until a workflow task completed after the last signal arrived: the signal has been handled. */
  async function signalHandled(workflowId: string): Promise<void> {
    await eventually(async () => {
      const events = (await bare.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      const signalled = events.map((e) => !!e.workflowExecutionSignaledEventAttributes).lastIndexOf(true);
      return signalled >= 0 && events.slice(signalled).some((e) => !!e.workflowTaskCompletedEventAttributes);
    }, 'the signal to be handled');
  }

  /** Sends an Update the way an attacker would, and answers the refusal's code (or 'accepted'). */
  async function forge(workflowId: string, name: string, arg: Record<string, unknown>, updateId: string) {
    try {
      await bare.workflow.getHandle(workflowId).executeUpdate(name, { args: [arg], updateId });
      return 'accepted';
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        return error.cause.type;
      }
      // Accepted and applied: the answer is encrypted by the worker, which the bare client cannot read.
      if (error instanceof ValueError && /binary\/encrypted/.test(error.message)) return 'accepted';
      throw error;
    }
  }

  it('should record nothing of a request workflow started from outside the API with a key of its own', async () => {
    const requestId = randomUUID();
    const input: RequestWorkflowInput = {
      requestId,
      request: requestBody('conference') as unknown as RequestInput,
      requester: { email: 'alice@example.com', name: 'Alice', tier: 'core' },
      policy: DEFAULT_POLICY,
      submittedAt: new Date().toISOString(),
      idempotencyKey: null,
      bodyHash: 'forged',
      proofKey: randomBytes(32).toString('hex'),
    };
    const handle = await bare.workflow.start('requestApprovalWorkflow', {
      taskQueue: used.system.config.temporal.taskQueue,
      workflowId: workflowIdFor(requestId),
      args: [input],
    });
    await expect(handle.result()).rejects.toThrow();
    expect((await http.as('auditor@example.com', 'GET', `/api/requests/${requestId}`)).status).toBe(404);
    expect(await auditRows(requestId)).toEqual([]);
  });

  it('should refuse a forged decision for the right party and round, and leave no trace', async () => {
    const request = await submit('alice@example.com', requestBody('conference'));
    const before = await view(request.id);
    const rowsBefore = await auditRows(request.id);

    const decision = {
      party: 'hr',
      decision: 'approve',
      actorEmail: 'nobody@evil.test',
      onBehalfOf: null,
      comment: null,
      conditions: [],
      decidedAt: new Date().toISOString(),
      via: 'api',
      round: 1,
    };
    const workflowId = workflowIdFor(request.id);
    expect(await forge(workflowId, 'decide', decision, 'forged-decide')).toBe('UPDATE_NOT_FROM_API');
    // A proof made up by the forger is no better than none.
    expect(await forge(workflowId, 'decide', { ...decision, proof: 'a'.repeat(64) }, 'forged-proof')).toBe(
      'UPDATE_NOT_FROM_API',
    );

    expect(await view(request.id)).toEqual(before);
    const accepted = await acceptedUpdateIds(workflowId);
    expect(accepted).not.toContain('forged-decide');
    expect(accepted).not.toContain('forged-proof');
    const rows = await auditRows(request.id);
    expect(rows).toHaveLength(rowsBefore.length);
    expect(JSON.stringify(rows)).not.toContain('nobody@evil.test');

    // The API's own decision still goes through.
    const real = await http.as('hr@example.com', 'POST', `/api/requests/${request.id}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    expect(real.status).toBe(200);
    expect(real.body.stages[0].approvals.find((a: any) => a.party === 'hr')).toMatchObject({
      status: 'approved',
      decidedBy: 'hr@example.com',
    });
  });

  it('should refuse a forged withdrawal in the requester name', async () => {
    const request = await submit('alice@example.com', requestBody('conference'));
    const workflowId = workflowIdFor(request.id);
    const before = await view(request.id);
    const withdrawal = { actorEmail: 'alice@example.com', withdrawnAt: new Date().toISOString() };
    expect(await forge(workflowId, 'withdraw', withdrawal, 'forged-withdraw')).toBe('UPDATE_NOT_FROM_API');
    expect(await view(request.id)).toEqual(before);
    expect(await acceptedUpdateIds(workflowId)).not.toContain('forged-withdraw');
  });

  it('should refuse a forged catch-up (it would only add to the history), and leave no trace', async () => {
    const request = await submit('alice@example.com', requestBody('conference'));
    const workflowId = workflowIdFor(request.id);
    const before = await view(request.id);
    const askedAt = new Date().toISOString();
    expect(await forge(workflowId, 'catchUp', { askedAt }, 'forged-catch-up')).toBe('UPDATE_NOT_FROM_API');
    expect(await view(request.id)).toEqual(before);
    expect(await acceptedUpdateIds(workflowId)).not.toContain('forged-catch-up');
  });

  it("should refuse a forged grant of an authority's approval in the requester name", async () => {
    const request = await submit('alice@example.com', requestBody('conference'));
    const workflowId = workflowIdFor(request.id);
    const before = await view(request.id);
    const grant = {
      kind: 'official_exit_approval',
      actorEmail: 'alice@example.com',
      asAdmin: true,
      at: new Date().toISOString(),
      status: 'granted',
      authority: 'Exit-entry administration',
      reference: 'FORGED-1',
      validUntil: request.returnDate,
    };
    expect(await forge(workflowId, 'recordAuthorization', grant, 'forged-grant')).toBe('UPDATE_NOT_FROM_API');
    expect(await view(request.id)).toEqual(before);
    expect(await acceptedUpdateIds(workflowId)).not.toContain('forged-grant');
  });

  it("should refuse a forged correction that reopens an obligation in security's name", async () => {
    const request = await submit('alice@example.com', requestBody('conference'));
    const workflowId = workflowIdFor(request.id);
    const before = await view(request.id);
    const correction = {
      kind: 'training',
      actorEmail: 'security@example.com',
      asSecurity: true,
      reason: 'forged',
      at: new Date().toISOString(),
    };
    expect(await forge(workflowId, 'correctObligation', correction, 'forged-correction')).toBe('UPDATE_NOT_FROM_API');
    expect(await view(request.id)).toEqual(before);
    expect(await acceptedUpdateIds(workflowId)).not.toContain('forged-correction');
  });

  it("should refuse a forged material file's hash in the requester name", async () => {
    const request = await submit('alice@example.com', {
      ...requestBody('conference'),
      manifest: { devices: [], materials: [{ title: 'Scaling laws', published: false }] },
    });
    const workflowId = workflowIdFor(request.id);
    const before = await view(request.id);
    const attach = {
      index: 0,
      actorEmail: 'alice@example.com',
      at: new Date().toISOString(),
      sha256: 'a'.repeat(64),
      contentType: 'application/pdf',
      sizeBytes: 1234,
    };
    expect(await forge(workflowId, 'attachMaterialDocument', attach, 'forged-material')).toBe('UPDATE_NOT_FROM_API');
    expect(await view(request.id)).toEqual(before);
    expect(await acceptedUpdateIds(workflowId)).not.toContain('forged-material');
  });

  it('should refuse a forged amendment in the requester name', async () => {
    const request = await submit('alice@example.com', requestBody('conference'));
    const workflowId = workflowIdFor(request.id);
    const sentBack = await http.as('legal@example.com', 'POST', `/api/requests/${request.id}/decisions`, {
      party: 'legal',
      decision: 'request_changes',
      comment: 'name the sessions',
    });
    expect(sentBack.body.status).toBe('changes_requested');
    const before = await view(request.id);
    const rowsBefore = await auditRows(request.id);

    const amendment = {
      actorEmail: 'alice@example.com',
      request: requestBody('conference', { purpose: 'Anything at all' }),
      amendedAt: new Date().toISOString(),
    };
    expect(await forge(workflowId, 'amend', amendment, 'forged-amend')).toBe('UPDATE_NOT_FROM_API');

    expect(await view(request.id)).toEqual(before);
    expect(before).toMatchObject({ status: 'changes_requested', purpose: 'Present a paper' });
    expect(await acceptedUpdateIds(workflowId)).not.toContain('forged-amend');
    expect(await auditRows(request.id)).toHaveLength(rowsBefore.length);
  });

  /** A passport_release approved through the API: its passport is ready for hand-out. */
  async function readyPassport(): Promise<{ requestId: string; passportId: string }> {
    await depositPassport(http, 'alice@example.com');
    const request = await submit(
      'alice@example.com',
      requestBody('passport_release', { departureDate: daysFromNow(20), returnDate: daysFromNow(25) }),
    );
    // alice is core: the exit approval that holds her passport is granted up front
    await grantAuthorizations(http, request);
    await http.as('hr@example.com', 'POST', `/api/requests/${request.id}/decisions`, {
      party: 'hr',
      decision: 'approve',
    });
    const approved = await http.as('security@example.com', 'POST', `/api/requests/${request.id}/decisions`, {
      party: 'security',
      decision: 'approve',
    });
    expect(approved.body.status).toBe('approved');
    const passport = await eventually(async () => {
      const items = (await http.as('custodian@example.com', 'GET', '/api/passports?employee=alice@example.com')).body
        .items;
      return items.find((p: any) => p.releaseRequestId === request.id && p.status === 'ready_for_hand_out');
    }, 'the passport to be ready for hand-out');
    return { requestId: request.id, passportId: passport.id };
  }

  /** The same, handed out by the custodian through the API: out, and its return an open obligation. */
  async function releasedPassport(): Promise<{ requestId: string; passportId: string }> {
    const { requestId, passportId } = await readyPassport();
    await eventually(async () => {
      const out = await http.as('custodian@example.com', 'POST', `/api/passports/${passportId}/hand-out`, {
        requestId,
        identityChecked: true,
      });
      return out.status === 200 ? out : undefined;
    }, 'the hand-out');
    expect(await passportReturn(requestId)).not.toBe('fulfilled');
    return { requestId, passportId };
  }
  const passportReturn = async (requestId: string): Promise<string> =>
    eventually(
      async () => (await view(requestId)).obligations?.find((o: any) => o.kind === 'passport_return')?.status,
      'the passport_return obligation',
    );
  const passportStatus = async (passportId: string) =>
    (await http.as('custodian@example.com', 'GET', '/api/passports?employee=alice@example.com')).body.items.find(
      (p: any) => p.id === passportId,
    ).status;

  it('should refuse a forged hand-out to the custody workflow', async () => {
    const { requestId, passportId } = await readyPassport();
    const custodyId = custodyWorkflowIdFor(passportId, requestId);
    await eventually(
      () =>
        acceptedUpdateIds(custodyId).then(
          () => true,
          () => undefined,
        ),
      'the custody workflow to start',
    );
    const out = { by: 'custodian@example.com', at: new Date().toISOString(), identityChecked: true };
    expect(await forge(custodyId, 'handOutPassport', out, 'forged-hand-out')).toBe('UPDATE_NOT_FROM_API');
    expect(await acceptedUpdateIds(custodyId)).not.toContain('forged-hand-out');
    expect(await passportStatus(passportId)).toBe('ready_for_hand_out');
  });

  it('should refuse a forged passport return to the custody workflow', async () => {
    const { requestId, passportId } = await releasedPassport();
    const custodyId = custodyWorkflowIdFor(passportId, requestId);
    const back = { by: 'custodian@example.com', at: new Date().toISOString() };
    expect(await forge(custodyId, 'returnPassport', back, 'forged-return')).toBe('UPDATE_NOT_FROM_API');
    expect(await acceptedUpdateIds(custodyId)).not.toContain('forged-return');
    expect(await passportStatus(passportId)).toBe('released');
    expect(await passportReturn(requestId)).not.toBe('fulfilled');
  });

  it('should ignore a forged passportReturned signal and still take the custody workflow own', async () => {
    const { requestId, passportId } = await releasedPassport();
    const rowsBefore = await auditRows(requestId);
    // A signal cannot be refused: the request workflow ignores it (and logs it).
    const workflowId = workflowIdFor(requestId);
    await bare.workflow
      .getHandle(workflowId)
      .signal('passportReturned', { passportId, by: 'custodian@example.com', at: new Date().toISOString() });
    await signalHandled(workflowId);
    expect(await passportReturn(requestId)).not.toBe('fulfilled');
    expect(await auditRows(requestId)).toHaveLength(rowsBefore.length);
    expect(await passportStatus(passportId)).toBe('released');

    // The custodian's return through the API goes through, and the custody workflow's own signal counts.
    const returned = await http.as('custodian@example.com', 'POST', `/api/passports/${passportId}/return`, {});
    expect(returned.status).toBe(200);
    await eventually(async () => (await passportReturn(requestId)) === 'fulfilled', 'the obligation to be met');
  });

  it('should not show the proof key to those who may decode histories through the codec server', async () => {
    const request = await submit('alice@example.com', requestBody('conference'));
    const proofKey = used.system.app.get(UpdateProofs).keyFor(request.id);
    const history = await bare.workflow.getHandle(workflowIdFor(request.id)).fetchHistory();
    const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
    const payloads = (history.events ?? []).flatMap((e) =>
      [
        ...(e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
        ...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
      ].map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
        data: b64(p.data),
      })),
    );
    const decoded = await http.as('auditor@example.com', 'POST', '/codec/decode', { payloads });
    expect(decoded.status).toBe(200);
    const texts = decoded.body.payloads.map((p: { data: string }) => Buffer.from(p.data, 'base64').toString());
    expect(texts.some((t: string) => t.includes('Present a paper'))).toBe(true);
    expect(texts.some((t: string) => t.includes('"proofKey":"[redacted]"'))).toBe(true);
    expect(texts.join('\n')).not.toContain(proofKey);
  });
});
