import type { LoadStats } from './load';
import type { Row } from './verify';

export interface Fault {
  name: string;
  at: number;
  /** When the part answered again (ready), relative to the load's start. */
  backAt?: number;
}

/** The drill's summary on stdout: faults, the checks table, notes, the machine. */
export function printTable(rows: Row[], faults: Fault[], stats: LoadStats, notes: string[], machine: string[]): void {
  const header: Row = { check: 'check', expected: 'expected', observed: 'observed', verdict: 'info' };
  const all = [header, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((r) => r[k].length));
  const line = (r: Row, verdict: string) =>
    `${r.check.padEnd(w('check'))} | ${r.expected.padStart(w('expected'))} | ${r.observed.padEnd(w('observed'))} | ${verdict}`;
  const out = [
    '',
    'Faults injected (seconds after the load started):',
    ...faults.map(
      (f) => `  ${f.at.toFixed(1).padStart(6)}  ${f.name}${f.backAt ? `, back at ${f.backAt.toFixed(1)}` : ''}`,
    ),
    '',
    line(header, 'result'),
    `${'-'.repeat(w('check'))}-+-${'-'.repeat(w('expected'))}-+-${'-'.repeat(w('observed'))}-+-------`,
    ...rows.map((r) => line(r, r.verdict)),
    ...notes,
    '',
    ...machine,
    ...stats.failures.slice(0, 20).map((f) => `client failure: ${f}`),
    '',
  ];
  process.stdout.write(out.join('\n'));
}
