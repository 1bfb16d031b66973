// All SQL for `kv`, the key–value table behind Fedify's KvStore (DESIGN.md
// rule 9) and records of our own (instance keys, setup token, idempotency,
// two-factor steps). A key is an array of strings
// stored as its JSON text, so the keys under a prefix are the rows whose text
// starts with the prefix's JSON minus its closing bracket plus a comma. An
// expired row counts as absent everywhere; `deleteExpired` removes them later.
import { isDeepStrictEqual } from 'node:util';
import type { Knex } from 'knex';
import { isSqlite, type Queryable, type Tx } from './knex.ts';

export type KvPath = readonly string[];

export interface KvEntry {
  key: string[];
  value: unknown;
}

/** A live value and when it expires (epoch ms; null = never). */
export interface KvValue {
  value: unknown;
  expiresAt: number | null;
}

/** What `modifyKv`'s callback decides: its result, and the row's new state (omitted = unchanged, null = deleted). */
export interface KvChange<T> {
  result: T;
  next?: KvValue | null;
}

// The `key` column is text, but Postgres caps a btree index entry at about
// 2.7 kB; a bound well under it keeps both databases rejecting alike, here.
const MAX_KEY_LENGTH = 2048;
const LIST_PAGE = 500;
const DELETE_CHUNK = 1000;

export function encodeKvKey(key: KvPath): string {
  if (key.length === 0 || key.some((part) => typeof part !== 'string')) {
    throw new TypeError(`a kv key is a non-empty array of strings (got ${JSON.stringify(key)})`);
  }
  return JSON.stringify(key);
}

function writableKey(key: KvPath): string {
  const encoded = encodeKvKey(key);
  if (encoded.length > MAX_KEY_LENGTH) throw new RangeError(`kv key is longer than ${MAX_KEY_LENGTH} characters as JSON: ${encoded.slice(0, 80)}…`);
  return encoded;
}

function encodeValue(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`kv values must be JSON-serialisable (got ${typeof value})`);
  return text;
}

function live(q: Knex.QueryBuilder, now: number): Knex.QueryBuilder {
  return q.whereNull('expires_at').orWhere('expires_at', '>', now);
}

export async function getKv(db: Queryable, key: KvPath, now = Date.now()): Promise<unknown> {
  const row = await db('kv')
    .where('key', encodeKvKey(key))
    .where((q) => live(q, now))
    .first('value');
  return row ? JSON.parse(row.value) : undefined;
}

export async function setKv(db: Queryable, key: KvPath, value: unknown, expiresAt: number | null = null): Promise<void> {
  await db('kv')
    .insert({ key: writableKey(key), value: encodeValue(value), expires_at: expiresAt })
    .onConflict('key')
    .merge(['value', 'expires_at']);
}

export async function deleteKv(db: Queryable, key: KvPath): Promise<void> {
  await db('kv').where('key', encodeKvKey(key)).delete();
}

/**
 * Live entries whose key starts with `prefix` (all entries without one), in
 * key order, fetched a page at a time. The prefix test compares a substring
 * rather than using LIKE: no wildcard to escape ('%' and '_' are common in
 * URLs), no case folding (SQLite's LIKE ignores ASCII case), and no collation
 * surprise (a range comparison under a linguistic Postgres collation is not
 * byte order). substr counts code points on both databases, as does the
 * length computed here.
 */
export async function* listKv(db: Queryable, prefix?: KvPath, now = Date.now()): AsyncGenerator<KvEntry> {
  const exact = prefix === undefined ? null : encodeKvKey(prefix);
  const open = exact === null ? null : `${exact.slice(0, -1)},`;
  const openLength = open === null ? 0 : [...open].length;
  let after: string | null = null;
  for (;;) {
    const q = db('kv')
      .select('key', 'value')
      .where((w) => live(w, now))
      .orderBy('key')
      .limit(LIST_PAGE);
    if (exact !== null) q.where((w) => w.where('key', exact).orWhereRaw(`substr(key, 1, ${openLength}) = ?`, [open]));
    if (after !== null) q.where('key', '>', after);
    const rows: { key: string; value: string }[] = await q;
    for (const row of rows) yield { key: JSON.parse(row.key), value: JSON.parse(row.value) };
    if (rows.length < LIST_PAGE) return;
    after = rows[rows.length - 1]!.key;
  }
}

