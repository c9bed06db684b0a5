import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { VIA_LABELS } from '@libs/domain/labels';
import { REQUEST_STATUSES } from '@libs/domain/vocabulary';
import { Public } from '../../api/auth/auth.decorators';
import type { RequestView } from '../../api/requests/request-view';
import { COUNTRIES, countryCodeFrom, countryInput } from '../countries';
import { PageExceptionFilter } from '../page.filter';
import { ApiRefusal, type ApiErrorBody } from '../page-errors';
import { Pages } from '../pages';
import { PeopleNames, type NameOf } from '../people-names';
import { TYPE_CHOICES } from '../requests/request-form';
import { PageGuard, PageRoles } from '../session/page.guard';
import type { PageRequest } from '../session/web-session';
import { query, WebApi } from '../web-api';
import { one } from '../form-values';

/** The search fields of the audit page, as GET /api/requests takes them. */
const SEARCH_FIELDS = ['q', 'requester', 'destination', 'from', 'to', 'status', 'type'] as const;

interface ReplayResult {
  requestId: string;
  source: string;
  deterministic: boolean;
  eventCount: number;
  error?: string | null;
  policyVersion: number | null;
  decisions: {
    party: string;
    decision: string;
    decidedBy: string;
    onBehalfOf?: string | null;
    decidedAt: string;
    comment: string | null;
    conditions?: string[];
    via?: string;
    round?: number | null;
  }[];
  amendments?: { by: string; at: string }[];
  withdrawal?: { by: string; at: string; reason: string | null } | null;
  matchesRecords: boolean;
  mismatches: { field: string; history: unknown; records: unknown }[];
}

interface ChainVerification {
  ok: boolean;
  problems?: { seq?: number; kind?: string; message?: string }[];
  [key: string]: unknown;
}

/** Auditors' pages: search every request, replay its history, download its evidence, verify the audit chain. */
@ApiExcludeController()
@Public()
@UseGuards(PageGuard)
@UseFilters(PageExceptionFilter)
@PageRoles('auditor', 'admin')
@Controller('app/audit')
export class AuditPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly people: PeopleNames,
  ) {}

  @Get()
  async search(@Req() req: PageRequest, @Res() res: Response, @Query() q: Record<string, unknown>): Promise<void> {
    const filters = Object.fromEntries(SEARCH_FIELDS.map((field) => [field, one(q[field]).trim()])) as Record<
      (typeof SEARCH_FIELDS)[number],
      string
    >;
    const cursor = one(q.cursor) || undefined;
    // The destination is typed by name ("Japan") or code; the API takes the code.
    const destination = filters.destination ? countryCodeFrom(filters.destination) : '';
    const answer = await new WebApi(req).send<{ items: RequestView[]; nextCursor: string | null } & ApiErrorBody>(
      'GET',
      `/api/requests${query({ ...filters, destination, cursor, limit: 25 })}`,
    );
    if (answer.status !== 200 && answer.status !== 400) throw new ApiRefusal(answer.status, answer.body);
    const ok = answer.status === 200;
    const items = ok ? answer.body.items : [];
    const nameOf = await this.people.of(items.map((r) => r.requester.email));
    this.pages.send(req, res, 'audit', 'Audit', {
      status: ok ? 200 : 400,
      data: {
        filters: { ...filters, destination: countryInput(destination || filters.destination) },
        countries: COUNTRIES,
        searched: SEARCH_FIELDS.some((field) => filters[field]),
        errors: ok ? [] : (answer.body.errors ?? [{ field: 'q', messages: [answer.body.message ?? 'not valid'] }]),
        items: items.map((r) => ({ ...r, requesterName: nameOf(r.requester.email) })),
        next:
          ok && answer.body.nextCursor ? `/app/audit${query({ ...filters, cursor: answer.body.nextCursor })}` : null,
        statuses: REQUEST_STATUSES.map((value) => ({ value, selected: value === filters.status })),
        types: TYPE_CHOICES.map((t) => ({ ...t, selected: t.type === filters.type })),
      },
    });
  }

  @Get('chain')
  async chain(@Req() req: PageRequest, @Res() res: Response): Promise<void> {
    const result = await new WebApi(req).get<ChainVerification>('/api/audit/chain/verify');
    const { ok, problems, ...rest } = result;
    this.pages.send(req, res, 'audit-chain', 'Audit chain', {
      data: {
        ok,
        problems: (problems ?? []).map((p) => p.message ?? JSON.stringify(p)),
        facts: Object.entries(rest).map(([name, value]) => ({
          name,
          value: typeof value === 'string' ? value : JSON.stringify(value),
        })),
      },
    });
  }

  /** The routing policy, read-only: the version in force or any published one, and the list of versions. */
  @Get('policy')
  async policy(@Req() req: PageRequest, @Res() res: Response, @Query('version') version?: unknown): Promise<void> {
    const api = new WebApi(req);
    const wanted = one(version);
    const shown = await api.get<{ version: number; createdBy: string; createdAt: string }>(
      /^\d{1,9}$/.test(wanted) ? `/api/policy/versions/${wanted}` : '/api/policy',
    );
    const versions =
      await api.get<{ version: number; createdBy: string; createdAt: string; description?: string }[]>(
        '/api/policy/versions',
      );
    this.pages.send(req, res, 'audit-policy', `Policy version ${shown.version}`, {
      data: { shown, versions: versions.map((v) => ({ ...v, current: v.version === shown.version })) },
    });
  }

  @Get('requests/:id')
  async request(@Req() req: PageRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.sendRequest(req, res, id);
  }

  @Post('requests/:id/replay')
  @HttpCode(200)
  async replay(@Req() req: PageRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const replay = await new WebApi(req).post<ReplayResult>(`/api/audit/requests/${encodeURIComponent(id)}/replay`);
    await this.sendRequest(req, res, id, replay);
  }

  @Get('requests/:id/evidence')
  async evidence(@Req() req: PageRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await passThrough(req, res, `/api/audit/requests/${encodeURIComponent(id)}/evidence`);
  }

  @Get('requests/:id/history')
  async history(@Req() req: PageRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await passThrough(req, res, `/api/audit/requests/${encodeURIComponent(id)}/history`);
  }

  /** The names of everyone the replay mentions (deciders, those they stood in for, amenders, the withdrawer). */
  private namesIn(replay: ReplayResult): Promise<NameOf> {
    return this.people.of([
      ...replay.decisions.flatMap((d) => [d.decidedBy, d.onBehalfOf]),
      ...(replay.amendments ?? []).map((a) => a.by),
      replay.withdrawal?.by,
    ]);
  }

  private async sendRequest(req: PageRequest, res: Response, id: string, replay?: ReplayResult): Promise<void> {
    const view = await new WebApi(req).get<RequestView>(`/api/requests/${encodeURIComponent(id)}`);
    this.pages.send(req, res, 'audit-request', `Audit of request ${view.reference ?? view.id.slice(0, 8)}`, {
      data: {
        r: view,
        replay: replay ? replayInWords(replay, await this.namesIn(replay)) : null,
      },
    });
  }
}

