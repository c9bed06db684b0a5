import { Injectable } from '@nestjs/common';
import { sinceLastDecided, type SinceLastDecided } from '@libs/domain/amendment';
import type { Person } from '@libs/domain/person';
import { dueDates } from '@libs/domain/due-dates';
import { packetRows } from '@libs/domain/labels';
import type { Party } from '@libs/domain/vocabulary';
import { RequestRepository, type InboxFilter, type InboxRow } from '@libs/persistence';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { DomainError } from '../common/domain-error';
import { RequestsService } from '../requests/requests.service';

export interface InboxOptions {
  party?: Party;
  type?: string;
  destination?: string;
  requestId?: string;
  limit: number;
  cursor?: string;
  order?: 'newest' | 'oldest';
  /** `submitted` (the default: by submission, in `order`) or `due`: soonest due first, across pages. */
  sort?: 'submitted' | 'due';
}

/**
 * An approver's inbox, a page at a time: what waits on their parties and, while a delegation is in
 * force, on their delegators' parties (pending now, so pending during the window). Counts per party
 * come from one aggregate query, never from loading the rows.
 */
@Injectable()
export class InboxService {
  constructor(
    private readonly requests: RequestRepository,
    private readonly service: RequestsService,
  ) {}

  /**
   * For each row of a request in a later round (asked again after an amendment): what its party
   * decided last time and what changed since. One read of the decision history for the whole page.
   */
  private async sinceLastDecided(rows: InboxRow[]): Promise<Array<SinceLastDecided | null>> {
    const amended = rows.filter((row) => row.request.round > 1).map((row) => row.request.id);
    const histories = await this.requests.decisionHistoriesFor(amended);
    return rows.map(({ request, approval }) => {
      const history = histories.get(request.id);
      return history ? sinceLastDecided(approval.party, request.round, history.decisions, history.amendments) : null;
    });
  }

  async inbox(person: Person, options: InboxOptions) {
    const own = new Set(person.parties.map((m) => m.party));
    const standIns = await this.service.standingInFor(person);
    const parties = (await this.service.partiesOf(person)).filter((p) => !options.party || p === options.party);
    const filter: InboxFilter = {
      parties,
      caller: person.email,
      type: options.type,
      destination: options.destination?.toUpperCase(),
      requestId: options.requestId,
      order: options.order,
    };
    const due = options.sort === 'due';
    const rows = due
      ? await this.requests.inboxDuePage({
          ...filter,
          limit: options.limit + 1,
          after: options.cursor ? duePosition(options.cursor) : undefined,
        })
      : await this.requests.inboxPage({
          ...filter,
          limit: options.limit + 1,
          after: options.cursor ? inboxPosition(options.cursor) : undefined,
        });
    const page = rows.slice(0, options.limit);
    const found = await this.requests.inboxCounts(filter);
    const since = await this.sinceLastDecided(page);
    const counts = Object.fromEntries(parties.map((p) => [p, found[p] ?? 0]));
    const last = page[page.length - 1];
    return {
      items: page.map((row, i) => ({
        ...toInboxItem(row, own, standIns),
        /** For a party asked again after an amendment: what it decided last time, and what changed since. */
        sinceLastDecided: since[i],
      })),
      /** Every party the caller may filter on: their own and, while a delegation is in force, their delegators'. */
      parties: await this.service.partiesOf(person),
      nextCursor:
        rows.length <= options.limit
          ? null
          : due
            ? encodeCursor({
                createdAt: last.approval.dueAt ?? '',
                id: `${DUE_CURSOR}/${last.request.id}/${last.approval.party}`,
              })
            : encodeCursor({ createdAt: last.request.createdAt, id: `${last.request.id}/${last.approval.party}` }),
      counts,
      total: Object.values(counts).reduce((sum, n) => sum + n, 0),
    };
  }
}

/** The shared cursor names the page's last approval: its request's creation and `requestId/party`. */
function inboxPosition(cursor: string) {
  const { createdAt, id } = decodeCursor(cursor);
  const [requestId, party, ...rest] = id.split('/');
  if (!requestId || !party || rest.length > 0) {
    throw DomainError.validation([{ field: 'cursor', messages: ['cursor is not one this API gave out'] }]);
  }
  return { createdAt, requestId, party };
}

/** Marks a cursor of the due order, so one of the other order is refused rather than misread. */
const DUE_CURSOR = 'due';

/** A due order's cursor: the page's last approval's due date ('' when none is known), `due/requestId/party`. */
function duePosition(cursor: string) {
  const { createdAt, id } = decodeCursor(cursor);
  const [mark, requestId, party, ...rest] = id.split('/');
  if (mark !== DUE_CURSOR || !requestId || !party || rest.length > 0) {
    throw DomainError.validation([{ field: 'cursor', messages: ['cursor is not one this API gave out for sort=due'] }]);
  }
  return { dueAt: createdAt === '' ? null : createdAt, requestId, party };
}

function toInboxItem({ request, approval }: InboxRow, own: Set<Party>, standIns: Person[]) {
  return {
    requestId: request.id,
    reference: request.reference,
    party: approval.party,
    onBehalfOf: own.has(approval.party as Party)
      ? null
      : (standIns.find((p) => p.parties.some((m) => m.party === approval.party))?.email ?? null),
    stageIndex: approval.stageIndex,
    reasons: approval.reasons,
    quorum: approval.quorum,
    approvals: approval.approvedBy.length,
    type: request.type,
    requester: { email: request.requesterEmail, tier: request.requesterTier },
    destinationCountry: request.destinationCountry,
    departureDate: request.departureDate,
    returnDate: request.returnDate,
    purpose: request.purpose,
    screeningHits: request.screeningHits.length,
    submittedAt: request.createdAt,
    ...dueDates(request.plan, approval.party, approval.askedAt),
    /** The stored due date the due order pages on (the same function wrote it when the party was asked). */
    dueAt: approval.dueAt,
    /** Everything the requester gave, in words (the decision packet's rows): the inbox row opens onto it. */
    packet: packetRows(request),
  };
}
