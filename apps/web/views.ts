import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { PROJECT_ROOT } from '@libs/config/project-root';
import { countryName, datesInWords, label, labels, reasonInWords, screeningHitInWords } from '@libs/domain/labels';
import type { Person } from '@libs/domain/person';
import type { Role } from '@libs/domain/vocabulary';
import { durationInWords } from './durations';
import { countryInput } from './countries';

/** Next to this file in the sources and in dist/ (the build copies them); else in the checkout. */
function located(folder: string): string {
  const beside = path.join(__dirname, folder);
  return fs.existsSync(beside) ? beside : path.join(PROJECT_ROOT, 'apps/web', folder);
}

/** Where the templates and static files live. */
export const VIEWS_DIR = located('views');
export const ASSETS_DIR = located('assets');

interface NavLink {
  href: string;
  label: string;
  roles: Role[] | 'all';
}

const NAV: NavLink[] = [
  { href: '/app/requests', label: 'Requests', roles: 'all' },
  { href: '/app/inbox', label: 'Inbox', roles: ['approver'] },
  { href: '/app/custody', label: 'Passports', roles: ['custodian'] },
  { href: '/app/audit', label: 'Audit', roles: ['auditor', 'admin'] },
  { href: '/app/dashboard', label: 'Dashboard', roles: ['auditor', 'admin'] },
  { href: '/app/admin', label: 'Admin', roles: ['admin'] },
];

export interface PageContext {
  person?: Person;
  csrf: string;
  /** The path being shown, to mark the current link. */
  path: string;
  /** Extra scripts this page needs (under /app/assets). */
  scripts?: string[];
}

/** Server-rendered pages: Handlebars templates (escaped by default) inside one layout. */
@Injectable()
export class Views {
  private readonly hb = Handlebars.create();
  private readonly templates = new Map<string, Handlebars.TemplateDelegate>();
  private readonly layout: Handlebars.TemplateDelegate;

  constructor() {
    registerHelpers(this.hb);
    for (const file of fs.readdirSync(path.join(VIEWS_DIR, 'partials'))) {
      this.hb.registerPartial(
        path.basename(file, '.hbs'),
        fs.readFileSync(path.join(VIEWS_DIR, 'partials', file), 'utf8'),
      );
    }
    for (const file of fs.readdirSync(VIEWS_DIR).filter((f) => f.endsWith('.hbs'))) {
      this.templates.set(
        path.basename(file, '.hbs'),
        this.hb.compile(fs.readFileSync(path.join(VIEWS_DIR, file), 'utf8')),
      );
    }
    this.layout = this.templates.get('layout')!;
  }

  /** A whole page: `template` rendered with `data`, inside the layout with navigation for `ctx.person`. */
  render(template: string, title: string, ctx: PageContext, data: object = {}): string {
    const body = this.templates.get(template);
    if (!body) throw new Error(`no template ${template}`);
    const roles = ctx.person?.roles ?? [];
    const nav = ctx.person
      ? NAV.filter((link) => link.roles === 'all' || link.roles.some((role) => roles.includes(role))).map((link) => ({
          ...link,
          current: ctx.path === link.href || ctx.path.startsWith(`${link.href}/`),
        }))
      : [];
    const content = body({ ...data, csrf: ctx.csrf, me: ctx.person });
    return this.layout({ title, content, nav, me: ctx.person, csrf: ctx.csrf, scripts: ctx.scripts ?? [] });
  }
}

function registerHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('includes', (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));
  hb.registerHelper('join', (list: unknown, sep: unknown) =>
    Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : '',
  );
  hb.registerHelper('words', (value: unknown) => (typeof value === 'string' ? label(value) : ''));
  /** A list of codes in words: "Source code, Model weights". */
  hb.registerHelper('labels', (list: unknown) => (Array.isArray(list) ? labels(list.map(String)) : ''));
  hb.registerHelper('reasonWords', (list: unknown) =>
    Array.isArray(list) ? list.map(String).map(reasonInWords).join('; ') : '',
  );
  hb.registerHelper('country', (value: unknown) => (typeof value === 'string' ? countryName(value) : ''));
  // A country field's value: the name of a known code, anything else as typed (so a mistake shows as it was).
  hb.registerHelper('countryField', (value: unknown) => countryInput(value));
  hb.registerHelper('hitWords', (hit: unknown) =>
    screeningHitInWords(hit as Parameters<typeof screeningHitInWords>[0]),
  );
  // A request's dates; a permanent move (no return date) reads "…, No return (permanent move)".
  hb.registerHelper('dates', (departure: unknown, ret: unknown) =>
    typeof departure === 'string' ? datesInWords(departure, typeof ret === 'string' ? ret : null) : '',
  );
  hb.registerHelper('date', (value: unknown) => (typeof value === 'string' ? value.slice(0, 10) : ''));
  hb.registerHelper('datetime', (value: unknown) =>
    typeof value === 'string' ? value.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '',
  );
  hb.registerHelper('json', (value: unknown) => JSON.stringify(value, null, 2));
  hb.registerHelper('duration', (hours: unknown) => (typeof hours === 'number' ? durationInWords(hours) : ''));
}
