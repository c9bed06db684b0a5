import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AppConfig } from '@libs/config';
import { Public } from '../../api/auth/auth.decorators';
import { APP_CONFIG } from '../../api/common/tokens';
import { PageExceptionFilter } from '../page.filter';
import { ApiRefusal, type ApiErrorBody } from '../page-errors';
import { wordedErrors, wordsByField } from '../field-words';
import { countryName } from '@libs/domain/labels';
import { COUNTRIES, countryCodeFrom, countryInput } from '../countries';
import { Pages } from '../pages';
import { PeopleNames } from '../people-names';
import { PageGuard, PageRoles } from '../session/page.guard';
import type { PageRequest } from '../session/web-session';
import { query, WebApi } from '../web-api';
import { one } from '../form-values';

type Form = Record<string, unknown>;

interface PassportView {
  id: string;
  employeeEmail: string;
  passportNumber: string;
  issuingCountry: string;
  expiryDate: string;
  status: string;
  releaseRequestId: string | null;
  handedOutBy: string | null;
  handedOutAt: string | null;
  releasedAt: string | null;
  dueBackAt: string | null;
  returnedAt: string | null;
}

interface DepositValues {
  employeeEmail: string;
  passportNumber: string;
  issuingCountry: string;
  expiryDate: string;
}

/**
 * The groups of the ledger a custodian works from, each the stored statuses the API filters on (a
 * released passport is out until the custody workflow marks it overdue at its due date); "due back
 * soon" is the released ones due within the configured window (CUSTODY_DUE_SOON_DAYS).
 */
const GROUPS = [
  { value: 'in_custody', name: 'In custody', statuses: 'in_custody' },
  { value: 'ready_for_hand_out', name: 'Ready for hand-out', statuses: 'ready_for_hand_out' },
  { value: 'released', name: 'Released', statuses: 'released,overdue' },
  { value: 'due_back', name: 'Due back soon', statuses: 'released', dueSoon: true },
  { value: 'overdue', name: 'Overdue', statuses: 'overdue' },
] as const;
type Group = (typeof GROUPS)[number]['value'];

/** "Due back soon" says its window: "Due back within 7 days". */
function groupName(g: (typeof GROUPS)[number], dueSoonDays: number): string {
  return 'dueSoon' in g ? `Due back within ${dueSoonDays} day${dueSoonDays === 1 ? '' : 's'}` : g.name;
}

/** Passports per page of the ledger. */
const PAGE_SIZE = 50;

const FIELDS = ['employeeEmail', 'passportNumber', 'issuingCountry', 'expiryDate'] as const;

const NOTICES: Record<string, string> = {
  deposited: 'The passport was recorded in custody.',
  returned: 'The passport was recorded back in custody.',
  handed_out: 'The hand-out was recorded: the passport is released until its due date.',
};

/** A passport out of custody whose due date has passed (shown as overdue even before the workflow marks it). */
function isOverdue(p: PassportView, now: number): boolean {
  if (p.status === 'in_custody' || p.status === 'ready_for_hand_out') return false;
  if (p.status === 'overdue') return true;
  const due = p.dueBackAt ? Date.parse(p.dueBackAt) : NaN;
  return !Number.isNaN(due) && due <= now;
}

