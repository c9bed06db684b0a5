import { CsvError, parse } from 'csv-parse/sync';
import type { PartyMembership, Person } from '@libs/domain/person';
import { PARTIES, ROLES, TIERS, type Party, type Role, type Tier } from '@libs/domain/vocabulary';
import { isCalendarDate } from '@libs/domain/calendar-date';
import { isDirectoryEmail, normalizeEmail } from './directory.dto';

/** The columns of a directory CSV, in the order an export writes them. */
export const CSV_COLUMNS = [
  'email',
  'name',
  'tier',
  'roles',
  'manager_email',
  'parties',
  'leads',
  'classified_access',
  'confidentiality_period_ends',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Columns a file must have; the others may be left out (empty for every row). */
export const REQUIRED_CSV_COLUMNS: readonly CsvColumn[] = ['email', 'name', 'tier', 'roles'];

/** One problem of the file: `row` as a spreadsheet numbers it (the header is row 1). */
export interface CsvRowError {
  row: number;
  field: string;
  message: string;
}

export interface ParsedDirectoryCsv {
  /** The valid people, with their rows; only usable as a whole when `errors` is empty. */
  people: Array<{ row: number; person: Person }>;
  /** Data rows read (blank lines are not counted). */
  rows: number;
  errors: CsvRowError[];
}

const TRUE_WORDS = ['true', 'yes', 'y', '1'];
const FALSE_WORDS = ['false', 'no', 'n', '0', ''];
const MAX_NAME = 200;

/** `a; b;;c` → `['a', 'b', 'c']`. */
function splitList(cell: string): string[] {
  return cell
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function isOneOf<T extends string>(vocabulary: readonly T[], value: string): value is T {
  return (vocabulary as readonly string[]).includes(value);
}

/** Checks a list cell against a vocabulary: unknown words and repeats are errors. */
function vocabularyList<T extends string>(
  cell: string,
  vocabulary: readonly T[],
  column: CsvColumn,
  fail: (field: CsvColumn, message: string) => void,
): T[] {
  const words = splitList(cell);
  const unknown = words.filter((w) => !isOneOf(vocabulary, w));
  if (unknown.length > 0) {
    fail(column, `unknown ${unknown.map((w) => `"${w}"`).join(', ')}; use: ${vocabulary.join(', ')}`);
  }
  const repeated = words.filter((w, i) => words.indexOf(w) !== i);
  if (repeated.length > 0) fail(column, `${[...new Set(repeated)].join(', ')} listed more than once`);
  return words.filter((w): w is T => isOneOf(vocabulary, w));
}

/**
 * Validates one data row, whose cells are keyed by column name (missing columns are empty).
 * Answers the person, or null with the row's errors reported through `fail`.
 */
export function validateCsvRow(
  cells: Partial<Record<CsvColumn, string>>,
  fail: (field: CsvColumn, message: string) => void,
): Person | null {
  let ok = true;
  const error = (field: CsvColumn, message: string) => {
    ok = false;
    fail(field, message);
  };
  const cell = (column: CsvColumn) => (cells[column] ?? '').trim();

  const email = normalizeEmail(cell('email'));
  if (!email) error('email', 'email is required');
  else if (!isDirectoryEmail(email)) error('email', `"${cell('email')}" is not an email address`);

  const name = cell('name');
  if (!name) error('name', 'name is required');
  else if (name.length > MAX_NAME) error('name', `name must be at most ${MAX_NAME} characters`);

  const tierCell = cell('tier');
  let tier: Tier | null = null;
  if (tierCell) {
    if (isOneOf(TIERS, tierCell)) tier = tierCell;
    else error('tier', `unknown tier "${tierCell}"; use: ${TIERS.join(', ')}, or leave it empty`);
  }

  const roles = vocabularyList<Role>(cell('roles'), ROLES, 'roles', error);
  if (splitList(cell('roles')).length === 0) error('roles', 'roles must name at least one role');

  const managerCell = normalizeEmail(cell('manager_email'));
  if (managerCell && !isDirectoryEmail(managerCell)) {
    error('manager_email', `"${cell('manager_email')}" is not an email address`);
  } else if (managerCell && managerCell === email) {
    error('manager_email', 'a person cannot be their own manager');
  }

  const parties = vocabularyList<Party>(cell('parties'), PARTIES, 'parties', error);
  const leads = vocabularyList<Party>(cell('leads'), PARTIES, 'leads', error);
  const notMember = leads.filter((l) => !parties.includes(l));
  if (notMember.length > 0) {
    error(
      'leads',
      `a lead must be a member: ${notMember.join(', ')} ${notMember.length > 1 ? 'are' : 'is'} not in parties`,
    );
  }

  const classifiedCell = cell('classified_access').toLowerCase();
  const classifiedAccess = TRUE_WORDS.includes(classifiedCell);
  if (!classifiedAccess && !FALSE_WORDS.includes(classifiedCell)) {
    error('classified_access', `"${cell('classified_access')}" is not true or false`);
  }

  const endsCell: string = cell('confidentiality_period_ends');
  const endsIsDate: boolean = isCalendarDate(endsCell);
  if (endsCell && !endsIsDate) {
    error('confidentiality_period_ends', `"${endsCell}" is not a date in the form YYYY-MM-DD`);
  }

  if (!ok) return null;
  const memberships: PartyMembership[] = parties.map((party) => ({ party, lead: leads.includes(party) }));
  return {
    email,
    name,
    tier,
    roles,
    managerEmail: managerCell || null,
    flags: { classifiedAccess, confidentialityPeriodEnds: endsCell || null },
    parties: memberships,
  };
}

function checkHeader(header: string[], errors: CsvRowError[]): Map<CsvColumn, number> | null {
  const columns = new Map<CsvColumn, number>();
  header.forEach((raw, index) => {
    const name = raw.trim().toLowerCase();
    if (!isOneOf(CSV_COLUMNS, name)) {
      errors.push({
        row: 1,
        field: raw,
        message: `unknown column "${raw}"; the columns are: ${CSV_COLUMNS.join(',')}`,
      });
    } else if (columns.has(name)) {
      errors.push({ row: 1, field: name, message: `column ${name} appears twice` });
    } else {
      columns.set(name, index);
    }
  });
  for (const required of REQUIRED_CSV_COLUMNS) {
    if (!columns.has(required))
      errors.push({ row: 1, field: required, message: `the header lacks column ${required}` });
  }
  return errors.length > 0 ? null : columns;
}

/**
 * Parses and validates a whole directory CSV (header row first, `;` inside the list cells) and
 * reports every problem by row and column. Blank lines are skipped but still counted, so the
 * row numbers match what a spreadsheet shows; a quoted cell may span lines and is still one row.
 */
export function parseDirectoryCsv(text: string): ParsedDirectoryCsv {
  const errors: CsvRowError[] = [];
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false });
  } catch (err) {
    if (err instanceof CsvError) {
      const row = typeof err.records === 'number' ? err.records + 1 : 1;
      return { people: [], rows: 0, errors: [{ row, field: 'csv', message: err.message }] };
    }
    throw err;
  }
  const isBlank = (record: string[]) => record.every((c) => c.trim() === '');
  const headerIndex = records.findIndex((r) => !isBlank(r));
  if (headerIndex < 0) {
    return {
      people: [],
      rows: 0,
      errors: [{ row: 1, field: 'csv', message: 'the file is empty: a header row is needed' }],
    };
  }
  const columns = checkHeader(records[headerIndex], errors);
  if (!columns) return { people: [], rows: 0, errors };

  const people: ParsedDirectoryCsv['people'] = [];
  const firstRowOf = new Map<string, number>();
  let rows = 0;
  records.forEach((record, index) => {
    if (index <= headerIndex || isBlank(record)) return;
    const row = index + 1;
    rows += 1;
    if (record.length > records[headerIndex].length) {
      errors.push({
        row,
        field: 'csv',
        message: `the row has ${record.length} cells, the header ${records[headerIndex].length}`,
      });
      return;
    }
    const cells: Partial<Record<CsvColumn, string>> = {};
    for (const [column, at] of columns) cells[column] = record[at] ?? '';
    const person = validateCsvRow(cells, (field, message) => errors.push({ row, field, message }));
    const email = normalizeEmail(cells.email ?? '');
    const earlier = email ? firstRowOf.get(email) : undefined;
    if (earlier !== undefined) {
      errors.push({ row, field: 'email', message: `${email} is already on row ${earlier}` });
      return;
    }
    if (email) firstRowOf.set(email, row);
    if (person) people.push({ row, person });
  });
  if (rows === 0 && errors.length === 0) {
    errors.push({ row: 2, field: 'csv', message: 'the file has a header but no people' });
  }
  return { people, rows, errors };
}