/**
 * Atomic read-modify-write of one key: `fn` sees the live value (or undefined)
 * while the row is locked, and may write more through the transaction it gets
 * (a caller may enqueue jobs there). Concurrent callers on the same key
 * run one after the other, on both databases and across processes.
 *
 * The lock: insert an already-expired placeholder row if none exists (ignored
 * on conflict, so concurrent inserters wait for each other instead of
 * failing), then lock the row. On Postgres that is SELECT … FOR UPDATE. On
 * SQLite the insert is the transaction's first statement and a write, so it
 * takes the database's write lock at once; a transaction that read first would
 * fail with SQLITE_BUSY when another connection wrote in between, because
 * busy_timeout cannot help a read lock that needs upgrading.
 */
export async function modifyKv<T>(db: Queryable, key: KvPath, fn: (current: KvValue | undefined, tx: Tx) => Promise<KvChange<T>> | KvChange<T>): Promise<T> {
  const encoded = writableKey(key);
  return db.transaction(async (tx) => {
    let row: { value: string; expires_at: number | null } | undefined;
    // A concurrent delete can remove the row between our insert and our lock
    // (Postgres, read committed); inserting again settles it.
    for (let tries = 0; row === undefined; tries++) {
      if (tries === 3) throw new Error(`could not lock kv key ${encoded}`);
      await tx('kv').insert({ key: encoded, value: 'null', expires_at: 0 }).onConflict('key').ignore();
      const select = tx('kv').where('key', encoded);
      row = await (isSqlite(tx) ? select : select.forUpdate()).first('value', 'expires_at');
    }
    const now = Date.now();
    const isLive = row.expires_at === null || row.expires_at > now;
    const current = isLive ? { value: JSON.parse(row.value), expiresAt: row.expires_at } : undefined;
    const change = await fn(current, tx);
    if (change.next === null) {
      await tx('kv').where('key', encoded).delete();
    } else if (change.next !== undefined) {
      await tx('kv').where('key', encoded).update({ value: encodeValue(change.next.value), expires_at: change.next.expiresAt });
    } else if (!isLive) {
      // Leave no placeholder (or stale row) behind for deleteExpired to find.
      await tx('kv').where('key', encoded).delete();
    }
    return change.result;
  });
}

/**
 * Compare-and-swap: writes `newValue` only if the live value deep-equals
 * `expected` (undefined = absent). Both sides are compared as JSON values, so
 * key order in objects does not matter. A `newValue` of undefined deletes.
 */
export function casKv(db: Queryable, key: KvPath, expected: unknown, newValue: unknown, expiresAt: number | null = null): Promise<boolean> {
  const wanted = expected === undefined ? undefined : JSON.parse(encodeValue(expected));
  const next = newValue === undefined ? null : { value: JSON.parse(encodeValue(newValue)), expiresAt };
  return modifyKv(db, key, (current) => (isDeepStrictEqual(current?.value, wanted) ? { result: true, next } : { result: false }));
}

/** Deletes expired rows in chunks (short write transactions); returns how many. */
export async function deleteExpired(db: Queryable, now = Date.now()): Promise<number> {
  let total = 0;
  for (;;) {
    const chunk = db('kv').select('key').where('expires_at', '<=', now).limit(DELETE_CHUNK);
    const deleted = await db('kv').whereIn('key', chunk).delete();
    total += deleted;
    if (deleted < DELETE_CHUNK) return total;
  }
}
