import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { diffLines } from 'diff';
import type { Response } from 'express';
import { countryName, label } from '@libs/domain/labels';
import { PARTIES, TIERS } from '@libs/domain/vocabulary';
import { Public } from '../../api/auth/auth.decorators';
import type { PersonView } from '../../api/directory/person-view';
import type { RequestView } from '../../api/requests/request-view';
import type { EntryView } from '../../api/screening/screening.controller';
import { PageExceptionFilter } from '../page.filter';
import { COUNTRIES, countryCodeFrom } from '../countries';
import { ApiRefusal, messagesByField, type ApiErrorBody } from '../page-errors';
import { Pages } from '../pages';
import { PageGuard, PageRoles } from '../session/page.guard';
import type { PageRequest } from '../session/web-session';
import { query, WebApi } from '../web-api';
import { one } from '../form-values';

type Form = Record<string, unknown>;
type FieldError = { field: string; messages: string[] };
interface RowError {
  row: number;
  field: string;
  message: string;
}
interface StoredPolicy {
  version: number;
  createdBy?: string;
  createdAt?: string;
  [key: string]: unknown;
}
interface ValidateAnswer {
  valid: boolean;
  problems: FieldError[];
  document: unknown;
  current: StoredPolicy;
}

/** The document an admin edits: a stored version without its bookkeeping. */
function documentOf(stored: StoredPolicy): Record<string, unknown> {
  const { version: _v, createdBy: _b, createdAt: _a, changeReason: _r, ...document } = stored;
  return document;
}

const pretty = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The same value with every object's keys sorted, so a diff shows changed values, not moved keys. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, sortedKeys(record[key])]),
  );
}

/** A policy field path in words: `routes.conference.0.party` → "Routes › Conference › item 1 › Party". */
export function policyFieldWords(field: string): string {
  return field
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? `item ${Number(part) + 1}` : label(part)))
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' › ');
}

