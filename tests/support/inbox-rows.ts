import type { DataSource } from 'typeorm';

/** The id of the `i`th request `insertPendingApprovals` writes under `prefix` (8 hex digits). */
export const loadRequestId = (prefix: string, i: number): string =>
  `${prefix}-0000-4000-8000-${String(i).padStart(12, '0')}`;

/**
 * Pending requests written straight into the projection, each with one pending approval of `party`:
 * the load an inbox must page through (tens of thousands in a second or two, which the workflows
 * could not start in a test's time). One INSERT … SELECT per table over a counter, the same SQL on
 * SQLite and PostgreSQL but for the text functions. No workflow stands behind them: they are for
 * reading, never for deciding. Request `i` (0-based) is created `i` seconds after `from` and has the
 * id `loadRequestId(prefix, i)`; its approval was asked then and falls due a day later (`due_at`).
 */
export async function insertPendingApprovals(
  dataSource: DataSource,
  options: { count: number; party: string; requester: string; from: string; prefix: string },
): Promise<void> {
  const postgres = dataSource.options.type === 'postgres';
  const id = postgres
    ? `prefix || '-0000-4000-8000-' || lpad(i::text, 12, '0')`
    : `prefix || '-0000-4000-8000-' || printf('%012d', i)`;
  const at = postgres
    ? `to_char(start::timestamp + i * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : `strftime('%Y-%m-%dT%H:%M:%fZ', start, '+' || i || ' seconds')`;
  const dayLater = postgres
    ? `to_char(start::timestamp + i * interval '1 second' + interval '1 day', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : `strftime('%Y-%m-%dT%H:%M:%fZ', start, '+' || i || ' seconds', '+1 days')`;
  // the parameters as a row (each bound once), and a counter 0 … count - 1 beside it
  const args = postgres ? '$1::text, $2::integer, $3::text, $4::text' : '?, ?, ?, ?';
  const counter =
    `WITH RECURSIVE args(prefix, total, who, start) AS (SELECT ${args}), ` +
    'n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n, args WHERE i + 1 < total)';
  const from = options.from.replace('T', ' ').replace('Z', '');
  await dataSource.transaction(async (manager) => {
    await manager.query(
      `INSERT INTO requests (id, type, status, requester_email, requester_tier, destination_country,
         departure_date, return_date, purpose, counterparties, technology_areas, data_categories, details,
         policy_version, plan, screening_hits, workflow_id, body_hash, current_stage, round, seq,
         superseded_approvals, route_changes, created_at, updated_at)
       ${counter}
       SELECT ${id}, 'conference', 'pending', who, 'standard', 'FR', '2030-01-10', '2030-01-12',
         'inbox load', '[]', '["none"]', '["none"]', '{}', 1,
         '{"policyVersion":1,"destinationRisk":"low","screeningHits":[],"stages":[]}', '[]',
         'request-' || ${id}, 'x', 0, 1, 1, '[]', '[]', ${at}, ${at}
       FROM n, args`,
      [options.prefix, options.count, options.requester, from],
    );
    await manager.query(
      `INSERT INTO approvals (request_id, party, stage_index, stage_status, status, reasons, quorum, approved_by,
         conditions, asked_at, due_at)
       ${counter}
       SELECT ${id}, who, 0, 'active', 'pending', '["inbox load"]', 1, '[]', '[]', ${at}, ${dayLater} FROM n, args`,
      [options.prefix, options.count, options.party, from],
    );
  });
}
