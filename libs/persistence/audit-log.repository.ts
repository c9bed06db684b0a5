import { createHash } from 'node:crypto';
import { MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { loadConfig } from '../config';
import { ChainMac } from '../crypto';
import { canonicalJson } from './canonical-json';
import { AuditLogEntity } from './entities';

/** What the log records. Passport events never carry the number or its ciphertext. */
export type AuditEvent =
  | 'request.submitted'
  | 'request.state'
  | 'request.amended'
  | 'decision.recorded'
  | 'authorization.recorded'
  | 'authorization.expired'
  | 'authorization.document_stored'
  | 'material.document_stored'
  | 'request.reviewer_assigned'
  | 'obligation.fulfilled'
  | 'obligation.reopened'
  | 'passport.deposited'
  | 'passport.ready_for_hand_out'
  | 'passport.handed_out'
  | 'passport.released'
  | 'passport.returned'
  | 'passport.not_collected'
  | 'passport.overdue'
  | 'policy.bootstrapped'
  | 'policy.published'
  | 'history.archived'
  | 'directory.person.created'
  | 'directory.person.updated'
  | 'directory.tier.changed'
  | 'directory.imported'
  | 'screening.entry.added'
  | 'screening.entry.changed'
  | 'screening.entry.removed'
  | 'screening.imported'
  | 'keys.rotated'
  | 'delegation.set'
  | 'delegation.changed'
  | 'delegation.ended'
  | 'screening.dry_run_hit';

export interface AuditEntry {
  requestId?: string | null;
  event: AuditEvent;
  actor?: string | null;
  payload: Record<string, unknown>;
}

/**
 * `forged`: the row's hash is not signed by the audit chain key (re-hashed by someone without it);
 * `unkeyed`: a row without a MAC after signed rows; `unknown_key`: signed by a key not configured here.
 */
export type AuditProblemKind =
  'changed' | 'deleted' | 'reordered' | 'broken_link' | 'forged' | 'unkeyed' | 'unknown_key';

export interface AuditProblem {
  /** The row the problem is about (for `deleted`: the first missing seq). */
  seq: number;
  kind: AuditProblemKind;
  message: string;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

export interface ChainVerification {
  ok: boolean;
  rows: number;
  /** The last row as stored now; export it regularly to catch a rewrite of the whole tail. */
  head: (ChainHead & { recordedAt: string }) | null;
  problems: AuditProblem[];
  /** What verifies but deserves an auditor's eye: rows written before the chain was keyed. */
  warnings: string[];
}

export interface AuditProofRow {
  seq: number;
  event: string;
  actor: string | null;
  payload: unknown;
  recordedAt: string;
  prevHash: string;
  hash: string;
  /** The AUDIT_CHAIN_KEYS key id and HMAC of `hash` (null on rows written before the chain was keyed). */
  macKeyId: string | null;
  mac: string | null;
}

export interface AuditProof {
  requestId: string;
  rows: AuditProofRow[];
  head: (ChainHead & { recordedAt: string }) | null;
}

/** The `prev_hash` of row 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** PostgreSQL advisory lock key that serializes appends across processes (the migration lock is 7_363_001). */
const AUDIT_APPEND_LOCK = 7_363_002;

/** Write transactions of one process on one SQLite connection, one after the other (see `writeTransaction`). */
const sqliteWriteQueues = new WeakMap<DataSource, Promise<unknown>>();

/** A no-op write: on SQLite it takes the database's single write lock, as BEGIN IMMEDIATE would. */
const TAKE_SQLITE_WRITE_LOCK = 'UPDATE audit_log SET seq = seq WHERE 0 = 1';

interface HashedContent {
  requestId: string | null;
  event: string;
  actor: string | null;
  payload: unknown;
  recordedAt: string;
}

/** sha256(prev_hash ‖ "\n" ‖ seq ‖ "\n" ‖ canonical JSON of the row's content), hex. */
export function auditRowHash(prevHash: string, seq: number, content: HashedContent): string {
  const body = canonicalJson({
    requestId: content.requestId,
    event: content.event,
    actor: content.actor,
    payload: content.payload,
    recordedAt: content.recordedAt,
  });
  return createHash('sha256').update(`${prevHash}\n${seq}\n${body}`).digest('hex');
}

/** The hash the row should have at the given seq; null when its payload is not even JSON any more. */
function recompute(row: AuditLogEntity, seq: number): string | null {
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch {
    return null;
  }
  return auditRowHash(row.prevHash, seq, { ...row, payload });
}

function describe(row: AuditLogEntity): string {
  const request = row.requestId ? ` of request ${row.requestId}` : '';
  return `row ${row.seq} (${row.event}${request}, recorded ${row.recordedAt})`;
}

/** The chain key each data source was opened with (see `openDataSource`). */
const chainMacs = new WeakMap<DataSource, ChainMac>();
let processChainMac: ChainMac | undefined;

/** Every audit log on this data source signs and verifies with this key (`openDataSource` sets it from the config). */
export function useChainMac(dataSource: DataSource, chainMac: ChainMac): void {
  chainMacs.set(dataSource, chainMac);
}

/** The key of a data source opened without one: AUDIT_CHAIN_KEYS of this process's environment, read once. */
function chainMacOf(dataSource: DataSource): ChainMac {
  const own = chainMacs.get(dataSource);
  if (own) return own;
  processChainMac ??= new ChainMac(loadConfig().auditChain);
  return processChainMac;
}

function isSqlite(dataSource: DataSource): boolean {
  const type = dataSource.options.type;
  return type === 'better-sqlite3' || type === 'sqlite';
}

export interface AuditLogOptions {
  clock?: () => Date;
  /** The chain key; default: the data source's (`useChainMac`), else AUDIT_CHAIN_KEYS of the environment. */
  chainMac?: ChainMac;
}

/**
 * The append-only, hash-chained audit log. Every row holds the hash of the row before it, so a
 * changed, deleted or moved row breaks the chain at a place `verify` names; and every row's hash
 * is signed (HMAC) with a key that is not in the database, so a writer who rewrites rows and
 * recomputes the hashes is named too.
 */
export class AuditLogRepository {
  private readonly clock: () => Date;
  private readonly givenMac: ChainMac | undefined;

  constructor(
    private readonly dataSource: DataSource,
    options: AuditLogOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.givenMac = options.chainMac;
  }

  private get chainMac(): ChainMac {
    return this.givenMac ?? chainMacOf(this.dataSource);
  }

  /**
   * A transaction for a state change and its audit rows. On SQLite, TypeORM shares one connection
   * per process and starts transactions with a deferred `BEGIN`, so two at once in one process
   * collide ("cannot start a transaction within a transaction") and a writer that read first can
   * find its snapshot stale. So this queues the transactions of one process and opens each with a
   * no-op write that takes the write lock (BEGIN IMMEDIATE semantics: another process waits on
   * busy_timeout until this one commits). On PostgreSQL it is a plain transaction.
   */
  async writeTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!isSqlite(this.dataSource)) return this.dataSource.transaction(work);
    const previous = sqliteWriteQueues.get(this.dataSource) ?? Promise.resolve();
    const mine = previous
      .catch(() => undefined)
      .then(() =>
        this.dataSource.transaction(async (manager) => {
          await manager.query(TAKE_SQLITE_WRITE_LOCK);
          return work(manager);
        }),
      );
    sqliteWriteQueues.set(this.dataSource, mine);
    return mine;
  }

  /**
   * Appends entries in order, inside the caller's transaction when `manager` is one (so the log
   * row commits or rolls back with the state change it records; open it with `writeTransaction`),
   * otherwise in a transaction of its own.
   *
   * Two writers must never read the same tail. On PostgreSQL a transaction-scoped advisory lock
   * serializes appends from every process until commit. On SQLite the write lock is taken (again,
   * a no-op if `writeTransaction` already holds it) before the tail is read.
   */
  async append(entries: AuditEntry[], manager?: EntityManager): Promise<AuditLogEntity[]> {
    if (entries.length === 0) return [];
    if (!manager?.queryRunner?.isTransactionActive) {
      return this.writeTransaction((own) => this.append(entries, own));
    }
    await (isSqlite(this.dataSource)
      ? manager.query(TAKE_SQLITE_WRITE_LOCK)
      : manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_APPEND_LOCK]));
    return this.writeAfterTail(manager, entries);
  }

  private async writeAfterTail(manager: EntityManager, entries: AuditEntry[]): Promise<AuditLogEntity[]> {
    const repo = manager.getRepository(AuditLogEntity);
    const [tail] = await repo.find({ order: { seq: 'DESC' }, take: 1 });
    const now = this.clock().toISOString();
    // Never earlier than the row before, so a timestamp going backwards along the chain is itself evidence.
    const recordedAt = tail && tail.recordedAt > now ? tail.recordedAt : now;
    let seq = tail?.seq ?? 0;
    let prevHash = tail?.hash ?? GENESIS_HASH;
    const rows = entries.map((entry) => {
      seq += 1;
      const payload = JSON.parse(canonicalJson(entry.payload)) as unknown;
      const content: HashedContent = {
        requestId: entry.requestId ?? null,
        event: entry.event,
        actor: entry.actor ?? null,
        payload,
        recordedAt,
      };
      const hash = auditRowHash(prevHash, seq, content);
      const { keyId: macKeyId, mac } = this.chainMac.sign(hash);
      const row = Object.assign(new AuditLogEntity(), {
        seq,
        requestId: content.requestId,
        event: content.event,
        actor: content.actor,
        payload: canonicalJson(payload),
        recordedAt,
        prevHash,
        hash,
        macKeyId,
        mac,
      });
      prevHash = hash;
      return row;
    });
    await repo.insert(rows);
    return rows;
  }

  /** The last row's seq and hash (what an operator exports to compare later). */
  async head(): Promise<(ChainHead & { recordedAt: string }) | null> {
    const [tail] = await this.dataSource.getRepository(AuditLogEntity).find({ order: { seq: 'DESC' }, take: 1 });
    return tail ? { seq: tail.seq, hash: tail.hash, recordedAt: tail.recordedAt } : null;
  }

  /**
   * Walks the chain in seq order and names every row that does not fit:
   * - `changed`: the row's contents no longer give its hash, while its link is intact;
   * - `deleted`: seq numbers are missing (or the log ends before an exported head);
   * - `reordered`: the row was written after a different row than the one now before it, or is
   *   dated before its predecessor;
   * - `broken_link`: the row's link matches no row at all (the row before was rewritten and
   *   re-hashed, or the link itself was edited).
   * With `expectedHead` (an exported head), also checks the chain still reaches it unchanged.
   */
  async verify(options: { expectedHead?: ChainHead; batchSize?: number } = {}): Promise<ChainVerification> {
    const repo = this.dataSource.getRepository(AuditLogEntity);
    const batchSize = options.batchSize ?? 1000;
    // Pass 1: where every stored hash sits now, to recognise a row that points at a moved one.
    const seqOfHash = new Map<string, number>();
    for (let after = 0; ;) {
      const page = await repo.find({
        select: { seq: true, hash: true },
        where: { seq: MoreThan(after) },
        order: { seq: 'ASC' },
        take: batchSize,
      });
      for (const row of page) seqOfHash.set(row.hash, row.seq);
      if (page.length < batchSize) break;
      after = page[page.length - 1].seq;
    }

    const problems: AuditProblem[] = [];
    const macs = new MacWalk(this.chainMac);
    let rows = 0;
    let prev: AuditLogEntity | null = null;
    for (let after = 0; ;) {
      const page = await repo.find({ where: { seq: MoreThan(after) }, order: { seq: 'ASC' }, take: batchSize });
      for (const row of page) {
        rows += 1;
        problems.push(...this.check(row, prev, seqOfHash));
        macs.visit(row);
        prev = row;
      }
      if (page.length < batchSize) break;
      after = page[page.length - 1].seq;
    }
    problems.push(...macs.problems());
    problems.sort((a, b) => a.seq - b.seq);

    const head = prev ? { seq: prev.seq, hash: prev.hash, recordedAt: prev.recordedAt } : null;
    const expected = options.expectedHead;
    if (expected) {
      const found = await repo.findOneBy({ seq: expected.seq });
      if (!found && (head?.seq ?? 0) < expected.seq) {
        problems.push({
          seq: (head?.seq ?? 0) + 1,
          kind: 'deleted',
          message:
            `the log ends at seq ${head?.seq ?? 0}, but the exported head is row ${expected.seq}: ` +
            `rows ${(head?.seq ?? 0) + 1} to ${expected.seq} were deleted from the end`,
        });
      } else if (!found || found.hash !== expected.hash) {
        problems.push({
          seq: expected.seq,
          kind: 'changed',
          message:
            `row ${expected.seq} no longer has the exported head hash ${expected.hash}: ` +
            `the chain up to it was rewritten (compare with the exported copy from the first row that differs)`,
        });
      }
    }
    return { ok: problems.length === 0, rows, head, problems, warnings: macs.warnings() };
  }

  private check(row: AuditLogEntity, prev: AuditLogEntity | null, seqOfHash: Map<string, number>): AuditProblem[] {
    const problems: AuditProblem[] = [];
    const expectedSeq = (prev?.seq ?? 0) + 1;
    const gap = row.seq > expectedSeq;
    if (gap) {
      const missing =
        row.seq - expectedSeq === 1 ? `row ${expectedSeq} is` : `rows ${expectedSeq} to ${row.seq - 1} are`;
      problems.push({
        seq: expectedSeq,
        kind: 'deleted',
        message: `${missing} missing: deleted between ${prev ? `row ${prev.seq}` : 'the start of the log'} and row ${row.seq}`,
      });
    }
    const contentOk = recompute(row, row.seq) === row.hash;
    const expectedPrev = prev?.hash ?? GENESIS_HASH;
    if (row.prevHash === expectedPrev) {
      if (!contentOk) {
        problems.push({
          seq: row.seq,
          kind: 'changed',
          message: `${describe(row)} was changed after it was written: its contents no longer match its hash`,
        });
      }
    } else {
      const linkedSeq = row.prevHash === GENESIS_HASH ? 0 : seqOfHash.get(row.prevHash);
      if (linkedSeq !== undefined && linkedSeq !== prev?.seq) {
        problems.push({ seq: row.seq, kind: 'reordered', message: this.movedMessage(row, linkedSeq, contentOk) });
      } else if (!gap) {
        const before = prev ? `row ${prev.seq}` : 'the start of the log';
        problems.push({
          seq: row.seq,
          kind: 'broken_link',
          message: contentOk
            ? `${describe(row)} does not link to ${before}: ${before} was rewritten and re-hashed after row ${row.seq} was written`
            : `${describe(row)} was changed after it was written, including its link to ${before}`,
        });
      } else if (!contentOk) {
        problems.push({
          seq: row.seq,
          kind: 'changed',
          message: `${describe(row)} was changed after it was written: its contents no longer match its hash`,
        });
      }
    }
    if (prev && row.recordedAt < prev.recordedAt && !problems.some((p) => p.seq === row.seq)) {
      problems.push({
        seq: row.seq,
        kind: 'reordered',
        message: `${describe(row)} is dated before row ${prev.seq} (${prev.recordedAt}): rows were reordered or re-dated`,
      });
    }
    return problems;
  }

  private movedMessage(row: AuditLogEntity, linkedSeq: number, contentOk: boolean): string {
    const after = linkedSeq === 0 ? 'as the first row of the log' : `right after the row now at seq ${linkedSeq}`;
    if (contentOk) {
      return `${describe(row)} is intact but was written ${after}, not after row ${row.seq - 1}: rows were reordered around it`;
    }
    // Where would the row verify? Its original seq is usually close by (a swap of neighbours).
    const candidates = [linkedSeq + 1];
    for (let d = 1; d <= 64; d += 1) candidates.push(row.seq - d, row.seq + d);
    const original = candidates.find((seq) => seq > 0 && recompute(row, seq) === row.hash);
    return original !== undefined
      ? `${describe(row)} was written as row ${original} and moved to seq ${row.seq}`
      : `${describe(row)} was written ${after} and has been moved and changed`;
  }

  /** The rows of one request with their hashes, and the chain head: the audit part of an evidence pack. */
  async proofFor(requestId: string): Promise<AuditProof> {
    const rows = requestId
      ? await this.dataSource.getRepository(AuditLogEntity).find({ where: { requestId }, order: { seq: 'ASC' } })
      : [];
    return {
      requestId,
      rows: rows.map((row) => ({
        seq: row.seq,
        event: row.event,
        actor: row.actor,
        payload: JSON.parse(row.payload) as unknown,
        recordedAt: row.recordedAt,
        prevHash: row.prevHash,
        hash: row.hash,
        macKeyId: row.macKeyId,
        mac: row.mac,
      })),
      head: await this.head(),
    };
  }

  /**
   * What the chain recorded when a history was archived: the latest `history.archived` row of that
   * workflow, its SHA-256, and whether the row itself is intact (its content gives its hash and its
   * MAC verifies). Null when the chain holds no such row (archived before archives were chained).
   */
  async archiveRecord(
    requestId: string,
    workflowId: string,
  ): Promise<{ seq: number; sha256: string | null; intact: boolean } | null> {
    const rows = await this.dataSource.getRepository(AuditLogEntity).find({
      where: { requestId, event: 'history.archived' },
      order: { seq: 'DESC' },
    });
    for (const row of rows) {
      let payload: { workflowId?: unknown; sha256?: unknown } = {};
      try {
        payload = JSON.parse(row.payload) as typeof payload;
      } catch {
        return { seq: row.seq, sha256: null, intact: false };
      }
      if (payload.workflowId !== workflowId) continue;
      const signed =
        row.macKeyId !== null && row.mac !== null && this.chainMac.check(row.hash, row.macKeyId, row.mac) === 'valid';
      return {
        seq: row.seq,
        sha256: typeof payload.sha256 === 'string' ? payload.sha256 : null,
        intact: signed && recompute(row, row.seq) === row.hash,
      };
    }
    return null;
  }
}

