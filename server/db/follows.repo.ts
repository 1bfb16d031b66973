// SQL for `follows` and `follow_requests`. A follow row and the two counts it
// moves (the follower's following_count, the followed account's
// followers_count) change in one place, in the caller's transaction: the row
// is inserted with a conflict-ignore and the counts move only when a row
// really came or went, so a double follow is one follow and counts never
// drift. Callers lock both accounts first (lockAccounts) so that a follow, a
// block and an authorization between the same two accounts never interleave.
import { noteAuthChange } from './auth-changes.ts';
import { newId } from './ids.ts';
import { isSqlite, type Queryable } from './knex.ts';

export interface FollowOptions {
  showReblogs: boolean;
  notify: boolean;
}

export interface NewFollow extends FollowOptions {
  accountId: number;
  targetAccountId: number;
  /** The Follow activity's id, for remote follows. */
  uri?: string | null;
}

type Row = Record<string, unknown>;
export type FollowTable = 'follows' | 'follow_requests';
type Table = FollowTable;

/**
 * Serializes social-graph writes touching these accounts until the
 * transaction ends. Postgres: row locks in id order (no deadlock between two
 * writers locking the same pair); NO KEY UPDATE, so inserts referencing the
 * accounts (posts, likes) are not held up. SQLite: a no-op write that takes
 * the database's write lock now, so the transaction never has to upgrade a
 * stale read snapshot (which fails at once instead of waiting).
 */
export async function lockAccounts(trx: Queryable, ids: number[]): Promise<void> {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  if (isSqlite(trx)) await trx('accounts').whereIn('id', unique).update({ followers_count: trx.ref('followers_count') });
  else await trx('accounts').whereIn('id', unique).orderBy('id').forNoKeyUpdate().select('id');
}

function optionsFromRow(row: Row | undefined): FollowOptions | undefined {
  return row ? { showReblogs: Boolean(row.show_reblogs), notify: Boolean(row.notify) } : undefined;
}

function find(db: Queryable, table: Table, accountId: number, targetAccountId: number): Promise<FollowOptions | undefined> {
  return db(table).where({ account_id: accountId, target_account_id: targetAccountId }).first('show_reblogs', 'notify').then(optionsFromRow);
}

async function insert(db: Queryable, table: Table, follow: NewFollow, now: number): Promise<boolean> {
  const inserted = await db(table)
    .insert({
      id: newId(now),
      account_id: follow.accountId,
      target_account_id: follow.targetAccountId,
      show_reblogs: follow.showReblogs,
      notify: follow.notify,
      uri: follow.uri ?? null,
      created_at: now,
    })
    .onConflict(['account_id', 'target_account_id'])
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

async function updateOptions(db: Queryable, table: Table, accountId: number, targetAccountId: number, changes: Partial<FollowOptions>): Promise<void> {
  const values: Row = {};
  if (changes.showReblogs !== undefined) values.show_reblogs = changes.showReblogs;
  if (changes.notify !== undefined) values.notify = changes.notify;
  if (Object.keys(values).length === 0) return;
  await db(table).where({ account_id: accountId, target_account_id: targetAccountId }).update(values);
}

function remove(db: Queryable, table: Table, accountId: number, targetAccountId: number): Promise<number> {
  return db(table).where({ account_id: accountId, target_account_id: targetAccountId }).del();
}

const decrement = (db: Queryable, column: string) => db.raw(`case when ${column} > 0 then ${column} - 1 else 0 end`);

/** The follow options when `accountId` follows `targetAccountId`. */
export function findFollow(db: Queryable, accountId: number, targetAccountId: number): Promise<FollowOptions | undefined> {
  return find(db, 'follows', accountId, targetAccountId);
}

/** Inserts the follow unless it exists; true (and both counts moved) when it is new. */
export async function insertFollow(db: Queryable, follow: NewFollow, now = Date.now()): Promise<boolean> {
  if (!(await insert(db, 'follows', follow, now))) return false;
  await db('accounts').where('id', follow.accountId).increment('following_count', 1);
  await db('accounts').where('id', follow.targetAccountId).increment('followers_count', 1);
  noteAuthChange(db);
  return true;
}

export function updateFollowOptions(db: Queryable, accountId: number, targetAccountId: number, changes: Partial<FollowOptions>): Promise<void> {
  return updateOptions(db, 'follows', accountId, targetAccountId, changes);
}

/** Deletes the follow if it exists; true (and both counts moved back) when there was one. */
export async function deleteFollow(db: Queryable, accountId: number, targetAccountId: number): Promise<boolean> {
  if ((await remove(db, 'follows', accountId, targetAccountId)) === 0) return false;
  await db('accounts').where('id', accountId).update({ following_count: decrement(db, 'following_count') });
  await db('accounts').where('id', targetAccountId).update({ followers_count: decrement(db, 'followers_count') });
  noteAuthChange(db);
  return true;
}

/** The options asked for when `accountId` has a pending request to follow `targetAccountId`. */
export function findFollowRequest(db: Queryable, accountId: number, targetAccountId: number): Promise<FollowOptions | undefined> {
  return find(db, 'follow_requests', accountId, targetAccountId);
}

/** Inserts the request unless one is pending; true when it is new. */
export async function insertFollowRequest(db: Queryable, request: NewFollow, now = Date.now()): Promise<boolean> {
  const inserted = await insert(db, 'follow_requests', request, now);
  if (inserted) noteAuthChange(db); // verify_credentials caches follow_requests_count
  return inserted;
}

export function updateFollowRequestOptions(db: Queryable, accountId: number, targetAccountId: number, changes: Partial<FollowOptions>): Promise<void> {
  return updateOptions(db, 'follow_requests', accountId, targetAccountId, changes);
}

/** Withdraws, rejects or consumes a pending request; true when there was one. */
export async function deleteFollowRequest(db: Queryable, accountId: number, targetAccountId: number): Promise<boolean> {
  const deleted = (await remove(db, 'follow_requests', accountId, targetAccountId)) > 0;
  if (deleted) noteAuthChange(db);
  return deleted;
}

/** The Follow activity id stored with a follow or a pending request (remote follows), if any. */
export async function findFollowUri(db: Queryable, table: FollowTable, accountId: number, targetAccountId: number): Promise<string | null> {
  const row = await db(table).where({ account_id: accountId, target_account_id: targetAccountId }).first('uri');
  return row?.uri == null ? null : String(row.uri);
}

/** Records the id of the Follow activity we sent for this request. */
export async function setFollowRequestUri(db: Queryable, accountId: number, targetAccountId: number, uri: string): Promise<void> {
  await db('follow_requests').where({ account_id: accountId, target_account_id: targetAccountId }).update({ uri });
}

/** Up to `limit` accounts waiting for `targetAccountId`'s answer, oldest request first. */
export async function findRequesterIds(db: Queryable, targetAccountId: number, limit: number): Promise<number[]> {
  const ids: unknown[] = await db('follow_requests').where('target_account_id', targetAccountId).orderBy('id', 'asc').limit(limit).pluck('account_id');
  return ids.map(Number);
}

/** Ids of the accounts among `accountIds` that follow `targetAccountId`. */
export async function findFollowersAmong(db: Queryable, targetAccountId: number, accountIds: number[]): Promise<Set<number>> {
  if (accountIds.length === 0) return new Set();
  const ids: unknown[] = await db('follows').where('target_account_id', targetAccountId).whereIn('account_id', accountIds).pluck('account_id');
  return new Set(ids.map(Number));
}
