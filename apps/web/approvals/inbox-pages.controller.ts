import { Body, Controller, Get, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { PARTIES, REQUEST_TYPES, type RequestType } from '@libs/domain/vocabulary';
import { countryName, label } from '@libs/domain/labels';
import { typeName } from '@libs/mail';
import { Public } from '../../api/auth/auth.decorators';
import { PageExceptionFilter } from '../page.filter';
import { ApiRefusal, type ApiErrorBody } from '../page-errors';
import { Pages } from '../pages';
import { PeopleNames, type NameOf } from '../people-names';
import { PageGuard, PageRoles } from '../session/page.guard';
import type { PageRequest } from '../session/web-session';
import { query, WebApi } from '../web-api';
import { lines, list, one } from '../form-values';
import { COUNTRIES, countryCodeFrom, countryInput } from '../countries';
import type { SinceLastDecided } from '@libs/domain/amendment';
import { sinceInWords } from '../../api/requests/decision-packet';

type Form = Record<string, unknown>;

interface InboxItem {
  requestId: string;
  party: string;
  onBehalfOf: string | null;
  reasons: string[];
  quorum: number;
  approvals: number;
  type: string;
  requester: { email: string; tier: string };
  destinationCountry: string;
  departureDate: string;
  returnDate: string | null;
  screeningHits: number;
  submittedAt: string;
  reference?: string;
  askedAt: string | null;
  reminderDueAt: string | null;
  escalationDueAt: string | null;
  /** When it first falls due (the stored date the due order pages on). */
  dueAt?: string | null;
  /** Set for a party asked again after an amendment. */
  sinceLastDecided?: SinceLastDecided | null;
  /** Everything the requester gave, in words. */
  packet?: Array<{ label: string; value: string }>;
}

interface Inbox {
  items: InboxItem[];
  parties: string[];
  nextCursor: string | null;
  counts: Record<string, number>;
  total: number;
}

/** Rows per page of the inbox; "More" follows the API's cursor. */
const PAGE_SIZE = 50;

interface BulkResult {
  requestId: string;
  party: string;
  status: number;
  requestStatus?: string;
  code?: string;
  message?: string;
}

interface BulkAnswer {
  decided: number;
  refused: number;
  results: BulkResult[];
}

const typeWords = (type: string): string =>
  (REQUEST_TYPES as readonly string[]).includes(type) ? typeName(type as RequestType) : type.replace(/_/g, ' ');
const partyWords = (party: string): string => label(party);

/** "Conference trip to Japan from Carol Lee". */
const rowName = (i: InboxItem, nameOf: NameOf): string =>
  `${typeWords(i.type)} to ${countryName(i.destinationCountry)} from ${nameOf(i.requester.email)}`;

/** The approver's inbox: what waits on my parties (and on those I stand in for), filters, counts and bulk approval. */
@ApiExcludeController()
@Public()
@UseGuards(PageGuard)
@UseFilters(PageExceptionFilter)
@PageRoles('approver')
@Controller('app/inbox')
export class InboxPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly people: PeopleNames,
  ) {}

  @Get()
  async inbox(@Req() req: PageRequest, @Res() res: Response, @Query() q: Record<string, unknown>): Promise<void> {
    await this.show(req, res, filtersFrom(q));
  }

  /** Approves every checked row at once; each item is answered on its own and shown with the inbox. */
  @Post('bulk')
  async bulk(@Req() req: PageRequest, @Res() res: Response, @Body() form: Form): Promise<void> {
    form = form && typeof form === 'object' ? form : {};
    const items = list(form.item).map((value) => {
      const [requestId = '', party = ''] = value.split('|');
      return { requestId, party };
    });
    const comment = one(form.comment).trim();
    const body = {
      decision: 'approve',
      items,
      ...(comment ? { comment } : {}),
      conditions: lines(form.conditions),
    };
    const filters = filtersFrom(form);
    if (items.length === 0) {
      await this.show(req, res, filters, { status: 400, problem: 'Select at least one approval to approve.' });
      return;
    }
    const api = new WebApi(req);
    if (one(form.confirmed) !== 'yes') {
      await this.confirm(req, res, filters, items, comment, one(form.conditions));
      return;
    }
    // what each chosen row was, to name it in the results (approved rows leave the inbox)
    const before = await waitingItems(api, items);
    const nameOfBefore = await this.people.of(before.map((i) => i.requester.email));
    const names = new Map(before.map((i) => [`${i.requestId}|${i.party}`, rowName(i, nameOfBefore)]));
    const answer = await api.send<BulkAnswer & ApiErrorBody>('POST', '/api/approvals/bulk', body);
    if (answer.status === 200) {
      const results = answer.body.results.map((r) => ({
        ...r,
        name: names.get(`${r.requestId}|${r.party}`) ?? `request ${r.requestId}`,
      }));
      await this.show(req, res, filters, { results: { ...answer.body, results } });
      return;
    }
    if (answer.status === 400) {
      const errors = answer.body.errors ?? [];
      const problem = errors.length
        ? errors.map((e) => `${e.field}: ${e.messages.join('; ')}`).join(' ')
        : (answer.body.message ?? 'That did not work.');
      await this.show(req, res, filters, { status: 400, problem, comment, conditions: one(form.conditions) });
      return;
    }
    throw new ApiRefusal(answer.status, answer.body);
  }

  /** Before a bulk approval acts: exactly what it will approve (reference, person, party), to confirm or go back. */
  private async confirm(
    req: PageRequest,
    res: Response,
    filters: Filters,
    items: { requestId: string; party: string }[],
    comment: string,
    conditions: string,
  ): Promise<void> {
    const waiting = await waitingItems(new WebApi(req), items);
    if (waiting.length === 0) {
      await this.show(req, res, filters, {
        status: 400,
        problem: 'None of the selected approvals is waiting on you any more.',
      });
      return;
    }
    const nameOf = await this.people.of(waiting.map((i) => i.requester.email));
    this.pages.send(req, res, 'inbox-confirm', `Approve ${waiting.length}?`, {
      data: {
        count: waiting.length,
        gone: items.length - waiting.length,
        items: waiting.map((i) => ({
          value: `${i.requestId}|${i.party}`,
          requestId: i.requestId,
          reference: i.reference ?? '',
          name: rowName(i, nameOf),
          requesterName: nameOf(i.requester.email),
          partyName: partyWords(i.party),
          onBehalfOfName: i.onBehalfOf ? nameOf(i.onBehalfOf) : null,
        })),
        comment,
        conditions,
        conditionLines: lines(conditions),
        filters,
        back: `/app/inbox${query({ party: filters.party, type: filters.type, destination: filters.destination, order: filters.order })}`,
      },
    });
  }

  private async show(
    req: PageRequest,
    res: Response,
    filters: Filters,
    extra: { status?: number; problem?: string; results?: BulkAnswer; comment?: string; conditions?: string } = {},
  ): Promise<void> {
    const api = new WebApi(req);
    const page = apiQuery;
    let problem = extra.problem ?? null;
    // a destination that is no country: said, naming the field, and left out of the query (never cut short)
    const destinationError = filters.destination && !isCountryCode(filters.destination);
    if (destinationError) {
      problem = `Destination: choose a country from the list, for example Japan ("${filters.destination}" is not one).`;
    }
    let answer = await api.send<Inbox & ApiErrorBody>(
      'GET',
      `/api/approvals/inbox${page(destinationError ? { ...filters, destination: undefined } : filters)}`,
    );
    if (answer.status === 400) {
      problem = `The filter was not understood: ${(answer.body.errors ?? []).map((e) => e.messages.join('; ')).join(' ') || answer.body.message}`;
      filters = {};
      answer = await api.send<Inbox & ApiErrorBody>('GET', `/api/approvals/inbox${page(filters)}`);
    }
    if (answer.status !== 200) throw new ApiRefusal(answer.status, answer.body);
    const inbox = answer.body;
    const nameOf = await this.people.of(inbox.items.flatMap((i) => [i.requester.email, i.onBehalfOf]));
    const results = extra.results
      ? {
          ...extra.results,
          results: extra.results.results.map((r) => ({ ...r, ok: r.status === 200 })),
        }
      : null;
    this.pages.send(req, res, 'inbox', 'Inbox', {
      status: extra.status ?? 200,
      scripts: ['inbox.js'],
      data: {
        items: inbox.items.map((item) => ({
          ...item,
          typeName: typeWords(item.type),
          partyName: partyWords(item.party),
          destinationName: countryName(item.destinationCountry),
          requesterName: nameOf(item.requester.email),
          waiting: waitingWords(item.submittedAt),
          ...dueWords(item),
          onBehalfOfName: item.onBehalfOf ? nameOf(item.onBehalfOf) : null,
          since: item.sinceLastDecided ? sinceInWords([item.sinceLastDecided])[0] : null,
          value: `${item.requestId}|${item.party}`,
          label: `Select ${rowName(item, nameOf)} for ${partyWords(item.party)}`,
        })),
        counts: Object.entries(inbox.counts).map(([party, count]) => ({ party, name: partyWords(party), count })),
        total: inbox.total,
        next: inbox.nextCursor ? `/app/inbox${query({ ...filters, cursor: inbox.nextCursor })}` : null,
        first: filters.cursor
          ? `/app/inbox${query({ party: filters.party, type: filters.type, destination: filters.destination, order: filters.order })}`
          : null,
        oldestFirst: filters.order === 'oldest',
        dueFirst: filters.order === 'due',
        countries: COUNTRIES,
        destinationText: filters.destination ? countryInput(filters.destination) : '',
        destinationError,
        orderWords: { oldest: 'oldest first', newest: 'newest first', due: 'due soonest first' }[
          filters.order ?? 'oldest'
        ],
        filtered: Boolean(filters.party || filters.type || (filters.destination && !destinationError)),
        filters,
        // only the parties the caller decides for (their own and those they stand in for)
        parties: PARTIES.filter((p) => inbox.parties.includes(p)).map((value) => ({
          value,
          name: partyWords(value),
          selected: value === filters.party,
        })),
        types: REQUEST_TYPES.map((value) => ({ value, name: typeName(value), selected: value === filters.type })),
        problem,
        results,
        comment: extra.comment ?? '',
        conditions: extra.conditions ?? '',
      },
    });
  }
}

