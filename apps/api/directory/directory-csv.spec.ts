import { CSV_COLUMNS, parseDirectoryCsv } from './directory-csv';

const HEADER = CSV_COLUMNS.join(',');
const csv = (...lines: string[]) => lines.join('\n');

describe('parseDirectoryCsv', () => {
  it('should read a whole directory with lists, leads, flags and empty optional cells', () => {
    const result = parseDirectoryCsv(
      csv(
        HEADER,
        'Alice@Example.com,Alice Kim,core,employee,dave@example.com,,,false,',
        'dave@example.com,Dave Park,strategic,employee;admin,,,,TRUE,2031-06-30',
        'legal-lead@example.com,"Gunnarsson, Lars",,approver,, legal ; security ,legal,yes,',
      ),
    );
    expect(result.errors).toEqual([]);
    expect(result.rows).toBe(3);
    expect(result.people).toEqual([
      {
        row: 2,
        person: {
          email: 'alice@example.com',
          name: 'Alice Kim',
          tier: 'core',
          roles: ['employee'],
          managerEmail: 'dave@example.com',
          flags: { classifiedAccess: false, confidentialityPeriodEnds: null },
          parties: [],
        },
      },
      {
        row: 3,
        person: {
          email: 'dave@example.com',
          name: 'Dave Park',
          tier: 'strategic',
          roles: ['employee', 'admin'],
          managerEmail: null,
          flags: { classifiedAccess: true, confidentialityPeriodEnds: '2031-06-30' },
          parties: [],
        },
      },
      {
        row: 4,
        person: {
          email: 'legal-lead@example.com',
          name: 'Gunnarsson, Lars',
          tier: null,
          roles: ['approver'],
          managerEmail: null,
          flags: { classifiedAccess: true, confidentialityPeriodEnds: null },
          parties: [
            { party: 'legal', lead: true },
            { party: 'security', lead: false },
          ],
        },
      },
    ]);
  });

  it('should accept a byte-order mark, CRLF line ends, columns in any order and left-out optional columns', () => {
    const result = parseDirectoryCsv(
      '\ufeffroles,email,name,tier\r\nemployee,carol@example.com,Carol Lee,standard\r\n',
    );
    expect(result.errors).toEqual([]);
    expect(result.people.map((p) => p.person)).toEqual([
      {
        email: 'carol@example.com',
        name: 'Carol Lee',
        tier: 'standard',
        roles: ['employee'],
        managerEmail: null,
        flags: { classifiedAccess: false, confidentialityPeriodEnds: null },
        parties: [],
      },
    ]);
  });

  it('should number rows as a spreadsheet does, counting blank lines and keeping a multi-line cell in one row', () => {
    const result = parseDirectoryCsv(
      csv(
        HEADER,
        'a@example.com,"Ann\nSecond line",core,employee,,,,,',
        '',
        'b@example.com,Bob,galactic,employee,,,,,',
      ),
    );
    expect(result.rows).toBe(2);
    expect(result.errors).toEqual([{ row: 4, field: 'tier', message: expect.stringContaining('"galactic"') }]);
  });

  it('should report every bad cell of every row by row and column', () => {
    const result = parseDirectoryCsv(
      csv(
        HEADER,
        'not-an-email,,core,employee,,,,,',
        'b@example.com,Bob,core,,,,,,',
        'c@example.com,Cat,core,employee;wizard;employee,c@example.com,,,,',
        'd@example.com,Dan,,approver,,legal;court,security,maybe,2030-02-30',
        'e@example.com,Eve,standard,employee,,,,,',
        'E@example.com,Eve again,standard,employee,,,,,',
      ),
    );
    expect(result.rows).toBe(6);
    expect(result.errors.map((e) => [e.row, e.field])).toEqual([
      [2, 'email'],
      [2, 'name'],
      [3, 'roles'],
      [4, 'roles'],
      [4, 'roles'],
      [4, 'manager_email'],
      [5, 'parties'],
      [5, 'leads'],
      [5, 'classified_access'],
      [5, 'confidentiality_period_ends'],
      [7, 'email'],
    ]);
    expect(result.errors.find((e) => e.row === 4 && e.message.includes('wizard'))).toBeDefined();
    expect(result.errors.find((e) => e.row === 5 && e.field === 'leads')?.message).toContain('security');
    expect(result.errors.find((e) => e.row === 7)?.message).toBe('e@example.com is already on row 6');
    expect(result.people.map((p) => p.row)).toEqual([6]);
  });

  it('should report a bad header on row 1 and read no rows', () => {
    const result = parseDirectoryCsv(csv('email,name,email,colour', 'a@example.com,Ann,a@example.com,red'));
    expect(result.people).toEqual([]);
    expect(result.errors.map((e) => [e.row, e.field])).toEqual([
      [1, 'email'],
      [1, 'colour'],
      [1, 'tier'],
      [1, 'roles'],
    ]);
  });

  it('should report a row with more cells than the header', () => {
    const result = parseDirectoryCsv(csv('email,name,tier,roles', 'a@example.com,Ann,core,employee,extra'));
    expect(result.errors).toEqual([{ row: 2, field: 'csv', message: 'the row has 5 cells, the header 4' }]);
  });

  it('should report broken quoting with the row it starts on', () => {
    const result = parseDirectoryCsv(csv(HEADER, 'a@example.com,Ann,core,employee,,,,,', 'b@example.com,"Bob,core'));
    expect(result.people).toEqual([]);
    expect(result.errors).toEqual([{ row: 3, field: 'csv', message: expect.stringContaining('Quote Not Closed') }]);
  });

  it('should refuse an empty file and a file without people', () => {
    expect(parseDirectoryCsv('').errors).toEqual([{ row: 1, field: 'csv', message: expect.any(String) }]);
    expect(parseDirectoryCsv(`${HEADER}\n\n`).errors).toEqual([
      { row: 2, field: 'csv', message: 'the file has a header but no people' },
    ]);
  });
});
