import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The inbox's "due soonest first": pending approvals by party in due order (keyset on due_at, request, party). */
const DUE_INDEX = new TableIndex({
  name: 'idx_approvals_inbox_due',
  columnNames: ['status', 'party', 'due_at', 'request_id'],
});

/** Rows read and written per round of the due date backfill. */
const BATCH = 500;

/**
 * When each awaited approval first falls due, stored (issue 13 and 15: the inbox sorts by it across
 * pages, so it cannot stay computed per page): `approvals.due_at`, written by the projection writer.
 *
 * It also corrects 1763900008300's backfill of `asked_at`, which dated every waiting approval from the
 * submission: a party of a later stage was asked when its stage opened, which the stored data tells:
 * the stage opened at the last decision of the stages before it (their approvals' `decided_at`), or,
 * when an amendment restarted review, at the amendment (the audit log's `request.amended`), whichever
 * is later. Only the rows that backfill dated from the submission are corrected; rows the writer dated
 * since are right already. (The projection's `asked_at` is when the writer saw the asking; a decision's
 * `decided_at` is when the workflow took it: the two differ by the projection's lag, well under a second.)
 *
 * Then the due date of every awaited approval (pending in an active stage) from its `asked_at` and the
 * request's pinned plan, as `dueDates` (libs/domain/due-dates.ts) computed it when this migration was
 * written (a copy, `firstDueAt` below: a migration must do the same thing whatever the code becomes).
 */
export class ApprovalDueAt1763900009300 implements MigrationInterface {
  name = 'ApprovalDueAt1763900009300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE approvals ADD COLUMN due_at varchar(30) NULL');
    await queryRunner.query(
      `UPDATE approvals SET asked_at = (
         SELECT MAX(opened.at) FROM (
           SELECT r.created_at AS at FROM requests r WHERE r.id = approvals.request_id
           UNION ALL
           SELECT p.decided_at FROM approvals p
             WHERE p.request_id = approvals.request_id AND p.stage_index < approvals.stage_index
               AND p.decided_at IS NOT NULL
           UNION ALL
           SELECT l.recorded_at FROM audit_log l
             WHERE l.request_id = approvals.request_id AND l.event = 'request.amended'
         ) opened)
       WHERE status = 'pending' AND stage_status = 'active'
         AND asked_at = (SELECT r.created_at FROM requests r WHERE r.id = approvals.request_id)`,
    );
    const postgres = queryRunner.connection.options.type === 'postgres';
    const param = (i: number) => (postgres ? `$${i}` : '?');
    let after = { requestId: '', party: '' };
    for (;;) {
      const rows = (await queryRunner.query(
        `SELECT a.request_id, a.party, a.asked_at, r.plan FROM approvals a JOIN requests r ON r.id = a.request_id
           WHERE a.status = 'pending' AND a.stage_status = 'active' AND a.asked_at IS NOT NULL
             AND (a.request_id > ${param(1)} OR (a.request_id = ${param(2)} AND a.party > ${param(3)}))
           ORDER BY a.request_id, a.party LIMIT ${BATCH}`,
        [after.requestId, after.requestId, after.party],
      )) as Array<{ request_id: string; party: string; asked_at: string; plan: string }>;
      for (const row of rows) {
        const dueAt = firstDueAt(planOf(row.plan), row.party, row.asked_at);
        if (dueAt === null) continue;
        await queryRunner.query(
          `UPDATE approvals SET due_at = ${param(1)} WHERE request_id = ${param(2)} AND party = ${param(3)}`,
          [dueAt, row.request_id, row.party],
        );
      }
      if (rows.length < BATCH) break;
      const last = rows[rows.length - 1];
      after = { requestId: last.request_id, party: last.party };
    }
    await queryRunner.createIndex('approvals', DUE_INDEX);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('approvals', DUE_INDEX.name!);
    await queryRunner.query('ALTER TABLE approvals DROP COLUMN due_at');
  }
}

/** What this migration reads of a stored plan. */
interface StoredPlan {
  stages: Array<{
    parties: Array<{ party: string; deadlines?: { reminderAfterMs?: number; escalateAfterMs?: number } }>;
  }>;
}

/** The first of the party's reminder and escalation, counted from its asking (null without deadlines). */
function firstDueAt(plan: StoredPlan | null, party: string, askedAt: string): string | null {
  const deadlines = plan?.stages.flatMap((s) => s.parties ?? []).find((p) => p.party === party)?.deadlines;
  const after = (ms: number | undefined) =>
    typeof ms === 'number' && Number.isFinite(ms) ? new Date(Date.parse(askedAt) + ms).toISOString() : null;
  const due = [after(deadlines?.reminderAfterMs), after(deadlines?.escalateAfterMs)].filter((d) => d !== null);
  return due.sort()[0] ?? null;
}

/** A stored plan (simple-json text), or null when it is not one. */
function planOf(text: string): StoredPlan | null {
  try {
    const plan = JSON.parse(text) as StoredPlan | null;
    return plan && Array.isArray(plan.stages) ? plan : null;
  } catch {
    return null;
  }
}
