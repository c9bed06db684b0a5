import { isISO31661Alpha2 } from 'class-validator';
import { CsvError, parse } from 'csv-parse/sync';

/**
 * The column layout of the public US Consolidated Screening List (CSL) CSV. Columns are found by
 * their header, in any order; the import reads the REQUIRED ones (and the optional country columns
 * of individuals) and ignores the rest.
 */
export const CSL_COLUMNS = [
  '_id',
  'source',
  'entity_number',
  'type',
  'programs',
  'name',
  'title',
  'addresses',
  'federal_register_notice',
  'start_date',
  'end_date',
  'standard_order',
  'license_requirement',
  'license_policy',
  'call_sign',
  'vessel_type',
  'gross_tonnage',
  'gross_registered_tonnage',
  'vessel_flag',
  'vessel_owner',
  'remarks',
  'source_list_url',
  'alt_names',
  'citizenships',
  'dates_of_birth',
  'nationalities',
  'places_of_birth',
  'source_information_url',
  'ids',
] as const;

export const CSL_REQUIRED_COLUMNS = ['_id', 'source', 'name', 'alt_names', 'addresses'] as const;

/** Limits of the columns the entries are stored in (libs/persistence screening_entries). */
export const ENTRY_LIMITS = { name: 300, source: 100, externalId: 100 } as const;

/** One entry read from a list. */
export interface ImportedEntry {
  name: string;
  aliases: string[];
  /** ISO 3166-1 alpha-2 of the first address whose country is known, else of nationality; or null. */
  country: string | null;
  source: string;
  /** `_id` of the row (the CSL's own identifier), else `entity_number`; null when both are empty. */
  externalId: string | null;
  /** The row of the file it was read from (the header is row 1). */
  row?: number;
}

/**
 * One refused row. `row` is the row a spreadsheet shows: the header is row 1, the first entry row 2.
 * `field` is the CSV column (or `header`, `csv`, `columns` for problems of the file or row).
 */
export interface ImportRowError {
  row: number;
  field: string;
  message: string;
}

export interface CslParseResult {
  entries: ImportedEntry[];
  /** Rows with errors, which are left out of `entries`. */
  errors: ImportRowError[];
  /** Data rows read (blank rows are not counted). */
  rows: number;
  /** Rows left out because of errors. */
  skipped: number;
  /** False when the file itself is unusable (missing header columns, broken quoting): nothing was read. */
  readable: boolean;
}

const SEPARATOR = /\s*;\s*/;

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(SEPARATOR)
    .map((v) => v.trim())
    .filter(Boolean);
}

function foldKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Country names in English (as ICU knows them) and a few common variants → ISO alpha-2. */
let countryNames: Map<string, string> | undefined;
function countryByName(name: string): string | null {
  if (!countryNames) {
    countryNames = new Map();
    const display = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    for (let a = 65; a <= 90; a++) {
      for (let b = 65; b <= 90; b++) {
        const code = String.fromCharCode(a, b);
        if (!isISO31661Alpha2(code)) continue;
        const label = display.of(code);
        if (label) countryNames.set(foldKey(label), code);
      }
    }
    const variants: Record<string, string> = {
      'united states of america': 'US',
      usa: 'US',
      'great britain': 'GB',
      uk: 'GB',
      'russian federation': 'RU',
      'north korea': 'KP',
      'south korea': 'KR',
      'hong kong': 'HK',
      macau: 'MO',
      macao: 'MO',
      burma: 'MM',
      'czech republic': 'CZ',
      turkey: 'TR',
      'ivory coast': 'CI',
      'syrian arab republic': 'SY',
      'united arab emirates': 'AE',
      uae: 'AE',
    };
    for (const [label, code] of Object.entries(variants)) countryNames.set(label, code);
  }
  return countryNames.get(foldKey(name)) ?? null;
}

/** A country given as an ISO alpha-2 code or an English name → the code, or null if unknown. */
export function countryCode(value: string): string | null {
  const v = value.trim();
  if (/^[A-Za-z]{2}$/.test(v) && isISO31661Alpha2(v.toUpperCase())) return v.toUpperCase();
  return v ? countryByName(v) : null;
}

/** The country of the first address that ends in a known country (`…, City, CN`). */
function addressCountry(addresses: string): string | null {
  for (const address of splitList(addresses)) {
    const parts = address.split(',');
    const code = countryCode(parts[parts.length - 1]);
    if (code) return code;
  }
  return null;
}

function firstCountry(list: string | undefined): string | null {
  for (const value of splitList(list)) {
    const code = countryCode(value);
    if (code) return code;
  }
  return null;
}

/**
 * Parses a CSV in the CSL layout into entries, refusing row by row: a row without `name` or
 * `source`, or with a value too long to store, is reported and left out; the other rows are read.
 * A file that lacks required header columns or whose quoting is broken yields one error and no entries.
 */
export function parseCslCsv(text: string): CslParseResult {
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // `records` counts the header and the rows read before the broken one.
    const row = typeof error.records === 'number' ? error.records + 1 : 1;
    return {
      entries: [],
      errors: [{ row, field: 'csv', message: error.message }],
      rows: 0,
      skipped: 0,
      readable: false,
    };
  }
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  const missing = CSL_REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    return {
      entries: [],
      errors: [{ row: 1, field: 'header', message: `missing columns: ${missing.join(', ')}` }],
      rows: 0,
      skipped: 0,
      readable: false,
    };
  }
  const column = (name: string) => header.indexOf(name);
  const at = (record: string[], name: string): string => {
    const i = column(name);
    return i < 0 ? '' : (record[i] ?? '').trim();
  };

  const entries: ImportedEntry[] = [];
  const errors: ImportRowError[] = [];
  let rows = 0;
  let skipped = 0;
  records.slice(1).forEach((record, index) => {
    const row = index + 2;
    if (record.every((v) => !v.trim())) return;
    rows += 1;
    const rowErrors: ImportRowError[] = [];
    const fail = (field: string, message: string) => rowErrors.push({ row, field, message });

    if (record.length > header.length) {
      fail('columns', `the row has ${record.length} fields but the header has ${header.length}`);
    }
    const name = at(record, 'name');
    const source = at(record, 'source');
    const externalId = at(record, '_id') || at(record, 'entity_number');
    if (!name) fail('name', 'name is required');
    else if (name.length > ENTRY_LIMITS.name) fail('name', `name must be at most ${ENTRY_LIMITS.name} characters`);
    if (!source) fail('source', 'source is required');
    else if (source.length > ENTRY_LIMITS.source) {
      fail('source', `source must be at most ${ENTRY_LIMITS.source} characters`);
    }
    if (externalId.length > ENTRY_LIMITS.externalId) {
      fail('_id', `_id must be at most ${ENTRY_LIMITS.externalId} characters`);
    }
    const aliases = [...new Set(splitList(at(record, 'alt_names')))].filter((a) => a !== name);
    const longAlias = aliases.find((a) => a.length > ENTRY_LIMITS.name);
    if (longAlias) fail('alt_names', `each alias must be at most ${ENTRY_LIMITS.name} characters`);

    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      skipped += 1;
      return;
    }
    entries.push({
      name,
      aliases,
      country:
        addressCountry(at(record, 'addresses')) ??
        firstCountry(at(record, 'nationalities')) ??
        firstCountry(at(record, 'citizenships')),
      source,
      externalId: externalId || null,
      row,
    });
  });
  return { entries, errors, rows, skipped, readable: true };
}
