import { randomUUID } from 'node:crypto';
import type { DecideInput } from '@libs/contracts';
import { applyDecision, initialState, type RequestState } from '@libs/domain/approval-state';
import { DEFAULT_POLICY, planRoute } from '@libs/domain/policy';
import type { RequestInput } from '@libs/domain/request';
import { AuditLogRepository, DecisionEntity, RequestProjectionWriter, RequestRepository } from '@libs/persistence';
import { useMigratedDatabase } from '../support/migrated-database';
import { testDatabases } from '../support/databases';
import { requestBody } from '../support/factories';

/**
 * Several Updates applied in one workflow task give several projection writes at once, and they
 * may commit in any order: the stored state must end at the latest, and no decision may be lost.
 */
describe.each(testDatabases())('projection writes out of order on $name', (database) => {
  let projection: RequestProjectionWriter;
  let requests: RequestRepository;

  const db = useMigratedDatabase(database);

  beforeAll(async () => {
    projection = new RequestProjectionWriter(db.dataSource);
    requests = new RequestRepository(db.dataSource);
  });

  const decide = (state: RequestState, party: 'hr' | 'legal', at: string): [RequestState, DecideInput] => {
    const decision: DecideInput = {
      party,
      decision: 'approve',
      actorEmail: `${party}@example.com`,
      decidedAt: at,
      via: 'api',
    };
    return [applyDecision(state, decision), decision];
  };

  async function submit(): Promise<RequestState> {
    const requestId = randomUUID();
    const request = requestBody('conference') as RequestInput;
    const plan = planRoute({ request, tier: 'core', screeningHits: [] }, DEFAULT_POLICY);
    const submitted = initialState(requestId, 'alice@example.com', plan);
    await projection.recordSubmission(
      {
        workflow: {
          requestId,
          request,
          requester: { email: 'alice@example.com', name: 'Alice Kim', tier: 'core' },
          policy: DEFAULT_POLICY,
          submittedAt: new Date().toISOString(),
          idempotencyKey: null,
          bodyHash: 'x',
        },
        plan,
        state: submitted,
      },
      new Date().toISOString(),
    );
    return submitted;
  }

  it('should keep every decision and its audit entry when a later state was written first', async () => {
    const submitted = await submit();
    const requestId = submitted.requestId;
    const [afterHr, hr] = decide(submitted, 'hr', '2026-11-22T08:00:00.000Z');
    const [afterLegal, legal] = decide(afterHr, 'legal', '2026-11-22T08:00:01.000Z');
    expect(afterLegal.seq).toBeGreaterThan(afterHr.seq);

    // the later write commits first; the earlier one arrives stale, then both are retried
    await expect(
      projection.projectState({ state: afterLegal, decision: legal }, new Date().toISOString()),
    ).resolves.toBe(true);
    await expect(projection.projectState({ state: afterHr, decision: hr }, new Date().toISOString())).resolves.toBe(
      false,
    );
    await projection.projectState({ state: afterLegal, decision: legal }, new Date().toISOString());
    await projection.projectState({ state: afterHr, decision: hr }, new Date().toISOString());

    const stored = await requests.findById(requestId);
    expect(stored!.request.seq).toBe(afterLegal.seq);
    const decisions = await db.dataSource.getRepository(DecisionEntity).findBy({ requestId });
    expect(decisions.map((d) => d.party).sort()).toEqual(['hr', 'legal']);
    const proof = await new AuditLogRepository(db.dataSource).proofFor(requestId);
    const recorded = proof.rows.filter((r) => r.event === 'decision.recorded');
    expect(recorded.map((r) => (r.payload as { party: string }).party).sort()).toEqual(['hr', 'legal']);
    expect((await new AuditLogRepository(db.dataSource).verify()).ok).toBe(true);
  });

  /**
   * A decision that leaves its stage open is written by two writers (`decisions-written-by-the-api`):
   * the API from the Update's answer, and the workflow with its next write (its batch, oldest first).
   * Both at once, in every order: each decision and its audit entry once, the chain intact.
   */
  it('should keep each decision once when the API and the workflow write it at the same time', async () => {
    const audit = new AuditLogRepository(db.dataSource);
    for (let round = 0; round < 6; round += 1) {
      const submitted = await submit();
      const [afterHr, hr] = decide(submitted, 'hr', '2026-11-22T08:00:00.000Z');
      const [afterLegal, legal] = decide(afterHr, 'legal', '2026-11-22T08:00:01.000Z');
      const now = () => new Date().toISOString();
      const api = () => projection.projectState({ state: afterHr, decision: hr }, now());
      const workflow = async () => {
        await projection.projectState({ state: afterHr, decision: hr }, now());
        await projection.projectState({ state: afterLegal, decision: legal }, now());
      };
      await Promise.all(round % 2 === 0 ? [api(), workflow()] : [workflow(), api()]);
      const stored = await requests.findById(submitted.requestId);
      expect(stored!.request.seq).toBe(afterLegal.seq);
      const decisions = await db.dataSource.getRepository(DecisionEntity).findBy({ requestId: submitted.requestId });
      expect(decisions.map((d) => d.party).sort()).toEqual(['hr', 'legal']);
      const recorded = (await audit.proofFor(submitted.requestId)).rows.filter((r) => r.event === 'decision.recorded');
      expect(recorded.map((r) => (r.payload as { party: string }).party).sort()).toEqual(['hr', 'legal']);
    }
    expect((await audit.verify()).ok).toBe(true);
  });
});
