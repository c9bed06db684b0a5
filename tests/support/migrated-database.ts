import type { DataSource } from 'typeorm';
import type { EncryptionConfig } from '@libs/config';
import { openDataSource } from '@libs/persistence';
import type { DatabaseConfig, TestDatabase } from './databases';

/** A spec's migrated database; usable from hooks and tests, not while the spec is collected. */
export interface UsedDatabase {
  readonly dataSource: DataSource;
  readonly config: DatabaseConfig;
}

/**
 * Creates a fresh database and opens it migrated before the spec's tests (`beforeAll`); destroys
 * and drops it after them (`afterAll`): `const db = useMigratedDatabase(database);` inside the
 * `describe`, then `db.dataSource`. `auditChain` keys the audit chain as the API's would.
 */
export function useMigratedDatabase(
  database: TestDatabase,
  options: { auditChain?: EncryptionConfig } = {},
): UsedDatabase {
  let opened: { dataSource: DataSource; config: DatabaseConfig } | undefined;
  let drop: (() => Promise<void>) | undefined;
  const get = () => {
    if (!opened) throw new Error('the database opens in beforeAll: use it inside hooks and tests');
    return opened;
  };
  beforeAll(async () => {
    const db = await database.create();
    drop = db.drop;
    const config: DatabaseConfig = db.env.DATABASE_URL
      ? { type: 'postgres', url: db.env.DATABASE_URL }
      : { type: 'sqlite', path: db.env.SQLITE_PATH };
    opened = { config, dataSource: await openDataSource(config, { migrate: true, ...options }) };
  });
  afterAll(async () => {
    await opened?.dataSource.destroy();
    await drop?.();
  });
  return {
    get dataSource() {
      return get().dataSource;
    },
    get config() {
      return get().config;
    },
  };
}
