import type { DataSource } from 'typeorm';
import { loadConfig } from '@libs/config';
import { openDataSource, RequestProjectionWriter, RequestRepository } from '@libs/persistence';
import { PermanentMove1763900009100 } from '@libs/persistence/migrations/1763900009100-permanent-move';
import { testDatabases } from '../support/databases';
import { daysFromNow, requestBody } from '../support/factories';
import { submissionAt } from '../support/submissions';
import { testEnv } from '../support/system';

/** A departure abroad without a return date (a permanent move) is stored with no return date: NULL. */
describe.each(testDatabases())('permanent moves on $name', (database) => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  let projection: RequestProjectionWriter;
  let requests: RequestRepository;

  beforeAll(async () => {
    const db = await database.create();
    drop = db.drop;
    dataSource = await openDataSource(loadConfig(testEnv(db.env)).database, { migrate: true });
    projection = new RequestProjectionWriter(dataSource);
    requests = new RequestRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await drop?.();
  });

  /** A departure abroad submitted now; `returnDate` undefined makes it a permanent move. */
  function departure(returnDate?: string) {
    const s = submissionAt(new Date().toISOString());
    const { returnDate: _r, ...body } = requestBody('departure_abroad', { departureDate: daysFromNow(40) });
    s.workflow.request = { ...body, ...(returnDate ? { returnDate } : {}) } as typeof s.workflow.request;
    return s;
  }

  const storedReturn = async (id: string) => (await requests.findById(id))!.request.returnDate;

  /** The schema objects of the requests table (SQLite) or its indexes (PostgreSQL), to compare across a rebuild. */
  async function indexesOfRequests(): Promise<string[]> {
    const rows: Array<{ def: string | null }> =
      database.name === 'sqlite'
        ? await dataSource.query(
            `SELECT sql AS def FROM sqlite_master WHERE tbl_name = 'requests' AND type IN ('index', 'trigger')`,
          )
        : await dataSource.query(`SELECT indexdef AS def FROM pg_indexes WHERE tablename = 'requests'`);
    return rows.map((r) => r.def ?? '(automatic)').sort();
  }

  it('should store a permanent move with no return date, and a departure that names one with it', async () => {
    const move = departure();
    const trip = departure(daysFromNow(50));
    await projection.recordSubmission(move, new Date().toISOString());
    await projection.recordSubmission(trip, new Date().toISOString());
    expect(await storedReturn(move.workflow.requestId)).toBeNull();
    expect(await storedReturn(trip.workflow.requestId)).toBe(daysFromNow(50));
  });

  it('should keep every row, index and reference when the migration is undone and done again', async () => {
    const move = departure();
    await projection.recordSubmission(move, new Date().toISOString());
    const before = await dataSource.query('SELECT id, reference, return_date FROM requests ORDER BY id');
    const indexes = await indexesOfRequests();
    const runner = dataSource.createQueryRunner();
    try {
      const migration = new PermanentMove1763900009100();
      await migration.down(runner);
      // undone: a permanent move gets its departure date back as the return (the old schema needs one)
      const [undone] = await dataSource.query(
        `SELECT return_date FROM requests WHERE id = ${database.name === 'postgres' ? '$1' : '?'}`,
        [move.workflow.requestId],
      );
      expect(undone.return_date).toBe(daysFromNow(40));
      await expect(
        dataSource.query(
          `UPDATE requests SET return_date = NULL WHERE id = ${database.name === 'postgres' ? '$1' : '?'}`,
          [move.workflow.requestId],
        ),
      ).rejects.toThrow(/null/i);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    await dataSource.query(
      `UPDATE requests SET return_date = NULL WHERE id = ${database.name === 'postgres' ? '$1' : '?'}`,
      [move.workflow.requestId],
    );
    const after = await dataSource.query('SELECT id, reference, return_date FROM requests ORDER BY id');
    expect(after.map((r: { id: string; reference: string }) => [r.id, r.reference])).toEqual(
      before.map((r: { id: string; reference: string }) => [r.id, r.reference]),
    );
    expect(await indexesOfRequests()).toEqual(indexes);
    // the writer still sees the table it knows (references go on after the rebuild)
    const next = departure();
    await projection.recordSubmission(next, new Date().toISOString());
    expect((await requests.findById(next.workflow.requestId))!.request.reference).toMatch(/^CLR-\d{4}-\d{6}$/);
  });

  it('should clear the stored return date when an amendment makes the departure a permanent move', async () => {
    const trip = departure(daysFromNow(50));
    await projection.recordSubmission(trip, new Date().toISOString());
    const { returnDate: _r, ...move } = trip.workflow.request;
    const state = { ...trip.state, round: 2, seq: trip.state.seq + 1 };
    expect(await projection.projectState({ state, amendedRequest: move }, new Date().toISOString())).toBe(true);
    expect(await storedReturn(trip.workflow.requestId)).toBeNull();
  });
});
