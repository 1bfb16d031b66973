// Every database test runs on SQLite and, when reachable, on Postgres. Each
// call to `create` gives a fresh database (a temp SQLite file, or a new
// Postgres schema) so test files and tests run in parallel without sharing state.
// Postgres unreachable: skipped with a printed notice, except under CI=true,
// where the run fails instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { openDatabase, type Db } from '../../server/db/knex.ts';
import { migrateLatest } from '../../server/db/migrate.ts';
import type { DatabaseConfig } from '../../config/database-url.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  db: Db;
  config: DatabaseConfig;
  /** The DATABASE_URL that reaches this same database (for child processes). */
  url: string;
  dataDir: string;
}

export interface DatabaseTarget {
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated (unless `migrate: false`) database, destroyed when the test ends. */
  create(t: ExecutionContext, options?: { migrate?: boolean }): Promise<TestDatabase>;
}

let postgresReachable: Promise<boolean> | undefined;

async function checkPostgres(): Promise<boolean> {
  const db = openDatabase({ client: 'pg', connectionString: TEST_DATABASE_URL }, { poolMax: 1 });
  try {
    await Promise.race([db.raw('select 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 3000))]);
    return true;
  } catch (error) {
    if (process.env.CI === 'true') {
      throw new Error(`Postgres at ${TEST_DATABASE_URL} is unreachable and CI=true requires it: ${(error as Error).message}`);
    }
    console.warn(`NOTICE: Postgres at ${TEST_DATABASE_URL} is unreachable (${(error as Error).message}); Postgres runs of these tests are SKIPPED. Set TEST_DATABASE_URL to test on Postgres.`);
    return false;
  } finally {
    await db.destroy();
  }
}

export function tempDir(t: ExecutionContext, prefix = 'viewfinder-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const sqliteTarget: DatabaseTarget = {
  name: 'sqlite',
  async create(t, options = {}) {
    const dataDir = tempDir(t);
    const config: DatabaseConfig = { client: 'sqlite', filename: join(dataDir, 'test.sqlite') };
    const db = openDatabase(config);
    t.teardown(() => db.destroy());
    if (options.migrate !== false) await migrateLatest(db);
    return { db, config, url: `sqlite://${config.filename}`, dataDir };
  },
};

const postgresTarget: DatabaseTarget = {
  name: 'postgres',
  async create(t, options = {}) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = openDatabase({ client: 'pg', connectionString: TEST_DATABASE_URL }, { poolMax: 1 });
    await admin.raw(`CREATE SCHEMA ${schema}`);
    const config: DatabaseConfig = { client: 'pg', connectionString: TEST_DATABASE_URL, schema };
    const db = openDatabase(config, { poolMax: 4 });
    t.teardown(async () => {
      await db.destroy();
      await admin.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.destroy();
    });
    if (options.migrate !== false) await migrateLatest(db);
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('schema', schema);
    return { db, config, url: url.toString(), dataDir: tempDir(t) };
  },
};

/** The databases this run tests on: SQLite always, Postgres when reachable. */
export async function databaseTargets(): Promise<DatabaseTarget[]> {
  postgresReachable ??= checkPostgres();
  return (await postgresReachable) ? [sqliteTarget, postgresTarget] : [sqliteTarget];
}

/** A port free right now on 127.0.0.1, for servers whose public URL must be known before they listen. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as import('node:net').AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
