// Runs the knex migrations in migrations/ on either database. The files are
// TypeScript that Node loads directly, so we hand knex our own source instead
// of letting it scan for .js files.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Knex } from 'knex';
import type { Db } from './knex.ts';

const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const source: Knex.MigrationSource<string> = {
  async getMigrations() {
    return readdirSync(migrationsDir)
      .filter((name) => /^\d{14}_[a-z0-9_]+\.ts$/.test(name))
      .sort();
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name): Promise<MigrationModule> {
    return (await import(pathToFileURL(join(migrationsDir, name)).href)) as MigrationModule;
  },
};

const migrationConfig: Knex.MigratorConfig = { migrationSource: source, tableName: 'knex_migrations' };

export interface MigrationStatus {
  completed: string[];
  pending: string[];
}

/** Applies every pending migration; returns the names it ran. */
export async function migrateLatest(db: Db): Promise<string[]> {
  const [, names] = (await db.migrate.latest(migrationConfig)) as [number, string[]];
  return names;
}

/** Undoes the last batch, or every batch with `all`; returns the names it undid. */
export async function migrateRollback(db: Db, all = false): Promise<string[]> {
  const [, names] = (await db.migrate.rollback(migrationConfig, all)) as [number, string[]];
  return names;
}

export async function migrationStatus(db: Db): Promise<MigrationStatus> {
  const [completed, pending] = (await db.migrate.list(migrationConfig)) as [{ name: string }[], string[]];
  return { completed: completed.map((m) => m.name), pending: pending.map((p) => (typeof p === 'string' ? p : String(p))) };
}