/** The custodian's ledger: passports by group, deposits, and taking back released passports. */
@ApiExcludeController()
@Public()
@UseGuards(PageGuard)
@UseFilters(PageExceptionFilter)
@PageRoles('custodian')
@Controller('app/custody')
export class CustodyPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly people: PeopleNames,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async ledger(@Req() req: PageRequest, @Res() res: Response, @Query() q: Record<string, unknown>): Promise<void> {
    await this.render(req, res, {
      group: one(q.group),
      employee: one(q.employee),
      cursor: one(q.cursor),
      done: one(q.done),
    });
  }

  @Post()
  async deposit(@Req() req: PageRequest, @Res() res: Response, @Body() form: Form): Promise<void> {
    const source = form && typeof form === 'object' ? form : {};
    const values: DepositValues = {
      employeeEmail: one(source.employeeEmail).trim(),
      passportNumber: one(source.passportNumber).trim(),
      issuingCountry: countryCodeFrom(one(source.issuingCountry)),
      expiryDate: one(source.expiryDate).trim(),
    };
    const answer = await new WebApi(req).send<ApiErrorBody>('POST', '/api/passports', values);
    if (answer.status === 201) {
      res.redirect(303, '/app/custody?done=deposited');
      return;
    }
    if (answer.status === 400) {
      // never echo the full passport number back into the page
      await this.render(req, res, { status: 400, values: { ...values, passportNumber: '' }, error: answer.body });
      return;
    }
    throw new ApiRefusal(answer.status, answer.body);
  }

  /** The hand-out of a passport ready for it: the custodian ticks that they checked the holder's identity. */
  @Post(':id/hand-out')
  async handOut(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() form: Form,
  ): Promise<void> {
    const source = form && typeof form === 'object' ? form : {};
    await new WebApi(req).post(`/api/passports/${encodeURIComponent(id)}/hand-out`, {
      requestId: one(source.requestId),
      identityChecked: one(source.identityChecked) === 'yes',
    });
    res.redirect(303, '/app/custody?done=handed_out');
  }

  @Post(':id/return')
  async returned(@Req() req: PageRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await new WebApi(req).post(`/api/passports/${encodeURIComponent(id)}/return`);
    res.redirect(303, '/app/custody?done=returned');
  }

  private async render(
    req: PageRequest,
    res: Response,
    options: {
      group?: string;
      employee?: string;
      cursor?: string;
      done?: string;
      status?: number;
      values?: DepositValues;
      error?: ApiErrorBody;
    },
  ): Promise<void> {
    const employee = options.employee?.trim() ?? '';
    const selected = GROUPS.find((g) => g.value === options.group);
    const group: Group | '' = selected?.value ?? '';
    const { dueSoonDays } = this.config.custody;
    const dueWithinDays = selected && 'dueSoon' in selected ? String(dueSoonDays) : '';
    // One page of the ledger at a time, newest first; "More" follows the API's cursor.
    const answer = await new WebApi(req).send<{ items: PassportView[]; nextCursor: string | null } & ApiErrorBody>(
      'GET',
      `/api/passports${query({ employee, status: selected?.statuses ?? '', dueWithinDays, limit: String(PAGE_SIZE), cursor: options.cursor ?? '' })}`,
    );
    if (answer.status !== 200) throw new ApiRefusal(answer.status, answer.body);
    const now = Date.now();
    const nameOf = await this.people.of(answer.body.items.flatMap((p) => [p.employeeEmail, p.handedOutBy]));
    const items = answer.body.items.map((p) => ({
      ...p,
      employeeName: nameOf(p.employeeEmail),
      handedOutByName: p.handedOutBy ? nameOf(p.handedOutBy) : null,
      issuingCountryName: countryName(p.issuingCountry),
      overdue: isOverdue(p, now),
      canReturn: p.status === 'released' && Boolean(p.releaseRequestId),
      canHandOut: p.status === 'ready_for_hand_out' && Boolean(p.releaseRequestId),
    }));
    const next = answer.body.nextCursor
      ? `/app/custody${query({ group, employee, cursor: answer.body.nextCursor })}`
      : null;
    const errors = wordedErrors(options.error);
    const byField = wordsByField(options.error);
    const fieldError = Object.fromEntries(FIELDS.map((field) => [field, byField[field] ?? null]));
    this.pages.send(req, res, 'custody', 'Passports', {
      status: options.status ?? 200,
      data: {
        items,
        next,
        group,
        employee,
        groups: [
          { value: '', name: 'All', selected: group === '' },
          ...GROUPS.map((g) => ({ value: g.value, name: groupName(g, dueSoonDays), selected: g.value === group })),
        ],
        groupName: selected ? groupName(selected, dueSoonDays) : 'All',
        values: options.values
          ? { ...options.values, issuingCountry: countryInput(options.values.issuingCountry) }
          : { employeeEmail: '', passportNumber: '', issuingCountry: '', expiryDate: '' },
        countries: COUNTRIES,
        errors,
        fieldError,
        problem: options.error && errors.length === 0 ? (options.error.message ?? 'That did not work.') : null,
        notice: NOTICES[options.done ?? ''] ?? null,
      },
    });
  }
}
