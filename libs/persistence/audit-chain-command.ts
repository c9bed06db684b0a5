import type { AppConfig } from '../config';
import { AuditLogRepository, type ChainHead, type ChainVerification } from './audit-log.repository';
import { openDataSource } from './data-source';

/** A report an auditor can read: one line per problem, naming the row. */
export function formatChainReport(result: ChainVerification): string[] {
  const head = result.head ? `head: row ${result.head.seq}, hash ${result.head.hash} (${result.head.recordedAt})` : '';
  const warnings = result.warnings.map((w) => `  warning: ${w}`);
  if (result.ok) {
    return [`audit chain OK: ${result.rows} row(s) verified`, ...warnings, ...(head ? [head] : [])];
  }
  return [
    `audit chain BROKEN: ${result.problems.length} problem(s) in ${result.rows} row(s)`,
    ...result.problems.map((p) => `  seq ${p.seq} [${p.kind}] ${p.message}`),
    ...warnings,
    ...(head ? [head] : []),
  ];
}

/** Parses `<seq>:<hash>`, the head an operator exported earlier. */
export function parseChainHead(text: string): ChainHead | null {
  const match = /^(\d{1,12}):([0-9a-f]{64})$/i.exec(text.trim());
  return match ? { seq: Number(match[1]), hash: match[2].toLowerCase() } : null;
}

/**
 * `npm run audit -- verify-chain [--head <seq>:<hash>]`: opens the database (migrating it), walks
 * the chain, checks every row's MAC with AUDIT_CHAIN_KEYS, writes the report and answers the exit
 * code: 0 intact (warnings included), 1 problems found.
 */
export async function verifyChainCommand(
  config: AppConfig,
  options: { expectedHead?: ChainHead; write?: (line: string) => void } = {},
): Promise<number> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dataSource = await openDataSource(config.database, { migrate: true, auditChain: config.auditChain });
  try {
    const result = await new AuditLogRepository(dataSource).verify({ expectedHead: options.expectedHead });
    for (const line of formatChainReport(result)) write(line);
    return result.ok ? 0 : 1;
  } finally {
    await dataSource.destroy();
  }
}
