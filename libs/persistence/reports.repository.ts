import type { DataSource } from 'typeorm';
import { ApprovalEntity, ObligationEntity, RequestEntity } from './entities';

/** Requests created on one day (UTC) of one type in one status; `count` is a string on PostgreSQL. */
export interface RequestDayCountRow {
  day: string;
  type: string;
  status: string;
  count: string | number;
}

/** A pending approval of a pending request, with what its deadline depends on (`plan` as stored). */
export interface PendingApprovalRow {
  requestId: string;
  party: string;
  stage: number;
  type: string;
  requesterEmail: string;
  createdAt: string;
  plan: string;
}

export interface DecidedApprovalRow {
  requestId: string;
  stage: number;
  decidedAt: string;
}

export interface OverdueObligationRow {
  requestId: string;
  type: string;
  requesterEmail: string;
  kind: string;
  label: string;
  dueAt: string | null;
}

/** A request as screened at submission (`screeningHits` as stored, a JSON list). */
export interface ScreenedRequestRow {
  requestId: string;
  type: string;
  status: string;
  createdAt: string;
  screeningHits: string;
}

/**
 * The reports' queries on the request projection (auditors' and admins' dashboard). Read-only, plain
 * rows as the database returns them; shaping them is the reports service's job. SQL that runs on
 * SQLite and PostgreSQL.
 */
export class ReportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Request counts per creation day, type and status, from `fromDay` (YYYY-MM-DD) on. */
  requestCountsPerDay(fromDay: string): Promise<RequestDayCountRow[]> {
    return this.dataSource
      .getRepository(RequestEntity)
      .createQueryBuilder('r')
      .select('SUBSTR(r.created_at, 1, 10)', 'day')
      .addSelect('r.type', 'type')
      .addSelect('r.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .where('r.created_at >= :from', { from: fromDay })
      .groupBy('SUBSTR(r.created_at, 1, 10)')
      .addGroupBy('r.type')
      .addGroupBy('r.status')
      .getRawMany<RequestDayCountRow>();
  }

  /** Every pending approval of a pending request. */
  pendingApprovals(): Promise<PendingApprovalRow[]> {
    return this.dataSource
      .getRepository(ApprovalEntity)
      .createQueryBuilder('a')
      .innerJoin(RequestEntity, 'r', 'r.id = a.request_id')
      .select(['a.request_id AS "requestId"', 'a.party AS "party"', 'a.stage_index AS "stage"'])
      .addSelect(['r.type AS "type"', 'r.requester_email AS "requesterEmail"', 'r.created_at AS "createdAt"'])
      .addSelect('r.plan', 'plan')
      .where("a.status = 'pending'")
      .andWhere("r.status = 'pending'")
      .getRawMany<PendingApprovalRow>();
  }

  /** When the decided approvals of these requests were decided, by stage. */
  async decidedApprovals(requestIds: string[]): Promise<DecidedApprovalRow[]> {
    if (requestIds.length === 0) return [];
    return this.dataSource
      .getRepository(ApprovalEntity)
      .createQueryBuilder('a')
      .select(['a.request_id AS "requestId"', 'a.stage_index AS "stage"', 'a.decided_at AS "decidedAt"'])
      .where('a.decided_at IS NOT NULL')
      .andWhere('a.request_id IN (:...ids)', { ids: requestIds })
      .getRawMany<DecidedApprovalRow>();
  }

  /** Obligations marked overdue, or still open past their due time (`now`, ISO), earliest due first. */
  overdueObligations(now: string): Promise<OverdueObligationRow[]> {
    return this.dataSource
      .getRepository(ObligationEntity)
      .createQueryBuilder('o')
      .innerJoin(RequestEntity, 'r', 'r.id = o.request_id')
      .select(['o.request_id AS "requestId"', 'o.kind AS "kind"', 'o.label AS "label"', 'o.due_at AS "dueAt"'])
      .addSelect(['r.type AS "type"', 'r.requester_email AS "requesterEmail"'])
      .where("o.status = 'overdue'")
      .orWhere("(o.status = 'open' AND o.due_at IS NOT NULL AND o.due_at < :now)", { now })
      .orderBy('o.due_at', 'ASC')
      .addOrderBy('o.request_id', 'ASC')
      .getRawMany<OverdueObligationRow>();
  }

  /** Requests with a non-empty list of screening hits stored at submission, newest first. */
  screenedRequests(): Promise<ScreenedRequestRow[]> {
    return this.dataSource
      .getRepository(RequestEntity)
      .createQueryBuilder('r')
      .select(['r.id AS "requestId"', 'r.type AS "type"', 'r.status AS "status"', 'r.created_at AS "createdAt"'])
      .addSelect('r.screening_hits', 'screeningHits')
      .where("r.screening_hits <> '[]'")
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .getRawMany<ScreenedRequestRow>();
  }
}
