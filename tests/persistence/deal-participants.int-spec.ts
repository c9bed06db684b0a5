import { randomUUID } from 'node:crypto';
import { initialState } from '@libs/domain/approval-state';
import { DEFAULT_POLICY, planRoute } from '@libs/domain/policy';
import type { RequestInput } from '@libs/domain/request';
import { RequestEntity, RequestProjectionWriter, RequestRepository } from '@libs/persistence';
import { ListIndexesDealName1763900007400 } from '@libs/persistence/migrations/1763900007400-list-indexes-deal-name';
import { useMigratedDatabase } from '../support/migrated-database';
import { testDatabases } from '../support/databases';
import { requestBody } from '../support/factories';

/** The conflict check's deal lookup: by the indexed deal_name the projection writes, not by reading every open deal. */
describe.each(testDatabases())('deal participants on $name', (database) => {
  let projection: RequestProjectionWriter;
  let requests: RequestRepository;

  const db = useMigratedDatabase(database);

  beforeAll(async () => {
    projection = new RequestProjectionWriter(db.dataSource);
    requests = new RequestRepository(db.dataSource);
  });

  const submit = async (
    requester: string,
    dealName: string,
    type: 'ma_participation' | 'conference' = 'ma_participation',
  ) => {
    const requestId = randomUUID();
    const base = requestBody(type) as RequestInput;
    const request = { ...base, details: { ...base.details, dealName } } as RequestInput;
    const plan = planRoute({ request, tier: 'core', screeningHits: [] }, DEFAULT_POLICY);
    const state = initialState(requestId, requester, plan);
    await projection.recordSubmission(
      {
        workflow: {
          requestId,
          request,
          requester: { email: requester, name: requester, tier: 'core' },
          policy: DEFAULT_POLICY,
          submittedAt: new Date().toISOString(),
          idempotencyKey: null,
          bodyHash: 'x',
        },
        plan,
        state,
      },
      new Date().toISOString(),
    );
    return { requestId, request, state };
  };

  it('should find the open participants of a deal by its name, whatever its case and spaces', async () => {
    await submit('p1@example.com', 'Project Falcon');
    await submit('p2@example.com', '  project FALCON ');
    await submit('p1@example.com', 'Project Falcon');
    await submit('p3@example.com', 'Project Heron');
    await submit('p4@example.com', 'Project Falcon', 'conference');
    const closed = await submit('p5@example.com', 'Project Falcon');
    await db.dataSource.getRepository(RequestEntity).update({ id: closed.requestId }, { status: 'withdrawn' });

    expect((await requests.dealParticipants('project falcon')).sort()).toEqual(['p1@example.com', 'p2@example.com']);
    expect(await requests.dealParticipants(' PROJECT HERON')).toEqual(['p3@example.com']);
    expect(await requests.dealParticipants('Project Osprey')).toEqual([]);
    expect(await requests.dealParticipants('   ')).toEqual([]);
  });

  it('should follow an amendment that renames the deal', async () => {
    const { requestId, request, state } = await submit('p6@example.com', 'Project Kite');
    const amended = { ...request, details: { ...request.details, dealName: 'Project Kestrel' } } as RequestInput;
    await projection.projectState(
      { state: { ...state, seq: state.seq + 1 }, amendedRequest: amended },
      new Date().toISOString(),
    );
    expect(await requests.dealParticipants('Project Kite')).toEqual([]);
    expect(await requests.dealParticipants('project kestrel')).toEqual(['p6@example.com']);
    expect((await db.dataSource.getRepository(RequestEntity).findOneByOrFail({ id: requestId })).dealName).toBe(
      'project kestrel',
    );
  });

  it('should backfill the deal names of requests stored before the column existed, and index the list filters', async () => {
    const runner = db.dataSource.createQueryRunner();
    try {
      const migration = new ListIndexesDealName1763900007400();
      await migration.down(runner);
      await migration.up(runner);
      const table = (await runner.getTable('requests'))!;
      expect(table.indices.map((i) => i.name)).toEqual(
        expect.arrayContaining([
          'idx_requests_status_created',
          'idx_requests_type_created',
          'idx_requests_requester_created',
          'idx_requests_destination_created',
          'idx_requests_deal_name',
        ]),
      );
      const passports = (await runner.getTable('passports'))!;
      expect(passports.indices.map((i) => i.name)).toEqual(
        expect.arrayContaining([
          'idx_passports_created',
          'idx_passports_employee_created',
          'idx_passports_status_created',
        ]),
      );
    } finally {
      await runner.release();
    }
    expect((await requests.dealParticipants('project falcon')).sort()).toEqual(['p1@example.com', 'p2@example.com']);
    expect(await requests.dealParticipants('Project Kestrel')).toEqual(['p6@example.com']);
  });
});
