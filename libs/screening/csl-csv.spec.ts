import * as fs from 'node:fs';
import * as path from 'node:path';
import { CSL_COLUMNS, countryCode, parseCslCsv } from './csl-csv';

const SAMPLE = path.join(__dirname, '../../seeds/screening/sample-csl.csv');
const HEADER = CSL_COLUMNS.join(',');

/** A CSV row in the CSL layout from the given columns (values are quoted when they need it). */
function row(values: Partial<Record<(typeof CSL_COLUMNS)[number], string>>): string {
  return CSL_COLUMNS.map((c) => {
    const v = values[c] ?? '';
    return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  }).join(',');
}

describe('parseCslCsv', () => {
  it('should read the sample list without errors', () => {
    const result = parseCslCsv(fs.readFileSync(SAMPLE, 'utf8'));
    expect(result.errors).toEqual([]);
    expect(result).toMatchObject({ readable: true, skipped: 0 });
    expect(result.rows).toBeGreaterThanOrEqual(10);
    expect(result.rows).toBeLessThanOrEqual(20);
    expect(result.entries).toHaveLength(result.rows);
    expect(result.entries[0]).toEqual({
      row: 2,
      name: 'ACME Quantum Research Institute',
      aliases: ['AQRI', 'Acme Quantum Research Inst.', 'Beijing Acme Quantum Institute'],
      country: 'CN',
      source: 'Entity List (EL) - Bureau of Industry and Security',
      externalId: 'sample-0001',
    });
  });

  it('should take the country from the first address that ends in a known code or name, else nationality', () => {
    const csv = [
      HEADER,
      row({ _id: '1', source: 'S', name: 'Code', addresses: '1 Road, Beijing, CN' }),
      row({ _id: '2', source: 'S', name: 'Name', addresses: 'Office 4, Dubai, United Arab Emirates' }),
      row({ _id: '3', source: 'S', name: 'Second', addresses: 'Somewhere, Atlantis; 2 Street, Moscow, Russia' }),
      row({ _id: '4', source: 'S', name: 'Person', nationalities: 'IR', citizenships: 'IQ' }),
      row({ _id: '5', source: 'S', name: 'Vessel' }),
      row({ _id: '', entity_number: '77', source: 'S', name: 'Numbered', addresses: 'Zürich, ch' }),
    ].join('\n');
    const { entries, errors } = parseCslCsv(csv);
    expect(errors).toEqual([]);
    expect(entries.map((e) => [e.name, e.country, e.externalId])).toEqual([
      ['Code', 'CN', '1'],
      ['Name', 'AE', '2'],
      ['Second', 'RU', '3'],
      ['Person', 'IR', '4'],
      ['Vessel', null, '5'],
      ['Numbered', 'CH', '77'],
    ]);
  });

  it('should split alt_names on semicolons, drop blanks, duplicates and the name itself', () => {
    const csv = [HEADER, row({ _id: '1', source: 'S', name: 'Acme', alt_names: 'A1;  A2 ; ;A1; Acme' })].join('\n');
    expect(parseCslCsv(csv).entries[0].aliases).toEqual(['A1', 'A2']);
  });

  it('should report bad rows by their spreadsheet row number and read the others', () => {
    const csv = [
      HEADER, // row 1
      row({ _id: '1', source: 'S', name: 'Good One' }), // row 2
      row({ _id: '2', source: 'S', name: '' }), // row 3: no name
      '', // row 4: blank, ignored
      row({ _id: '3', source: '', name: 'No Source', remarks: 'two\nlines' }), // row 5 (one row despite the newline)
      row({ _id: '4', source: '', name: '  ' }), // row 6: neither
      row({ _id: '5', source: 'S', name: 'x'.repeat(301) }), // row 7: too long
      `${row({ _id: '6', source: 'S', name: 'Extra' })},surplus`, // row 8: one field too many
      row({ _id: '7', source: 'S', name: 'Good Two' }), // row 9
    ].join('\n');
    const result = parseCslCsv(csv);
    expect(result.entries.map((e) => e.name)).toEqual(['Good One', 'Good Two']);
    expect(result).toMatchObject({ rows: 7, skipped: 5, readable: true });
    expect(result.errors).toEqual([
      { row: 3, field: 'name', message: 'name is required' },
      { row: 5, field: 'source', message: 'source is required' },
      { row: 6, field: 'name', message: 'name is required' },
      { row: 6, field: 'source', message: 'source is required' },
      { row: 7, field: 'name', message: 'name must be at most 300 characters' },
      { row: 8, field: 'columns', message: 'the row has 30 fields but the header has 29' },
    ]);
  });

  it('should refuse a file missing required columns with one error naming them', () => {
    const result = parseCslCsv('_id,type,programs,addresses\n1,Entity,EAR,"Beijing, CN"\n');
    expect(result).toEqual({
      entries: [],
      errors: [{ row: 1, field: 'header', message: 'missing columns: source, name, alt_names' }],
      rows: 0,
      skipped: 0,
      readable: false,
    });
    expect(parseCslCsv('').errors[0]).toMatchObject({ row: 1, field: 'header' });
  });

  it('should refuse a file with broken quoting, naming the row', () => {
    const csv = [HEADER, row({ _id: '1', source: 'S', name: 'Fine' }), `2,S,,,,"Broken,${','.repeat(22)}`].join('\n');
    const result = parseCslCsv(csv);
    expect(result.readable).toBe(false);
    expect(result.entries).toEqual([]);
    expect(result.errors).toEqual([{ row: 3, field: 'csv', message: expect.stringMatching(/quote/i) }]);
  });

  it('should accept a BOM, CRLF line ends, columns in another order and in upper case', () => {
    const csv = '\ufeffNAME,Alt_Names,SOURCE,addresses,_ID\r\nAcme,AQRI,S,"Beijing, CN",x1\r\n';
    expect(parseCslCsv(csv)).toMatchObject({
      entries: [{ name: 'Acme', aliases: ['AQRI'], country: 'CN', source: 'S', externalId: 'x1' }],
      errors: [],
    });
  });
});

describe('countryCode', () => {
  it.each([
    ['CN', 'CN'],
    ['cn', 'CN'],
    [' Germany ', 'DE'],
    ['Russia', 'RU'],
    ['Russian Federation', 'RU'],
    ['North Korea', 'KP'],
    ['Hong Kong', 'HK'],
    ['Türkiye', 'TR'],
    ['XX', null],
    ['Atlantis', null],
    ['', null],
  ])('should read %p as %p', (value, code) => {
    expect(countryCode(value)).toBe(code);
  });
});
