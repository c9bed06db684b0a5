import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig, EncryptionConfig } from '../config';
import { ChainMac } from '../crypto';
import { useChainMac } from './audit-log.repository';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** The one description of the database, shared by the API, the worker, the tests and the TypeORM CLI. */
export function dataSourceOptions(database: AppConfig['database']): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: false,
  } as const;
  if (database.type === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: database.url,
      // Every query here reads a page or writes one request: a parallel plan only adds its workers'
      // start-up (measured ~50 ms on 2 cores for the inbox's due order, against ~20 ms without).
      extra: { max: 10, options: '-c max_parallel_workers_per_gather=0' },
    };
  }
  if (database.path !== ':memory:') fs.mkdirSync(path.dirname(database.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: database.path,
    // The API and the worker share the file: WAL lets readers and one writer work together.
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 10000');
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = NORMAL');
    },
  };
}

const MIGRATION_LOCK = 7_363_001;

/**
 * Opens the database; with `migrate`, brings its schema up to date first. On PostgreSQL an
 * advisory lock keeps several API replicas from migrating at once. With `auditChain` (the
 * config's AUDIT_CHAIN_KEYS), every audit log on it signs and verifies with those keys.
 */
export async function openDataSource(
  database: AppConfig['database'],
  options: { migrate: boolean; auditChain?: EncryptionConfig },
): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(database));
  if (options.auditChain) useChainMac(dataSource, new ChainMac(options.auditChain));
  await dataSource.initialize();
  if (options.migrate) await withStartupLock(dataSource, () => dataSource.runMigrations({ transaction: 'each' }));
  return dataSource;
}

/**
 * Runs `fn` holding the start-up advisory lock on PostgreSQL, so processes starting together take
 * turns: migrations, and the rows a fresh database is bootstrapped with (the default policy, the
 * dev directory seed), which two APIs writing at once would both try to insert. SQLite has one writer.
 */
export async function withStartupLock<T>(dataSource: DataSource, fn: () => Promise<T>): Promise<T> {
  if (dataSource.options.type !== 'postgres') return fn();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return await fn();
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