/**
 * The MAC half of `verify`: rows before the first signed one are a warning (written before the
 * chain was keyed); after it, an unsigned row, a row whose MAC fails and a row signed by a key not
 * configured here are problems, each reported once at its first row with how many rows share it
 * (re-hashing a tail makes every row after the first rewritten one fail).
 */
class MacWalk {
  private leadingUnkeyed: AuditLogEntity[] = [];
  private keyedSeen = false;
  private readonly found = new Map<'forged' | 'unkeyed' | 'unknown_key', { row: AuditLogEntity; count: number }>();

  constructor(private readonly chainMac: ChainMac) {}

  visit(row: AuditLogEntity): void {
    if (row.macKeyId === null || row.mac === null) {
      if (this.keyedSeen) this.note('unkeyed', row);
      else this.leadingUnkeyed.push(row);
      return;
    }
    this.keyedSeen = true;
    const check = this.chainMac.check(row.hash, row.macKeyId, row.mac);
    if (check === 'invalid') this.note('forged', row);
    else if (check === 'unknown-key') this.note('unknown_key', row);
  }

  private note(kind: 'forged' | 'unkeyed' | 'unknown_key', row: AuditLogEntity): void {
    const seen = this.found.get(kind);
    if (seen) seen.count += 1;
    else this.found.set(kind, { row, count: 1 });
  }

