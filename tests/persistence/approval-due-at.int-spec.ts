import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ApprovalDueAt1763900009300 } from '@libs/persistence/migrations/1763900009300-approval-due-at';
import { testDatabases } from '../support/databases';
import { useMigratedDatabase } from '../support/migrated-database';

const HOUR = 3_600_000;
const T0 = '2026-10-01T08:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(T0) + hours * HOUR).toISOString();

/** A plan whose stages ask these parties, each with a reminder after `reminder` hours and an escalation after 72 h. */
const plan = (stages: Array<Array<{ party: string; reminder: number }>>) =>
  JSON.stringify({
    policyVersion: 1,
    destinationRisk: 'low',
    screeningHits: [],
    stages: stages.map((parties, index) => ({
      index,
      parties: parties.map(({ party, reminder }) => ({
        party,
        reasons: ['test'],
        quorum: 1,
        deadlines: {
          reminderAfterMs: reminder * HOUR,
          reminderEveryMs: 24 * HOUR,
          escalateAfterMs: 72 * HOUR,
          expireAfterMs: 336 * HOUR,
        },
      })),
    })),
  });

interface Approval {
  party: string;
  stage: number;
  stageStatus: string;
  status: string;
  decidedAt?: string;
  askedAt?: string;
}

/**
 * The due date migration on data 1763900008300 left: the approvals waiting in a later stage dated
 * from the submission are dated from their stage's opening, and every awaited approval gets its due date.
 */
describe.each(testDatabases())('the approval due date migration on $name', (database) => {
  const db = useMigratedDatabase(database);
  const migration = new ApprovalDueAt1763900009300();

  /** `?` placeholders as the database wants them. */
  const query = async (dataSource: DataSource, text: string, params: unknown[] = []) => {
    let n = 0;
    const portable = dataSource.options.type === 'postgres' ? text.replace(/\?/g, () => `$${(n += 1)}`) : text;
    return dataSource.query(portable, params);
  };

  const insertRequest = async (dataSource: DataSource, id: string, planJson: string, approvals: Approval[]) => {
    await query(
      dataSource,
      `INSERT INTO requests (id, type, status, requester_email, requester_tier, destination_country,
         departure_date, return_date, purpose, counterparties, technology_areas, data_categories, details,
         policy_version, plan, screening_hits, workflow_id, body_hash, current_stage, round, seq,
         superseded_approvals, route_changes, created_at, updated_at)
       VALUES (?, 'conference', 'pending', 'carol@example.com', 'standard', 'FR', '2030-01-10', '2030-01-12',
         'migration', '[]', '["none"]', '["none"]', '{}', 1, ?, '[]', ?, 'x', 0, 1, 1, '[]', '[]', ?, ?)`,
      [id, planJson, `request-${id}`, T0, T0],
    );
    for (const a of approvals) {
      await query(
        dataSource,
        `INSERT INTO approvals (request_id, party, stage_index, stage_status, status, reasons, quorum, approved_by,
           conditions, decided_at, asked_at)
         VALUES (?, ?, ?, ?, ?, '["test"]', 1, '[]', '[]', ?, ?)`,
        [id, a.party, a.stage, a.stageStatus, a.status, a.decidedAt ?? null, a.askedAt ?? null],
      );
    }
  };

  const approval = async (dataSource: DataSource, id: string, party: string) =>
    (
      await query(dataSource, 'SELECT asked_at, due_at FROM approvals WHERE request_id = ? AND party = ?', [id, party])
    )[0] as { asked_at: string | null; due_at: string | null };

  it('should date a later stage from its opening, an amended one from the amendment, and store every awaited due date', async () => {
    const { dataSource } = db;
    const runner = dataSource.createQueryRunner();
    try {
      // the data as it stood before this migration
      await migration.down(runner);
      const ids = {
        first: randomUUID(),
        later: randomUUID(),
        amended: randomUUID(),
        writerDated: randomUUID(),
      };
      // a first stage: asked at the submission, due at its reminder
      await insertRequest(dataSource, ids.first, plan([[{ party: 'hr', reminder: 24 }]]), [
        { party: 'hr', stage: 0, stageStatus: 'active', status: 'pending', askedAt: T0 },
      ]);
      // legal approved 2 h and export control 3 h after the submission; security's stage opened then
      await insertRequest(
        dataSource,
        ids.later,
        plan([
          [
            { party: 'legal', reminder: 24 },
            { party: 'export_control', reminder: 24 },
          ],
          [{ party: 'security', reminder: 12 }],
          [{ party: 'finance', reminder: 6 }],
        ]),
        [
          { party: 'legal', stage: 0, stageStatus: 'approved', status: 'approved', decidedAt: at(2), askedAt: T0 },
          {
            party: 'export_control',
            stage: 0,
            stageStatus: 'approved',
            status: 'approved',
            decidedAt: at(3),
            askedAt: T0,
          },
          { party: 'security', stage: 1, stageStatus: 'active', status: 'pending', askedAt: T0 },
          { party: 'finance', stage: 2, stageStatus: 'waiting', status: 'waiting' },
        ],
      );
      // sent back and amended 5 h after the submission: review restarted then
      await insertRequest(dataSource, ids.amended, plan([[{ party: 'hr', reminder: 24 }]]), [
        { party: 'hr', stage: 0, stageStatus: 'active', status: 'pending', askedAt: T0 },
      ]);
      const seq = Number((await query(dataSource, 'SELECT COALESCE(MAX(seq), 0) AS n FROM audit_log'))[0].n) + 1;
      await query(
        dataSource,
        `INSERT INTO audit_log (seq, request_id, event, actor, payload, recorded_at, prev_hash, hash)
         VALUES (?, ?, 'request.amended', 'carol@example.com', '{}', ?, ?, ?)`,
        [seq, ids.amended, at(5), '0'.repeat(64), '1'.repeat(64)],
      );
      // asked since 1763900008300 went out: the writer dated it, it stays
      await insertRequest(
        dataSource,
        ids.writerDated,
        plan([[{ party: 'legal', reminder: 24 }], [{ party: 'security', reminder: 12 }]]),
        [
          { party: 'legal', stage: 0, stageStatus: 'approved', status: 'approved', decidedAt: at(1), askedAt: T0 },
          { party: 'security', stage: 1, stageStatus: 'active', status: 'pending', askedAt: at(1.5) },
        ],
      );

      await migration.up(runner);

      expect(await approval(dataSource, ids.first, 'hr')).toEqual({ asked_at: T0, due_at: at(24) });
      expect(await approval(dataSource, ids.later, 'security')).toEqual({ asked_at: at(3), due_at: at(15) });
      // decided and waiting approvals keep their asking and are due at nothing
      expect(await approval(dataSource, ids.later, 'legal')).toEqual({ asked_at: T0, due_at: null });
      expect(await approval(dataSource, ids.later, 'finance')).toEqual({ asked_at: null, due_at: null });
      expect(await approval(dataSource, ids.amended, 'hr')).toEqual({ asked_at: at(5), due_at: at(29) });
      expect(await approval(dataSource, ids.writerDated, 'security')).toEqual({
        asked_at: at(1.5),
        due_at: at(13.5),
      });

      // the inbox's due index is there again
      const indexes =
        dataSource.options.type === 'postgres'
          ? await query(dataSource, "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'approvals'")
          : await query(dataSource, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'approvals'");
      expect(indexes.map((i: { name: string }) => i.name)).toContain('idx_approvals_inbox_due');
    } finally {
      await runner.release();
    }
  });
});