/** How long a request has waited since it was submitted, in days ("today", "1 day", "12 days"). */
function waitingWords(submittedAt: string): string {
  const days = Math.floor((Date.now() - Date.parse(submittedAt)) / 86_400_000);
  if (!Number.isFinite(days) || days <= 0) return 'today';
  return days === 1 ? '1 day' : `${days} days`;
}

/** The chosen approvals that still wait on the caller, as the inbox shows them (one lookup per request). */
async function waitingItems(api: WebApi, items: { requestId: string; party: string }[]): Promise<InboxItem[]> {
  const found = await Promise.all(
    items.map(async ({ requestId, party }) => {
      if (!/^[0-9a-f-]{36}$/i.test(requestId)) return undefined;
      const answer = await api.send<Inbox>('GET', `/api/approvals/inbox${query({ requestId, party, limit: '100' })}`);
      return answer.status === 200 ? answer.body.items.find((i) => i.party === party) : undefined;
    }),
  );
  return found.filter((i): i is InboxItem => Boolean(i));
}

/** How close "due soon" is: a reminder or escalation falling due within this, or already past. */
const DUE_SOON_MS = 4 * 3_600_000;

/** The next thing to fall due for a row: its reminder, or once that passed, its escalation. */
function nextDue(i: InboxItem): { kind: 'Reminder' | 'Escalation'; at: string } | null {
  if (i.reminderDueAt && Date.parse(i.reminderDueAt) > Date.now()) return { kind: 'Reminder', at: i.reminderDueAt };
  if (i.escalationDueAt) return { kind: 'Escalation', at: i.escalationDueAt };
  return null;
}

