import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DEFAULT_POLICY_DOCUMENT, type PolicyDocument, type RoutingPolicy } from '../domain/policy';
import { appendAudit, AuditLogRepository } from './audit-log.repository';
import { canonicalJson } from './canonical-json';
import { PolicyVersionEntity } from './entities';

export interface StoredPolicy extends RoutingPolicy {
  createdBy: string;
  createdAt: string;
  /** Why the admin published it (X-Change-Reason), null when none was given. */
  changeReason: string | null;
}

function toPolicy(row: Omit<PolicyVersionEntity, 'changeReason'> & { changeReason?: string | null }): StoredPolicy {
  return {
    ...row.document,
    version: row.version,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    changeReason: row.changeReason ?? null,
  };
}

/** What the audit log records of a version: its number, description and the SHA-256 of its document. */
function publishedFacts(row: { version: number; document: PolicyDocument; createdAt: string }) {
  return {
    version: row.version,
    description: row.document.description ?? null,
    documentSha256: createHash('sha256').update(canonicalJson(row.document)).digest('hex'),
    createdAt: row.createdAt,
  };
}

/** Numbered, immutable policy versions; the highest is in force for new requests. */
export class PolicyRepository {
  private readonly audit: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
  }

  /** Version 1 is the default policy of DOMAIN.md, stored on first start with its audit entry. */
  async ensureDefault(): Promise<void> {
    const repo = this.dataSource.getRepository(PolicyVersionEntity);
    if ((await repo.count()) > 0) return;
    try {
      await this.audit.writeTransaction(async (manager) => {
        const versions = manager.getRepository(PolicyVersionEntity);
        if ((await versions.count()) > 0) return;
        const row = {
          version: 1,
          document: DEFAULT_POLICY_DOCUMENT,
          createdBy: 'system',
          createdAt: new Date().toISOString(),
        };
        await versions.insert(row);
        await appendAudit(manager, [{ event: 'policy.bootstrapped', actor: 'system', payload: publishedFacts(row) }]);
      });
    } catch (error) {
      if ((await repo.count()) === 0) throw error; // a concurrent start inserted it otherwise
    }
  }

  async current(): Promise<StoredPolicy> {
    const [row] = await this.dataSource
      .getRepository(PolicyVersionEntity)
      .find({ order: { version: 'DESC' }, take: 1 });
    if (!row) throw new Error('no policy version stored: ensureDefault() was not run');
    return toPolicy(row);
  }

  async get(version: number): Promise<StoredPolicy | null> {
    const row = await this.dataSource.getRepository(PolicyVersionEntity).findOneBy({ version });
    return row ? toPolicy(row) : null;
  }

  async list(): Promise<
    Array<{ version: number; createdBy: string; createdAt: string; description?: string; changeReason: string | null }>
  > {
    const rows = await this.dataSource.getRepository(PolicyVersionEntity).find({ order: { version: 'DESC' } });
    return rows.map((r) => ({
      version: r.version,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
      description: r.document.description,
      changeReason: r.changeReason ?? null,
    }));
  }

  /** Stores a new version numbered after the highest; a concurrent publish makes one of them retry. */
  async publish(
    document: PolicyDocument,
    createdBy: string,
    changeReason: string | null = null,
  ): Promise<StoredPolicy> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const version = (await this.current()).version + 1;
      const row = { version, document, createdBy, createdAt: new Date().toISOString(), changeReason };
      try {
        // One transaction per attempt: on PostgreSQL a failed insert spoils the transaction it is in.
        await this.audit.writeTransaction(async (manager) => {
          await manager.getRepository(PolicyVersionEntity).insert(row);
          await appendAudit(manager, [
            { event: 'policy.published', actor: createdBy, payload: { ...publishedFacts(row), reason: changeReason } },
          ]);
        });
        return toPolicy(row);
      } catch (error) {
        if (attempt === 4) throw error;
      }
    }
    throw new Error('unreachable');
  }
}
