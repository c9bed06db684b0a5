import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Client } from 'pg';
import type { AppConfig } from '@libs/config';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** Creates a fresh, empty database and returns how to reach it. */
  create(): Promise<{ env: Record<string, string>; drop(): Promise<void> }>;
}

const sqlite: TestDatabase = {
  name: 'sqlite',
  async create() {
    const file = path.join(process.env.TEST_TMP_DIR ?? '/tmp', `db-${randomBytes(6).toString('hex')}.sqlite`);
    return { env: { SQLITE_PATH: file }, drop: async () => undefined };
  },
};

/** A fresh PostgreSQL database `<prefix>_<random>` in the server `adminUrl` reaches; `drop` removes it. */
export async function createPostgresDatabase(
  adminUrl: string,
  prefix = 'clearance_test',
): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    async drop() {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

const postgres = (adminUrl: string): TestDatabase => ({
  name: 'postgres',
  create: () => createPostgresDatabase(adminUrl),
});

/** SQLite always; PostgreSQL too when TEST_POSTGRES_URL is set (CI sets it). */
export function testDatabases(): TestDatabase[] {
  const pg = process.env.TEST_POSTGRES_URL;
  return pg ? [sqlite, postgres(pg)] : [sqlite];
}

export type DatabaseConfig = AppConfig['database'];