  problems(): AuditProblem[] {
    return [...this.found.entries()].map(([kind, { row, count }]) => {
      const more = count > 1 ? ` (${count} row(s) from here on fail the same way)` : '';
      const message =
        kind === 'forged'
          ? `${describe(row)} is not signed by the audit chain key "${row.macKeyId}": its hash was written or ` +
            `recomputed by someone without the key${more}`
          : kind === 'unkeyed'
            ? `${describe(row)} has no MAC although earlier rows are signed: it was written or rewritten ` +
              `without the audit chain key${more}`
            : `${describe(row)} is signed by key "${row.macKeyId}", which is not in AUDIT_CHAIN_KEYS here ` +
              `(configured: ${this.chainMac.keyIds.join(', ')}); add it to verify the row${more}`;
      return { seq: row.seq, kind, message };
    });
  }

  warnings(): string[] {
    const rows = this.leadingUnkeyed;
    if (rows.length === 0) return [];
    const last = rows[rows.length - 1];
    const span = rows.length === 1 ? `row ${last.seq} was` : `rows ${rows[0].seq} to ${last.seq} were`;
    return [
      `unkeyed rows before ${last.seq + 1}: ${span} written before the chain was keyed (no MAC, last ` +
        `recorded ${last.recordedAt}); only the hash chain protects them` +
        (this.keyedSeen
          ? `, and the signed row ${last.seq + 1} fixes them as they were when it was written`
          : ', and no row is signed yet') +
        '. Their number must never grow.',
    ];
  }
}

/**
 * A write transaction that holds SQLite's write lock from its first statement (so a concurrent
 * writer in another process makes it wait on busy_timeout instead of failing with "database is
 * locked" when it upgrades from reading); a plain transaction on PostgreSQL.
 */
export function writeTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return new AuditLogRepository(dataSource).writeTransaction(work);
}

/**
 * Appends audit entries inside the caller's write transaction (open it with `writeTransaction`), so
 * they commit or roll back with the change they record: the one call a repository needs.
 */
export function appendAudit(manager: EntityManager, entries: AuditEntry[]): Promise<AuditLogEntity[]> {
  return new AuditLogRepository(manager.connection).append(entries, manager);
}