/** Where a JSON text first goes wrong: the shortest prefix that fails for a reason other than ending early. */
export function jsonSyntaxProblem(
  text: string,
): { line: number; column: number; source: string; message: string } | null {
  const failure = (candidate: string): string | null => {
    try {
      JSON.parse(candidate);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
  const whole = failure(text);
  if (whole === null) return null;
  // A text that only stops too soon fails at its end (V8 names that position, or says "end of JSON input").
  const endsEarly = (m: string | null, length: number) =>
    m !== null && (/Unexpected end of JSON input|Unterminated string/.test(m) || m.includes(`at position ${length}`));
  let offset: number;
  if (!endsEarly(whole, text.length)) {
    // A mistake spoils every longer text too, so the first bad character is found by bisection.
    let good = 0;
    let bad = text.length;
    while (bad - good > 1) {
      const mid = Math.floor((good + bad) / 2);
      const m = failure(text.slice(0, mid));
      if (m === null || endsEarly(m, mid)) good = mid;
      else bad = mid;
    }
    offset = bad - 1;
  } else {
    offset = text.trimEnd().length;
  }
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  const message = whole
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'The text ends before the JSON is complete');
  return { line, column, source: (text.split('\n')[line - 1] ?? '').replace(/\r$/, ''), message };
}

/** Lines of a line diff, each marked added, removed or unchanged. */
function lineDiff(before: string, after: string) {
  const lines: { cls: string; sign: string; text: string }[] = [];
  for (const part of diffLines(before, after)) {
    const cls = part.added ? 'diff-add' : part.removed ? 'diff-del' : '';
    const sign = part.added ? '+' : part.removed ? '-' : ' ';
    for (const text of part.value.replace(/\n$/, '').split('\n')) lines.push({ cls, sign, text });
  }
  return {
    lines,
    added: lines.filter((l) => l.sign === '+').length,
    removed: lines.filter((l) => l.sign === '-').length,
    changed: Math.max(lines.filter((l) => l.sign === '+').length, lines.filter((l) => l.sign === '-').length),
  };
}

const NOTICES: Record<string, string> = {
  person: 'The change was saved. It applies to requests submitted from now on.',
  entry: 'The entry was added. Requests submitted from now on are screened against it.',
  edited: 'The entry was changed. Requests submitted from now on are screened against it as it is now.',
  removed: 'The entry was removed. Requests submitted from now on no longer match it.',
};

/** A UUID, the only shape of an entry id: anything else is not looked up. */
const ENTRY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The day `days` before a YYYY-MM-DD day. */
function dayBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

interface SimulatedOutcome {
  stages: string[][];
  blocked: string[];
  authorizations: string[];
}

interface SimulationAnswer {
  requests: number;
  changed: Array<{ requestId: string; reference: string | null; before: SimulatedOutcome; after: SimulatedOutcome }>;
}

/** "Stage 1: HR, Security; needs Official exit approval; blocked by embargoed_destination". */
function outcomeInWords(o: SimulatedOutcome): string {
  const stages = o.stages.map((parties, i) => `stage ${i + 1}: ${parties.map(label).join(', ')}`).join('; ');
  const needs = o.authorizations.length
    ? `; needs ${o.authorizations.map((a) => label(a.split(':')[0])).join(', ')}`
    : '';
  const blocked = o.blocked.length ? `; blocked by ${o.blocked.join(', ')}` : '';
  return `${stages || 'no stage'}${needs}${blocked}`;
}

/** Admins' pages: the routing policy (check, diff, publish), the restricted-party list, the personnel directory. */
@ApiExcludeController()
@Public()
@UseGuards(PageGuard)
@UseFilters(PageExceptionFilter)
@PageRoles('admin')
@Controller('app/admin')
export class AdminPagesController {
  constructor(private readonly pages: Pages) {}

  @Get()
  index(@Req() req: PageRequest, @Res() res: Response): void {
    this.pages.send(req, res, 'admin', 'Admin');
  }

  // ---- external authorizations

  /** What is pending with the authorities: requests every party approved that wait on a grant, soonest departure first. */
  @Get('authorizations')
  async authorizations(@Req() req: PageRequest, @Res() res: Response): Promise<void> {
    const { items } = await new WebApi(req).get<{ items: RequestView[] }>(
      `/api/requests${query({ status: 'awaiting_authorization', limit: '100' })}`,
    );
    const rows = items
      .map((r) => ({
        id: r.id,
        reference: r.reference ?? r.id,
        requester: r.requester.email,
        type: r.type,
        destinationCountry: r.destinationCountry,
        departureDate: r.departureDate,
        returnDate: r.returnDate,
        pending: r.authorizations
          .filter((a) => a.blocks === 'approval' && a.status !== 'granted')
          .map((a) => ({
            label: a.label,
            authority: a.authority,
            status: a.status,
            reference: a.reference,
            applyBy: dayBefore(r.departureDate, a.leadTimeDays),
          })),
      }))
      .sort((a, b) => a.departureDate.localeCompare(b.departureDate));
    this.pages.send(req, res, 'admin-authorizations', 'External authorizations', { data: { rows } });
  }

  // ---- policy

  @Get('policy')
  async policy(@Req() req: PageRequest, @Res() res: Response, @Query('published') published?: string): Promise<void> {
    const current = await new WebApi(req).get<StoredPolicy>('/api/policy');
    await this.sendPolicy(req, res, current, pretty(documentOf(current)), {
      notice: typeof published === 'string' && /^\d{1,9}$/.test(published) ? `Published version ${published}.` : null,
    });
  }

  @Post('policy/check')
  @HttpCode(200)
  async checkPolicy(@Req() req: PageRequest, @Res() res: Response, @Body() form: Form): Promise<void> {
    const text = one(form?.policy);
    const checked = await this.checked(req, res, text);
    if (!checked) return;
    const { api, current, document } = checked;
    const diff = lineDiff(pretty(sortedKeys(documentOf(current))), pretty(sortedKeys(document)));
    // The draft's impact on the last 90 days of requests (POST /api/policy/simulate): nothing changes.
    const since = new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10);
    const simulated = await api.send<SimulationAnswer & ApiErrorBody>('POST', '/api/policy/simulate', {
      policy: document,
      since,
    });
    if (simulated.status !== 200) throw new ApiRefusal(simulated.status, simulated.body);
    const impact = {
      since,
      requests: simulated.body.requests,
      changed: simulated.body.changed.map((c) => ({
        requestId: c.requestId,
        reference: c.reference ?? c.requestId,
        before: outcomeInWords(c.before),
        after: outcomeInWords(c.after),
      })),
    };
    await this.sendPolicy(req, res, current, text, { checked: true, diff, impact });
  }

  /**
   * Publishing takes two steps: Publish shows what changes and asks why; "Confirm and publish" with a
   * reason publishes (PUT /api/policy, the reason in X-Change-Reason, kept with the version).
   */
  @Post('policy/publish')
  async publishPolicy(@Req() req: PageRequest, @Res() res: Response, @Body() form: Form): Promise<void> {
    const text = one(form?.policy);
    const reason = one(form?.reason).trim();
    const checked = await this.checked(req, res, text);
    if (!checked) return;
    const { api, current, document } = checked;
    const diff = lineDiff(pretty(sortedKeys(documentOf(current))), pretty(sortedKeys(document)));
    const confirming = { confirm: true, diff, next: current.version + 1, reason };
    if (one(form?.confirmed) !== 'yes') {
      await this.sendPolicy(req, res, current, text, confirming);
      return;
    }
    if (!reason) {
      await this.sendPolicy(
        req,
        res,
        current,
        text,
        { ...confirming, reasonError: 'Give the reason for this change: it is kept with the version.' },
        400,
      );
      return;
    }
    const answer = await api.send<StoredPolicy & ApiErrorBody>('PUT', '/api/policy', document, 'application/json', {
      'x-change-reason': encodeURIComponent(reason),
    });
    if (answer.status === 200) {
      res.redirect(303, `/app/admin/policy?published=${answer.body.version}`);
      return;
    }
    if (answer.status !== 400) throw new ApiRefusal(answer.status, answer.body);
    const errors = answer.body.errors ?? [{ field: 'policy', messages: [answer.body.message ?? 'not valid'] }];
    await this.sendPolicy(req, res, current, text, { errors: problemsInWords(errors) }, 400);
  }

  /** The draft parsed and validated; or the page with its problems sent, and null. */
  private async checked(
    req: PageRequest,
    res: Response,
    text: string,
  ): Promise<{ api: WebApi; current: StoredPolicy; document: unknown } | null> {
    const api = new WebApi(req);
    const parsed = parseJson(text);
    if ('problem' in parsed) {
      const current = await api.get<StoredPolicy>('/api/policy');
      const errors = [{ field: 'policy', named: 'The policy', messages: [parsed.problem] }];
      await this.sendPolicy(req, res, current, text, { errors, syntax: parsed.syntax }, 400);
      return null;
    }
    const answer = await api.send<ValidateAnswer & ApiErrorBody>('POST', '/api/policy/validate', parsed.value);
    if (answer.status !== 200) throw new ApiRefusal(answer.status, answer.body);
    const { valid, problems, document, current } = answer.body;
    if (!valid) {
      await this.sendPolicy(req, res, current, text, { errors: problemsInWords(problems) }, 400);
      return null;
    }
    return { api, current, document };
  }

  private async sendPolicy(
    req: PageRequest,
    res: Response,
    current: StoredPolicy,
    text: string,
    data: object,
    status = 200,
  ): Promise<void> {
    const versions = await new WebApi(req).get<
      { version: number; createdBy: string; createdAt: string; description?: string; changeReason: string | null }[]
    >('/api/policy/versions');
    this.pages.send(req, res, 'admin-policy', 'Routing policy', {
      status,
      data: {
        current: { version: current.version, createdBy: current.createdBy, createdAt: current.createdAt },
        text,
        versions: versions.slice(0, 10),
        ...data,
      },
    });
  }

  // ---- screening list

  /** The list; `?edit=<id>` opens an entry's edit form, `?remove=<id>` asks to confirm its removal. */
  @Get('screening')
  async screening(@Req() req: PageRequest, @Res() res: Response, @Query() q: Form): Promise<void> {
    const data: Record<string, unknown> = { notice: NOTICES[one(q?.done)] ?? null };
    const editId = one(q?.edit);
    const removeId = one(q?.remove);
    if (editId) {
      const entry = await this.screeningEntry(new WebApi(req), editId);
      if (!entry.removal) {
        data.edit = { id: entry.id, was: entry, name: entry.name, country: entry.country, source: entry.source };
      }
    } else if (removeId) {
      const entry = await this.screeningEntry(new WebApi(req), removeId);
      if (!entry.removal) data.removing = entry;
    }
    await this.sendScreening(req, res, q ?? {}, data);
  }

  /**
   * One entry by hand (POST /api/screening/entries); the API's field errors come back beside the fields,
   * and an entry already on the list (409) as "Already on the list: …" beside the form.
   */
  @Post('screening/entries')
  async addScreeningEntry(@Req() req: PageRequest, @Res() res: Response, @Body() form: Form): Promise<void> {
    const entry = {
      name: one(form?.name).trim(),
      country: countryCodeFrom(one(form?.country)) || null,
      source: one(form?.source).trim(),
    };
    const answer = await new WebApi(req).send<ApiErrorBody>('POST', '/api/screening/entries', entry);
    if (answer.status === 201 || answer.status === 200) {
      res.redirect(303, '/app/admin/screening?done=entry');
      return;
    }
    if (answer.status === 409) {
      await this.sendScreening(req, res, {}, { entry, entryDuplicate: alreadyListed(answer.body) }, 409);
      return;
    }
    if (answer.status !== 400) throw new ApiRefusal(answer.status, answer.body);
    const entryErrors = messagesByField(answer.body);
    await this.sendScreening(req, res, {}, { entry, entryErrors }, 400);
  }

  /**
   * An entry's Edit: the list page shows the entry's form with a reason (`?edit=<id>`); this saves it
   * (PATCH /api/screening/entries/:id with the reason, audited). A duplicate (409) is said beside the form.
   */
  @Post('screening/entries/:id')
  async editScreeningEntry(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() form: Form,
  ): Promise<void> {
    const api = new WebApi(req);
    const current = await this.screeningEntry(api, id);
    const edit = {
      id: current.id,
      was: current,
      name: one(form?.name).trim(),
      country: countryCodeFrom(one(form?.country)) || null,
      source: one(form?.source).trim(),
      reason: one(form?.reason).trim(),
    };
    if (!edit.reason) {
      const editErrors = { reason: 'Give the reason for this change: it is kept in the audit trail.' };
      await this.sendScreening(req, res, {}, { edit, editErrors }, 400);
      return;
    }
    const answer = await api.send<ApiErrorBody>('PATCH', `/api/screening/entries/${encodeURIComponent(current.id)}`, {
      name: edit.name,
      country: edit.country,
      source: edit.source,
      reason: edit.reason,
    });
    if (answer.status === 200) {
      res.redirect(303, '/app/admin/screening?done=edited');
      return;
    }
    if (answer.status === 409) {
      await this.sendScreening(req, res, {}, { edit, editDuplicate: alreadyListed(answer.body) }, 409);
      return;
    }
    if (answer.status !== 400) throw new ApiRefusal(answer.status, answer.body);
    await this.sendScreening(req, res, {}, { edit, editErrors: messagesByField(answer.body) }, 400);
  }

  /**
   * An entry's Remove: the list page asks for confirmation, showing the entry, and a reason
   * (`?remove=<id>`); this removes it (DELETE /api/screening/entries/:id with the reason, audited).
   */
  @Post('screening/entries/:id/remove')
  async removeScreeningEntry(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() form: Form,
  ): Promise<void> {
    const api = new WebApi(req);
    const current = await this.screeningEntry(api, id);
    const reason = one(form?.reason).trim();
    if (!reason) {
      const removeError = 'Give the reason for removing the entry: it is kept in the audit trail.';
      await this.sendScreening(req, res, {}, { removing: current, removeError }, 400);
      return;
    }
    const answer = await api.send<ApiErrorBody>('DELETE', `/api/screening/entries/${encodeURIComponent(current.id)}`, {
      reason,
    });
    if (answer.status === 200) {
      res.redirect(303, '/app/admin/screening?done=removed');
      return;
    }
    if (answer.status === 409) {
      await this.sendScreening(req, res, {}, { removing: current, removeError: answer.body.message }, 409);
      return;
    }
    throw new ApiRefusal(answer.status, answer.body);
  }

  /** The entry an Edit or Remove is about (GET /api/screening/entries/:id); the not-found page when there is none. */
  private async screeningEntry(api: WebApi, id: string): Promise<EntryView> {
    if (!ENTRY_ID.test(id)) throw new ApiRefusal(404, { message: 'There is no such entry on the list.' });
    const answer = await api.send<EntryView & ApiErrorBody>('GET', `/api/screening/entries/${encodeURIComponent(id)}`);
    if (answer.status !== 200) throw new ApiRefusal(answer.status, answer.body);
    return answer.body;
  }

  @Post('screening/import')
  @HttpCode(200)
  async importScreening(@Req() req: PageRequest, @Res() res: Response, @Body() form: Form): Promise<void> {
    const csv = one(form?.csv);
    const mode = one(form?.mode) || 'replace';
    if (!csv.trim()) {
      await this.sendScreening(
        req,
        res,
        {},
        { csv, mode, errors: [{ field: 'csv', messages: ['Paste the CSV first.'] }] },
        400,
      );
      return;
    }
    const answer = await new WebApi(req).send<
      { imported: number; skipped: number; replaced: number; errors: RowError[] } & ApiErrorBody
    >('POST', `/api/screening/import${query({ mode })}`, csv, 'text/csv');
    if (answer.status === 200) {
      await this.sendScreening(req, res, {}, { report: answer.body, mode });
      return;
    }
    if (answer.status !== 400) throw new ApiRefusal(answer.status, answer.body);
    const errors = answer.body.errors ?? [{ field: 'csv', messages: [answer.body.message ?? 'not valid'] }];
    await this.sendScreening(req, res, {}, { csv, mode, errors }, 400);
  }

  private async sendScreening(req: PageRequest, res: Response, q: Form, data: object, status = 200): Promise<void> {
    const filters = {
      q: one(q.q).trim(),
      source: one(q.source).trim(),
      includeRemoved: one(q.includeRemoved) === 'true' ? 'true' : undefined,
    };
    const cursor = one(q.cursor) || undefined;
    const answer = await new WebApi(req).send<{ items: EntryView[]; nextCursor: string | null } & ApiErrorBody>(
      'GET',
      `/api/screening/entries${query({ ...filters, cursor, limit: 50 })}`,
    );
    if (answer.status !== 200 && answer.status !== 400) throw new ApiRefusal(answer.status, answer.body);
    const ok = answer.status === 200;
    this.pages.send(req, res, 'admin-screening', 'Restricted-party list', {
      status: ok ? status : 400,
      data: {
        filters,
        mode: 'replace',
        countries: COUNTRIES,
        entries: ok ? answer.body.items : [],
        next:
          ok && answer.body.nextCursor
            ? `/app/admin/screening${query({ ...filters, cursor: answer.body.nextCursor })}`
            : null,
        ...(ok ? {} : { problem: answer.body.message ?? 'The filter is not valid.' }),
        ...data,
      },
    });
  }

  // ---- personnel directory

  @Get('directory')
  async directory(@Req() req: PageRequest, @Res() res: Response, @Query() q: Form): Promise<void> {
    await this.sendDirectory(req, res, q ?? {}, { notice: NOTICES[one(q?.done)] ?? null });
  }

  /**
   * A change of tier or flags takes two steps: the row's Change shows what changes (from → to) and
   * asks why; "Confirm the change" with a reason writes it (PUT, reason in X-Change-Reason, audited).
   */
  @Post('directory/people/:email')
  async changePerson(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('email') email: string,
    @Body() form: Form,
  ): Promise<void> {
    const api = new WebApi(req);
    const path = `/api/directory/people/${encodeURIComponent(email)}`;
    const person = await api.get<PersonView>(path);
    const tierChoice = one(form?.tier);
    const next = {
      tier: tierChoice === 'none' || tierChoice === '' ? null : tierChoice,
      classifiedAccess: one(form?.classifiedAccess) === 'true',
      confidentialityPeriodEnds: one(form?.confidentialityPeriodEnds).trim() || null,
    };
    const yesNo = (v: boolean) => (v ? 'yes' : 'no');
    const changes = [
      {
        what: 'Tier',
        from: label(person.tier ?? 'none'),
        to: label(next.tier ?? 'none'),
        same: person.tier === next.tier,
      },
      {
        what: 'Classified access',
        from: yesNo(person.flags.classifiedAccess),
        to: yesNo(next.classifiedAccess),
        same: person.flags.classifiedAccess === next.classifiedAccess,
      },
      {
        what: 'Confidentiality period ends',
        from: person.flags.confidentialityPeriodEnds ?? 'none',
        to: next.confidentialityPeriodEnds ?? 'none',
        same: person.flags.confidentialityPeriodEnds === next.confidentialityPeriodEnds,
      },
    ].filter((c) => !c.same);
    const reason = one(form?.reason).trim();
    const confirm = { email: person.email, name: person.name, changes, next, reason };
    if (changes.length === 0) {
      await this.sendDirectory(req, res, { q: person.email }, { notice: `Nothing changed for ${person.name}.` });
      return;
    }
    if (one(form?.confirmed) !== 'yes' || !reason) {
      const reasonError =
        one(form?.confirmed) === 'yes' ? 'Give the reason for this change: it is kept in the audit trail.' : null;
      await this.sendDirectory(req, res, { q: person.email }, { confirm, reasonError }, reasonError ? 400 : 200);
      return;
    }
    const answer = await api.send<ApiErrorBody>(
      'PUT',
      path,
      {
        name: person.name,
        tier: next.tier,
        roles: person.roles,
        managerEmail: person.managerEmail,
        classifiedAccess: next.classifiedAccess,
        confidentialityPeriodEnds: next.confidentialityPeriodEnds,
        parties: person.parties,
      },
      'application/json',
      { 'x-change-reason': encodeURIComponent(reason) },
    );
    if (answer.status === 400) {
      const fieldErrors = messagesByField(answer.body);
      await this.sendDirectory(req, res, { q: person.email }, { confirm, fieldErrors }, 400);
      return;
    }
    if (answer.status !== 200 && answer.status !== 201) throw new ApiRefusal(answer.status, answer.body);
    res.redirect(303, `/app/admin/directory${query({ q: person.email, done: 'person' })}`);
  }

  @Post('directory/import')
  @HttpCode(200)
  async importDirectory(@Req() req: PageRequest, @Res() res: Response, @Body() form: Form): Promise<void> {
    const csv = one(form?.csv);
    const dryRun = one(form?.dryRun) === 'true';
    if (!csv.trim()) {
      await this.sendDirectory(
        req,
        res,
        {},
        { csv, dryRun, errors: [{ field: 'csv', messages: ['Paste the CSV first.'] }] },
        400,
      );
      return;
    }
    const answer = await new WebApi(req).send<
      {
        dryRun: boolean;
        rows: number;
        imported: number;
        created: number;
        updated: number;
        errors?: RowError[];
      } & ApiErrorBody
    >('POST', `/api/directory/import${query({ dryRun: dryRun ? 'true' : undefined })}`, csv, 'text/csv');
    if (answer.status === 200 || (answer.status === 400 && answer.body.rows !== undefined)) {
      await this.sendDirectory(
        req,
        res,
        {},
        { report: answer.body, csv: answer.status === 200 ? '' : csv, dryRun },
        answer.status,
      );
      return;
    }
    if (answer.status !== 400) throw new ApiRefusal(answer.status, answer.body);
    const errors = answer.body.errors ?? [{ field: 'csv', messages: [answer.body.message ?? 'not valid'] }];
    await this.sendDirectory(req, res, {}, { csv, dryRun, errors }, 400);
  }

  private async sendDirectory(req: PageRequest, res: Response, q: Form, data: object, status = 200): Promise<void> {
    const filters = { q: one(q.q).trim(), tier: one(q.tier), party: one(q.party) };
    const cursor = one(q.cursor) || undefined;
    const answer = await new WebApi(req).send<{ items: PersonView[]; nextCursor: string | null } & ApiErrorBody>(
      'GET',
      `/api/directory/people${query({ ...filters, cursor, limit: 50 })}`,
    );
    if (answer.status !== 200 && answer.status !== 400) throw new ApiRefusal(answer.status, answer.body);
    const ok = answer.status === 200;
    const tiers = [...TIERS, 'none'];
    this.pages.send(req, res, 'admin-directory', 'Personnel directory', {
      status: ok ? status : 400,
      data: {
        filters,
        tiers: tiers.map((value) => ({ value, selected: value === filters.tier })),
        parties: PARTIES.map((value) => ({ value, selected: value === filters.party })),
        people: ok
          ? answer.body.items.map((p) => ({
              ...p,
              tierChoices: tiers.map((value) => ({ value, selected: value === (p.tier ?? 'none') })),
            }))
          : [],
        next:
          ok && answer.body.nextCursor
            ? `/app/admin/directory${query({ ...filters, cursor: answer.body.nextCursor })}`
            : null,
        ...(ok ? {} : { problem: answer.body.message ?? 'The filter is not valid.' }),
        ...data,
      },
    });
  }
}

function parseJson(
  text: string,
): { value: unknown } | { problem: string; syntax?: ReturnType<typeof jsonSyntaxProblem> } {
  if (!text.trim()) return { problem: 'The policy is empty.' };
  const syntax = jsonSyntaxProblem(text);
  if (!syntax) return { value: JSON.parse(text) as unknown };
  return {
    problem: `This is not JSON: line ${syntax.line}, column ${syntax.column}: ${syntax.message}.`,
    syntax,
  };
}

/** Validation problems with the field named in words beside its path. */
function problemsInWords(problems: FieldError[]) {
  return problems.map((p) => ({ ...p, named: p.field === 'policy' ? 'The policy' : policyFieldWords(p.field) }));
}

/** A refused duplicate in words: the entry already on the list, its country by name. */
function alreadyListed(body: ApiErrorBody & { existing?: { name: string; country: string | null; source: string } }) {
  const e = body.existing;
  if (!e) return body.message ?? 'This entry is already on the list.';
  return `Already on the list: ${e.name} (${e.country ? `${countryName(e.country)}, ` : ''}${e.source})`;
}
