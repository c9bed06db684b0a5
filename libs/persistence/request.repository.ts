import { Brackets, In, type DataSource, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { OPEN_REQUEST_STATUSES } from '../domain/delegation';
import { normalizedDealName } from '../domain/request';
import type { Party } from '../domain/vocabulary';
import type { FieldChange, LoggedAmendment, LoggedDecision } from '../domain/amendment';
import { ApprovalEntity, AuditLogEntity, DecisionEntity, ObligationEntity, RequestEntity } from './entities';

export interface StoredRequest {
  request: RequestEntity;
  approvals: ApprovalEntity[];
  obligations: ObligationEntity[];
}

/**
 * What an approver reads: every request of their `own` parties, and through each delegation in
 * force, the `delegated` parties' requests that were pending for the party at or after `since`
 * (an ISO instant, the delegation window's start). Same rule as `pendingDuringWindow` in
 * libs/domain/delegation.ts, in SQL.
 */
export interface ReadScope {
  own: Party[];
  delegated: Array<{ parties: Party[]; since: string }>;
}

export interface ListFilter {
  status?: string;
  type?: string;
  requesterEmail?: string;
  /** Limits to requests the caller may read; undefined means everything (auditors, admins). */
  visibleTo?: { email: string } & ReadScope;
  limit: number;
  cursor?: { createdAt: string; id: string };
  search?: RequestSearch;
}

/** Auditors' search: parts of fields (case-insensitive), a destination, created between two days (UTC). */
export interface RequestSearch {
  q?: string;
  requester?: string;
  destination?: string;
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  /** YYYY-MM-DD, inclusive. */
  to?: string;
}

/** The columns free text is looked for in (JSON columns as their stored text). */
const SEARCHED_COLUMNS = [
  'r.id',
  'r.reference',
  'r.requester_email',
  'r.destination_country',
  'r.type',
  'r.status',
  'r.purpose',
  'r.counterparties',
  'r.technology_areas',
  'r.data_categories',
  'r.details',
  'r.manifest',
];

/** A LIKE pattern matching `text` anywhere, with its own %, _ and \ taken literally (ESCAPE '\'). */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The day after a YYYY-MM-DD day, as YYYY-MM-DD. */
function dayAfter(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

function applySearch(qb: SelectQueryBuilder<RequestEntity>, search: RequestSearch): void {
  if (search.q) {
    const like = SEARCHED_COLUMNS.map((column) => `LOWER(${column}) LIKE LOWER(:sq) ESCAPE '\\'`).join(' OR ');
    qb.andWhere(`(${like})`, { sq: containsPattern(search.q) });
  }
  if (search.requester) {
    qb.andWhere(`LOWER(r.requester_email) LIKE LOWER(:sRequester) ESCAPE '\\'`, {
      sRequester: containsPattern(search.requester),
    });
  }
  if (search.destination) qb.andWhere('r.destination_country = :sDestination', { sDestination: search.destination });
  if (search.from) qb.andWhere('r.created_at >= :sFrom', { sFrom: search.from });
  if (search.to) qb.andWhere('r.created_at < :sTo', { sTo: dayAfter(search.to) });
}

export interface InboxRow {
  request: RequestEntity;
  approval: ApprovalEntity;
}

/** What an inbox shows: the pending approvals of `parties`, filtered; `caller` is whose inbox it is. */
export interface InboxFilter {
  parties: Party[];
  caller: string;
  type?: string;
  /** ISO 3166-1 alpha-2, upper case. */
  destination?: string;
  requestId?: string;
  /** Newest first (the default), or oldest first: the inbox as a work queue. */
  order?: 'newest' | 'oldest';
}

/** Where a page of the inbox in due order ends: its last approval's due date (null: none known), request and party. */
export interface InboxDuePosition {
  dueAt: string | null;
  requestId: string;
  party: string;
}

/** Where an inbox page ends: its last approval (the request's creation, the request, the party). */
export interface InboxPosition {
  createdAt: string;
  requestId: string;
  party: string;
}

/** The requests an inbox shows (alias `r`): pending, not the caller's own, with the inbox's filters. */
function inboxRequests<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, filter: InboxFilter): void {
  qb.andWhere("r.status = 'pending'").andWhere('r.requester_email <> :me', { me: filter.caller });
  if (filter.type) qb.andWhere('r.type = :type', { type: filter.type });
  if (filter.destination) qb.andWhere('r.destination_country = :destination', { destination: filter.destination });
  if (filter.requestId) qb.andWhere('r.id = :requestId', { requestId: filter.requestId });
}

/** A comparator's answer for newest (greatest) first. */
const descending = (x: string, y: string): number => (x < y ? 1 : x > y ? -1 : 0);

/** What each party decided and what each amendment changed, oldest first. */
export interface DecisionHistory {
  decisions: LoggedDecision[];
  amendments: LoggedAmendment[];
}

/**
 * Reads the request projection: the API's lists, inbox and detail views, the audit scripts, and the
 * worker's mail activities. It never writes; the projection is written from workflow states through
 * `RequestProjectionWriter` (request-projection.writer.ts).
 */
export class RequestRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findById(id: string): Promise<StoredRequest | null> {
    if (!id) return null;
    const request = await this.dataSource.getRepository(RequestEntity).findOneBy({ id });
    if (!request) return null;
    const approvals = await this.dataSource
      .getRepository(ApprovalEntity)
      .find({ where: { requestId: id }, order: { stageIndex: 'ASC', party: 'ASC' } });
    const obligations = await this.dataSource
      .getRepository(ObligationEntity)
      .find({ where: { requestId: id }, order: { kind: 'ASC' } });
    return { request, approvals, obligations };
  }

  /** A request's human reference (`CLR-2027-000123`), or null when there is no such request. */
  async referenceOf(id: string): Promise<string | null> {
    if (!id) return null;
    const row = await this.dataSource
      .getRepository(RequestEntity)
      .findOne({ select: { id: true, reference: true }, where: { id } });
    return row?.reference ?? null;
  }

  async findByIdempotencyKey(requesterEmail: string, key: string): Promise<RequestEntity | null> {
    return this.dataSource.getRepository(RequestEntity).findOneBy({ requesterEmail, idempotencyKey: key });
  }

  /** Requests submitted on or after `since` (YYYY-MM-DD, UTC), oldest first, at most `limit` (policy simulations). */
  async submittedSince(since: string, limit: number): Promise<RequestEntity[]> {
    return this.dataSource
      .getRepository(RequestEntity)
      .createQueryBuilder('r')
      .where('r.created_at >= :since', { since })
      .orderBy('r.created_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .take(limit)
      .getMany();
  }

  async decisionsFor(requestId: string): Promise<DecisionEntity[]> {
    return this.dataSource.getRepository(DecisionEntity).find({ where: { requestId }, order: { decidedAt: 'ASC' } });
  }

  /**
   * What each party decided, round by round (the decision log), and what each amendment changed,
   * field by field before and after (the audit log's `request.amended` rows), oldest first: what
   * `sinceLastDecided` (libs/domain/amendment.ts) reads.
   */
  async decisionHistoryFor(requestId: string): Promise<DecisionHistory> {
    if (!requestId) return { decisions: [], amendments: [] };
    return (await this.decisionHistoriesFor([requestId])).get(requestId)!;
  }

  /** `decisionHistoryFor` of several requests (an inbox page) in two queries. */
  async decisionHistoriesFor(requestIds: string[]): Promise<Map<string, DecisionHistory>> {
    const ids = [...new Set(requestIds.filter(Boolean))];
    const histories = new Map<string, DecisionHistory>(ids.map((id) => [id, { decisions: [], amendments: [] }]));
    if (ids.length === 0) return histories;
    const [decisions, rows] = await Promise.all([
      this.dataSource
        .getRepository(DecisionEntity)
        .find({ where: { requestId: In(ids) }, order: { decidedAt: 'ASC' } }),
      this.dataSource
        .getRepository(AuditLogEntity)
        .find({ where: { requestId: In(ids), event: 'request.amended' }, order: { seq: 'ASC' } }),
    ]);
    for (const d of decisions) {
      histories.get(d.requestId)!.decisions.push({
        party: d.party,
        decision: d.decision,
        decidedBy: d.decidedBy,
        comment: d.comment,
        conditions: d.conditions ?? [],
        round: d.round,
        decidedAt: d.decidedAt,
      });
    }
    for (const row of rows) {
      const payload = JSON.parse(row.payload) as { round?: unknown; changes?: FieldChange[] };
      histories.get(row.requestId!)!.amendments.push({
        round: Number(payload.round),
        changes: Array.isArray(payload.changes) ? payload.changes : [],
      });
    }
    return histories;
  }

  /**
   * People who asked to take part in a deal of this name (a conflict of interest for its approvers):
   * the open M&A participations of that deal, found by its indexed, normalized name (idx_requests_deal_name).
   */
  async dealParticipants(dealName: string): Promise<string[]> {
    const wanted = normalizedDealName({ dealName });
    if (wanted === null) return [];
    const rows = await this.dataSource
      .getRepository(RequestEntity)
      .createQueryBuilder('r')
      .select('DISTINCT r.requester_email', 'email')
      .where('r.deal_name = :wanted', { wanted })
      .andWhere("r.type = 'ma_participation'")
      .andWhere("r.status NOT IN ('withdrawn', 'rejected', 'expired')")
      .getRawMany<{ email: string }>();
    return rows.map((r) => r.email);
  }

  async list(filter: ListFilter): Promise<StoredRequest[]> {
    const qb = this.dataSource.getRepository(RequestEntity).createQueryBuilder('r');
    if (filter.status) qb.andWhere('r.status = :status', { status: filter.status });
    if (filter.type) qb.andWhere('r.type = :type', { type: filter.type });
    if (filter.requesterEmail) qb.andWhere('r.requester_email = :requester', { requester: filter.requesterEmail });
    if (filter.search) applySearch(qb, filter.search);
    if (filter.visibleTo) {
      const { email, own, delegated } = filter.visibleTo;
      qb.andWhere(
        new Brackets((w) => {
          w.where('r.requester_email = :me', { me: email });
          if (own.length > 0) {
            w.orWhere('r.id IN (SELECT a.request_id FROM approvals a WHERE a.party IN (:...own))', { own });
          }
          delegated.forEach(({ parties, since }, i) => {
            w.orWhere(
              `r.id IN (SELECT a.request_id FROM approvals a WHERE a.party IN (:...dParties${i}) AND (` +
                `(a.status = 'pending' AND r.status IN (:...openStatuses)) OR a.decided_at >= :dSince${i}))`,
              { [`dParties${i}`]: parties, [`dSince${i}`]: since, openStatuses: OPEN_REQUEST_STATUSES },
            );
          });
        }),
      );
    }
    if (filter.cursor) {
      qb.andWhere(
        new Brackets((w) => {
          w.where('r.created_at < :cAt', { cAt: filter.cursor!.createdAt }).orWhere(
            '(r.created_at = :cAt AND r.id < :cId)',
            {
              cAt: filter.cursor!.createdAt,
              cId: filter.cursor!.id,
            },
          );
        }),
      );
    }
    const requests = await qb.orderBy('r.created_at', 'DESC').addOrderBy('r.id', 'DESC').limit(filter.limit).getMany();
    return this.withApprovals(requests);
  }

  /**
   * One page of an approver's inbox: the pending approvals of `parties` on pending requests, newest
   * first (request created_at, id, then party), after `after`; `limit` approvals or fewer. It walks
   * the pending requests newest first (idx_requests_status_created), probing each for an approval in
   * the inbox (the approvals' primary key), and stops after `limit` of them: it reads about a page
   * whatever the inbox holds, and binds at most `limit` request ids.
   */
  async inboxPage(filter: InboxFilter & { limit: number; after?: InboxPosition }): Promise<InboxRow[]> {
    if (filter.parties.length === 0) return [];
    const { after } = filter;
    const oldest = filter.order === 'oldest';
    const qb = this.dataSource.getRepository(RequestEntity).createQueryBuilder('r');
    inboxRequests(qb, filter);
    if (after) {
      // the page's last request again (its parties after the last one shown), then those beyond it
      const [beyond, same] = oldest ? ['>', '>='] : ['<', '<='];
      qb.andWhere(
        new Brackets((w) => {
          w.where(`r.created_at ${beyond} :cAt`).orWhere(`(r.created_at = :cAt AND r.id ${same} :cId)`);
        }),
        { cAt: after.createdAt, cId: after.requestId },
      );
    }
    const awaiting = this.awaitingApprovals(filter, after).select('1').andWhere('a.request_id = r.id');
    const direction = oldest ? 'ASC' : 'DESC';
    const requests = await qb
      .andWhere(`EXISTS (${awaiting.getQuery()})`, awaiting.getParameters())
      .orderBy('r.created_at', direction)
      .addOrderBy('r.id', direction)
      .limit(filter.limit)
      .getMany();
    if (requests.length === 0) return [];
    const approvals = await this.awaitingApprovals(filter, after)
      .andWhere('a.request_id IN (:...ids)', { ids: requests.map((r) => r.id) })
      .getMany();
    const byId = new Map(requests.map((r) => [r.id, r]));
    const newestFirst = (x: InboxRow, y: InboxRow) =>
      descending(x.request.createdAt, y.request.createdAt) ||
      descending(x.request.id, y.request.id) ||
      descending(x.approval.party, y.approval.party);
    const oldestFirst = (x: InboxRow, y: InboxRow) => -newestFirst(x, y);
    return approvals
      .map((approval) => ({ approval, request: byId.get(approval.requestId)! }))
      .sort(oldest ? oldestFirst : newestFirst)
      .slice(0, filter.limit);
  }

  /**
   * One page of an approver's inbox soonest due first (`approvals.due_at`, then request id and party),
   * after `after`; approvals with no due date known come last, by request id and party. It walks the
   * pending approvals of the parties in due order (idx_approvals_inbox_due), joining each request for
   * the filters, so a page reads about a page whatever the inbox holds; the whole queue pages in order.
   */
  async inboxDuePage(filter: InboxFilter & { limit: number; after?: InboxDuePosition }): Promise<InboxRow[]> {
    if (filter.parties.length === 0) return [];
    const { after } = filter;
    const page = async (dated: boolean, limit: number) => {
      const qb = this.awaitingApprovals(filter)
        .innerJoinAndMapOne('a.request', RequestEntity, 'r', 'r.id = a.request_id')
        .andWhere(dated ? 'a.due_at IS NOT NULL' : 'a.due_at IS NULL');
      inboxRequests(qb, filter);
      if (after && dated && after.dueAt !== null) {
        qb.andWhere(
          new Brackets((w) => {
            w.where('a.due_at > :cDue')
              .orWhere('(a.due_at = :cDue AND a.request_id > :cId)')
              .orWhere('(a.due_at = :cDue AND a.request_id = :cId AND a.party > :cParty)');
          }),
          { cDue: after.dueAt, cId: after.requestId, cParty: after.party },
        );
      }
      if (after && !dated && after.dueAt === null) {
        qb.andWhere(
          new Brackets((w) => {
            w.where('a.request_id > :cId').orWhere('(a.request_id = :cId AND a.party > :cParty)');
          }),
          { cId: after.requestId, cParty: after.party },
        );
      }
      if (dated) qb.orderBy('a.due_at', 'ASC').addOrderBy('a.request_id', 'ASC');
      else qb.orderBy('a.request_id', 'ASC');
      const approvals = await qb.addOrderBy('a.party', 'ASC').limit(limit).getMany();
      return approvals.map((approval) => {
        const { request, ...rest } = approval as ApprovalEntity & { request: RequestEntity };
        return { approval: Object.assign(new ApprovalEntity(), rest), request };
      });
    };
    // past the dated approvals once the cursor is among the undated ones
    const dated = after && after.dueAt === null ? [] : await page(true, filter.limit);
    if (dated.length >= filter.limit) return dated;
    return [...dated, ...(await page(false, filter.limit - dated.length))];
  }

  /** How many approvals of the inbox wait on each party: one aggregate query (idx_approvals_inbox), no rows loaded. */
  async inboxCounts(filter: InboxFilter): Promise<Partial<Record<Party, number>>> {
    if (filter.parties.length === 0) return {};
    const qb = this.awaitingApprovals(filter).innerJoin(RequestEntity, 'r', 'r.id = a.request_id');
    inboxRequests(qb, filter);
    const rows = await qb
      .select('a.party', 'party')
      .addSelect('COUNT(*)', 'n')
      .groupBy('a.party')
      .getRawMany<{ party: Party; n: number | string }>();
    return Object.fromEntries(rows.map((row) => [row.party, Number(row.n)]));
  }

  /**
   * The approvals an inbox shows: pending, of its parties, and not a quorum party's approval the
   * caller already gave (or gave on someone's behalf); after `after`, only the parties after its own
   * on its request.
   */
  private awaitingApprovals(filter: InboxFilter, after?: InboxPosition): SelectQueryBuilder<ApprovalEntity> {
    const qb = this.dataSource
      .getRepository(ApprovalEntity)
      .createQueryBuilder('a')
      .where("a.status = 'pending'")
      .andWhere('a.party IN (:...parties)', { parties: filter.parties })
      // votes are stored as JSON ({"by":…,"onBehalfOf":…}); a quote inside a comment is escaped, so only a vote matches
      .andWhere("a.approved_by NOT LIKE :votedBy ESCAPE '\\'", { votedBy: containsPattern(`"by":"${filter.caller}"`) })
      .andWhere("a.approved_by NOT LIKE :votedFor ESCAPE '\\'", {
        votedFor: containsPattern(`"onBehalfOf":"${filter.caller}"`),
      });
    if (after) {
      const next = filter.order === 'oldest' ? '>' : '<';
      qb.andWhere(`(a.request_id <> :cId OR a.party ${next} :cParty)`, { cId: after.requestId, cParty: after.party });
    }
    return qb;
  }

  private async withApprovals(requests: RequestEntity[]): Promise<StoredRequest[]> {
    if (requests.length === 0) return [];
    const approvals = await this.dataSource
      .getRepository(ApprovalEntity)
      .createQueryBuilder('a')
      .where('a.request_id IN (:...ids)', { ids: requests.map((r) => r.id) })
      .orderBy('a.stage_index', 'ASC')
      .addOrderBy('a.party', 'ASC')
      .getMany();
    const obligations = await this.dataSource
      .getRepository(ObligationEntity)
      .createQueryBuilder('o')
      .where('o.request_id IN (:...ids)', { ids: requests.map((r) => r.id) })
      .orderBy('o.kind', 'ASC')
      .getMany();
    return requests.map((request) => ({
      request,
      approvals: approvals.filter((a) => a.requestId === request.id),
      obligations: obligations.filter((o) => o.requestId === request.id),
    }));
  }
}