const json = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** The replay's answer as an auditor reads it: yes/no, where the history came from, each decision in words. */
function replayInWords(replay: ReplayResult, nameOf: NameOf) {
  return {
    ...replay,
    amendments: (replay.amendments ?? []).map((a) => ({ ...a, byName: nameOf(a.by) })),
    withdrawal: replay.withdrawal ? { ...replay.withdrawal, byName: nameOf(replay.withdrawal.by) } : null,
    deterministicWords: yesNo(replay.deterministic),
    matchesRecordsWords: yesNo(replay.matchesRecords),
    sourceWords: replay.source === 'archive' ? 'the archived copy (its SHA-256 is on the audit chain)' : 'Temporal',
    decisions: replay.decisions.map((d) => ({
      ...d,
      decidedByName: nameOf(d.decidedBy),
      onBehalfOfName: d.onBehalfOf ? nameOf(d.onBehalfOf) : null,
      channel: d.via ? (VIA_LABELS[d.via] ?? d.via) : null,
      conditions: d.conditions ?? [],
    })),
    mismatches: replay.mismatches.map((m) => ({ ...m, history: json(m.history), records: json(m.records) })),
  };
}

const PASSED_HEADERS = ['content-type', 'content-disposition', 'x-history-source', 'x-history-sha256'];

/** Streams an API answer through to the browser with its type and file name; errors become error pages. */
export async function passThrough(req: PageRequest, res: Response, path: string): Promise<void> {
  const answer = await new WebApi(req).raw('GET', path);
  if (!answer.ok || !answer.body) {
    const text = await answer.text();
    let body: ApiErrorBody = {};
    try {
      body = JSON.parse(text) as ApiErrorBody;
    } catch {
      body = { message: `the API answered ${answer.status}` };
    }
    throw new ApiRefusal(answer.status, body);
  }
  res.status(200).setHeader('Cache-Control', 'no-store');
  for (const name of PASSED_HEADERS) {
    const value = answer.headers.get(name);
    if (value) res.setHeader(name, value);
  }
  await new Promise<void>((resolve, reject) => {
    Readable.fromWeb(answer.body as unknown as NodeReadableStream<Uint8Array>)
      .on('error', reject)
      .pipe(res)
      .on('finish', resolve)
      .on('error', reject);
  });
}
