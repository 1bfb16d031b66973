// What every command shares: where output goes, loading the config, opening
// the database for one command, parsing numbers and printing tables.
import { InvalidArgumentError } from 'commander';
import { loadConfig, type Config, type LoadOptions } from '../../../config/load.ts';
import { openDatabase, type Db } from '../../db/knex.ts';
import { migrateLatest } from '../../db/migrate.ts';
import { configureLogging } from '../../logging.ts';

export interface CliIo {
  /** Results (what a script would parse) go to stdout… */
  out(text: string): void;
  /** …notes, progress and errors to stderr. */
  err(text: string): void;
}

export interface CliContext {
  io: CliIo;
  /** The config of this run once loaded (main uses its log level when reporting errors). */
  config: Config | undefined;
  /** Loads the config from the environment and config file like the server does, and sets up logging. */
  loadConfig(overrides?: LoadOptions['overrides']): Promise<Config>;
}

export function createCliContext(io: CliIo): CliContext {
  const context: CliContext = {
    io,
    config: undefined,
    async loadConfig(overrides) {
      const config = loadConfig({ overrides });
      context.config = config;
      await configureLogging(config);
      return config;
    },
  };
  return context;
}

export const databaseHelp = `
Commands that use the database first apply any pending migrations (as
\`serve\` does), so they work on a fresh install; \`migrate status\` shows
what would run.`;

/**
 * Loads the config, opens the database, brings its schema up to date, runs
 * `fn` and always closes the connection (an open pool would keep the CLI alive).
 */
export async function withDatabase<T>(context: CliContext, fn: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = await context.loadConfig();
  const db = openDatabase(config.database, { poolMax: 2 });
  try {
    const applied = await migrateLatest(db);
    if (applied.length) context.io.err(`Applied ${applied.length} pending migration(s) first.`);
    return await fn(db, config);
  } finally {
    await db.destroy();
  }
}

/** A commander argParser for whole numbers in [min, max]. */
export function integerIn(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `must be a whole number of at least ${min}` : `must be a whole number from ${min} to ${max}`);
    }
    return number;
  };
}

/** Left-aligned columns separated by two spaces, with a header line. */
export function formatTable(headers: string[], rows: (string | number | null)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === null ? '-' : String(cell))))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  return cells.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n');
}

export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
