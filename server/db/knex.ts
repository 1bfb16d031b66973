// Opens the database: better-sqlite3 (WAL, foreign keys, busy timeout) or pg.
// Dialect differences stay in server/db; everything above sees one Db.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type { DatabaseConfig } from '../../config/database-url.ts';
import { getLogger } from '../logging.ts';

// Ids and counts are int8 on Postgres; every value we store fits in 53 bits
// (DESIGN.md rule 6), so numbers are exact and no caller needs BigInt.
pg.types.setTypeParser(pg.types.builtins.INT8, (text) => Number(text));

export type Db = Knex;
export type Tx = Knex.Transaction;
/** A connection or a transaction: repositories accept either. */
export type Queryable = Knex | Knex.Transaction;

export interface OpenOptions {
  /** Connections in the Postgres pool (SQLite always uses one). */
  poolMax?: number;
  /**
   * SQLite: let committing statements run the automatic WAL checkpoint.
   * The HTTP connection turns it off and the worker side runs PASSIVE
   * checkpoints instead (DESIGN.md, "SQLite in one process").
   */
  autoCheckpoint?: boolean;
}

// knex's own messages (pool errors, deprecations) go to our log, not the console.
function knexLog(): Knex.Config['log'] {
  const log = getLogger('db');
  const text = (message: unknown) => (message instanceof Error ? message.message : String(message));
  return {
    // knex puts stacks inside warning text ("Acquire connection error: <stack>"):
    // the first line is for operators, the rest only at debug.
    warn: (message: unknown) => {
      log.warn(text(message).split('\n')[0]!);
      log.debug(text(message));
    },
    error: (message: unknown) => {
      log.error(text(message).split('\n')[0]!);
      log.debug(text(message));
    },
    deprecate: (method: string, alternative: string) => log.warn(`${method} is deprecated, use ${alternative}`),
    debug: (message: unknown) => log.debug(text(message)),
  };
}

interface SqliteConnection {
  pragma(sql: string): unknown;
  prepare(sql: string): unknown;
}

const STATEMENT_CACHE_SIZE = 500;
const AUTO_CHECKPOINT_PAGES = 10_000;

/**
 * Each parameter `?` outside string literals as `+?` (one already written so
 * is left alone). Unary plus is a no-op on the value and, like a bare
 * parameter, has no affinity, so comparisons convert exactly as before; but
 * with a bare `?` compared to an indexed column SQLite (built with STAT4 by
 * better-sqlite3) re-plans the statement on every run, which for a one-row
 * lookup by key costs several times the lookup itself. Measured: the home
 * page statement 72 µs with `?`, 35 µs with `+?` (ADR 0008); a post by id
 * 79 → 14 µs, an account by URI 129 → 30 µs (ADR 0009).
 */
export function withPlainParameters(sql: string): string {
  if (!sql.includes('?')) return sql;
  let out = '';
  let quoted = false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'") quoted = !quoted;
    if (c === '?' && !quoted && sql[i - 1] !== '+') out += '+';
    out += c;
  }
  return out;
}

/**
 * knex's better-sqlite3 dialect prepares every query anew, which costs more
 * than running it. Reusing the prepared statement per SQL text is safe there:
 * knex runs each statement to completion (all/run) before the next, and we
 * never pass per-query statement options (safeIntegers).
 *
 * knex begins a transaction with a plain (deferred) BEGIN: the write lock is
 * then taken at the first write, and a transaction that read first fails
 * with SQLITE_BUSY, without waiting, if the other thread's connection wrote
 * in between (busy_timeout cannot turn an old read snapshot into a write).
 * Most services read before they write (is the name free? then insert), so
 * every transaction begins IMMEDIATE: it waits for the write lock up front,
 * as busy_timeout allows, and then cannot be refused.
 */
function cachePreparedStatements(conn: SqliteConnection): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare(sql === 'BEGIN;' ? 'BEGIN IMMEDIATE;' : withPlainParameters(sql));
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
    }
    return statement;
  };
}

export function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Db {
  if (config.client === 'sqlite') {
    if (config.filename !== ':memory:') mkdirSync(dirname(config.filename), { recursive: true });
    const autoCheckpoint = options.autoCheckpoint ?? true;
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename: config.filename },
      useNullAsDefault: true,
      log: knexLog(),
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
          try {
            cachePreparedStatements(conn);
            conn.pragma('journal_mode = WAL');
            conn.pragma('synchronous = NORMAL');
            conn.pragma('foreign_keys = ON');
            conn.pragma('busy_timeout = 10000');
            // 10,000 pages (~40 MB) between automatic checkpoints rather than SQLite's 1,000:
            // fan-out commits ~1,000 feed rows at a time, and a checkpoint inside nearly every
            // one of them doubled a 50k-follower delivery (ADR 0005). The minute's PASSIVE
            // checkpoint still keeps the WAL small when writes are few.
            conn.pragma(`wal_autocheckpoint = ${autoCheckpoint ? AUTO_CHECKPOINT_PAGES : 0}`);
            done(null, conn);
          } catch (error) {
            done(error as Error, conn);
          }
        },
      },
    });
  }
  return knexFactory({
    client: 'pg',
    connection: { connectionString: config.connectionString },
    searchPath: config.schema ? [config.schema] : undefined,
    pool: { min: 0, max: options.poolMax ?? 10 },
    log: knexLog(),
  });
}

export function isSqlite(db: Queryable): boolean {
  return db.client.config.client === 'better-sqlite3';
}

/** Runs a PASSIVE WAL checkpoint on SQLite (no-op on Postgres). */
export async function checkpoint(db: Db): Promise<void> {
  if (isSqlite(db)) await db.raw('PRAGMA wal_checkpoint(PASSIVE)');
}