/**
 * The row's deadlines in words: the next one, and once the reminder has passed, both (the due order
 * sorts by the first deadline, so a row whose reminder has passed says so).
 */
function dueWords(i: InboxItem) {
  const due = nextDue(i);
  const missed =
    due?.kind === 'Escalation' && i.reminderDueAt ? `Reminder was due ${utcMinute(i.reminderDueAt)}; ` : '';
  return {
    askedWords: i.askedAt ? utcMinute(i.askedAt) : null,
    dueWords: due
      ? `${missed}${due.kind} ${Date.parse(due.at) <= Date.now() ? 'was due' : 'due'} ${utcMinute(due.at)}`
      : null,
    dueSoon: due ? Date.parse(due.at) - Date.now() <= DUE_SOON_MS : false,
  };
}

/** "2026-11-26 14:05 UTC". */
function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

interface Filters {
  party?: string;
  type?: string;
  destination?: string;
  /** `oldest` (the page's default: a work queue), `newest`, or `due` (soonest due first, across pages: the API's sort=due). */
  order?: string;
  /** The page: the API's cursor of the page before it. */
  cursor?: string;
}

/** The API's query for a page of the inbox: "due" is the API's sort=due, whose cursor pages on in due order. */
function apiQuery(f: Filters): string {
  return f.order === 'due'
    ? query({ ...f, order: undefined, sort: 'due', limit: String(PAGE_SIZE) })
    : query({ ...f, limit: String(PAGE_SIZE) });
}

/** Whether a filter's destination is a country's code (what the picker's name became). */
const isCountryCode = (code: string): boolean => COUNTRIES.some((c) => c.code === code);

/** The inbox filters from a query or a form, as strings; the API validates them. */
function filtersFrom(source: Record<string, unknown> | undefined): Filters {
  const get = (key: string) => (source ? one(source[key]).trim() : '') || undefined;
  return {
    party: get('party'),
    type: get('type'),
    // the picker sends a country's name ("Japan"); links and the bulk form send its code
    destination: ((typed) => (typed ? countryCodeFrom(typed) : undefined))(get('destination')),
    order: get('order') === 'newest' ? 'newest' : get('order') === 'due' ? 'due' : 'oldest',
    cursor: get('cursor'),
  };
}
