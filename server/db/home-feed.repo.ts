// SQL that writes `home_feed`, the per-reader feed inboxes (docs/decisions/0005):
// fan-out of a post to its author's followers and to the followers of its
// hashtags, one batch of follower rows per statement; backfill on follow;
// removal of an author's posts; trimming to the newest entries.
// Every insert ignores rows already there, so each job can run twice.
import type { Queryable } from './knex.ts';

export type FeedReason = 'self' | 'follow' | 'hashtag';

/** What a fan-out batch needs to know of the post it delivers. */
export interface FeedPost {
  id: number;
  accountId: number;
  /** A reblog: the original post and its author (their blocks and mutes apply too). */
  reblogOf: { id: number; accountId: number } | null;
  /** A reply to someone else: followers see it only if they follow that account too (Mastodon's rule). */
  inReplyToAccountId: number | null;
}

/** A range of reader (follower) account ids: (after, until]; until null for "to the end". */
export interface IdRange {
  after: number;
  until: number | null;
}

type Row = Record<string, unknown>;

/** The account's feed takes the post at once, if the author is local (their own feed). */
export async function insertOwnFeedEntry(db: Queryable, post: { id: number; accountId: number }): Promise<void> {
  await db.raw(
    `INSERT INTO home_feed (account_id, post_id, author_account_id, reason)
     SELECT a.id, ?, a.id, 'self' FROM accounts a WHERE a.id = ? AND a.domain IS NULL
     ON CONFLICT DO NOTHING`,
    [post.id, post.accountId],
  );
}

/**
 * Boundaries that split an author's followers into batches of `size`, in
 * follower account order, as computed by the database (no follower list
 * comes to Node): batch k is accounts (bounds[k-1], bounds[k]], the last one
 * open-ended. Account order puts a batch's rows into neighbouring pages of
 * home_feed's (account_id, post_id) key: on SQLite about 7× faster to insert
 * than rows scattered over the whole table.
 */
export async function followerBatchBounds(db: Queryable, authorId: number, size: number): Promise<number[]> {
  const rows: Row[] = await db
    .select('account_id')
    .from(db('follows').where('target_account_id', authorId).select('account_id', db.raw('row_number() over (order by account_id) as rn')).as('numbered'))
    .whereRaw('rn % ? = 0', [size])
    .orderBy('account_id');
  return rows.map((row) => Number(row.account_id));
}

/** The same for the followers of any of `hashtagIds` (an account following two of them counts twice: batches stay about the size). */
export async function tagFollowerBatchBounds(db: Queryable, hashtagIds: number[], size: number): Promise<number[]> {
  if (hashtagIds.length === 0) return [];
  const rows: Row[] = await db
    .select('account_id')
    .from(db('followed_hashtags').whereIn('hashtag_id', hashtagIds).select('account_id', db.raw('row_number() over (order by account_id) as rn')).as('numbered'))
    .whereRaw('rn % ? = 0', [size])
    .orderBy('account_id');
  return [...new Set(rows.map((row) => Number(row.account_id)))];
}

/**
 * `reader` neither mutes `author` (an unexpired mute) nor is in a block with
 * it, either way. Its placeholders, in order: see authorBindings/readerBindings.
 */
function notMutedOrBlocked(reader: string, author: string): string {
  return `NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = ${reader} AND m.target_account_id = ${author} AND (m.expires_at IS NULL OR m.expires_at > ?))
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = ${reader} AND b.target_account_id = ${author})
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = ${author} AND b.target_account_id = ${reader})`;
}

/** Bindings of notMutedOrBlocked(column, '?'): the author is the placeholder. */
const authorBindings = (authorId: number, now: number) => [authorId, now, authorId, authorId];
/** Bindings of notMutedOrBlocked('?', column): the reader is the placeholder. */
const readerBindings = (readerId: number, now: number) => [readerId, now, readerId, readerId];

function rangeSql(column: string, range: IdRange, bindings: number[]): string {
  bindings.push(range.after);
  if (range.until === null) return `${column} > ?`;
  bindings.push(range.until);
  return `${column} > ? AND ${column} <= ?`;
}

/** Conditions on a reader (`reader` is its SQL column) shared by follower and hashtag delivery. */
function readerFilters(post: FeedPost, reader: string, now: number, bindings: number[]): string {
  const parts = [`${reader} <> ?`, notMutedOrBlocked(reader, '?')];
  bindings.push(post.accountId, ...authorBindings(post.accountId, now));
  if (post.reblogOf) {
    // Not to the original's author, not past their blocks and mutes, and not
    // when the reader's feed already holds the original.
    parts.push(`${reader} <> ?`, notMutedOrBlocked(reader, '?'), `NOT EXISTS (SELECT 1 FROM home_feed o WHERE o.account_id = ${reader} AND o.post_id = ?)`);
    bindings.push(post.reblogOf.accountId, ...authorBindings(post.reblogOf.accountId, now), post.reblogOf.id);
  }
  if (post.inReplyToAccountId !== null && post.inReplyToAccountId !== post.accountId) {
    parts.push(`(${reader} = ? OR EXISTS (SELECT 1 FROM follows p WHERE p.account_id = ${reader} AND p.target_account_id = ?))`);
    bindings.push(post.inReplyToAccountId, post.inReplyToAccountId);
  }
  // A post deleted meanwhile is not delivered again (its purge may be running).
  parts.push('EXISTS (SELECT 1 FROM posts d WHERE d.id = ? AND d.deleted_at IS NULL)');
  bindings.push(post.id);
  return parts.join('\n AND ');
}

/**
 * One batch of fan-out: the post goes into the feed of each local follower of
 * its author whose account id is in `range`, in account order, skipping those who mute the
 * author or are in a block with them (and, for a reblog, those who hide the
 * author's reblogs). Follows are accepted follows only (requests wait
 * elsewhere), so followers-only posts reach approved followers only.
 * Returns the number of rows inserted.
 */
export async function deliverToFollowers(db: Queryable, post: FeedPost, range: IdRange, now = Date.now()): Promise<number> {
  const bindings: number[] = [post.id, post.accountId, post.accountId];
  const inRange = rangeSql('f.account_id', range, bindings);
  const filters = readerFilters(post, 'f.account_id', now, bindings);
  const sql = `INSERT INTO home_feed (account_id, post_id, author_account_id, reason)
    SELECT f.account_id, ?, ?, 'follow' FROM follows f JOIN accounts a ON a.id = f.account_id
    WHERE f.target_account_id = ? AND ${inRange} AND a.domain IS NULL
    ${post.reblogOf ? 'AND f.show_reblogs' : ''}
    AND ${filters}
    ORDER BY f.account_id
    ON CONFLICT DO NOTHING`;
  return affectedRows(await db.raw(sql, bindings));
}

/**
 * One batch of hashtag fan-out: to the followers of any of `hashtagIds` whose
 * account id is in `range`. A reader following two of the tags comes twice;
 * the conflict clause keeps one row (no DISTINCT: Postgres would then type the
 * parameters as text).
 */
export async function deliverToTagFollowers(db: Queryable, post: FeedPost, hashtagIds: number[], range: IdRange, now = Date.now()): Promise<number> {
  if (hashtagIds.length === 0) return 0;
  const bindings: number[] = [post.id, post.accountId, ...hashtagIds];
  const inRange = rangeSql('t.account_id', range, bindings);
  const filters = readerFilters(post, 't.account_id', now, bindings);
  const sql = `INSERT INTO home_feed (account_id, post_id, author_account_id, reason)
    SELECT t.account_id, ?, ?, 'hashtag' FROM followed_hashtags t
    WHERE t.hashtag_id IN (${hashtagIds.map(() => '?').join(', ')}) AND ${inRange}
    AND ${filters}
    ORDER BY t.account_id
    ON CONFLICT DO NOTHING`;
  return affectedRows(await db.raw(sql, bindings));
}

/**
 * The readers among a delivered batch whose feeds get trimmed this time: one
 * account in `oneIn`, chosen by the ids so that over many posts each account
 * is trimmed about every `oneIn`-th delivery (docs/decisions/0005).
 */
export async function followersToTrim(db: Queryable, authorId: number, range: IdRange, postId: number, oneIn: number): Promise<number[]> {
  // Only our own accounts have home feeds (remote followers get deliveries instead).
  const q = db('follows as f').join('accounts as a', 'a.id', 'f.account_id').whereNull('a.domain').where('f.target_account_id', authorId).where('f.account_id', '>', range.after);
  if (range.until !== null) q.where('f.account_id', '<=', range.until);
  if (oneIn > 1) q.whereRaw('f.account_id % ? = ?', [oneIn, postId % oneIn]);
  const rows: Row[] = await q.select('f.account_id as account_id');
  return rows.map((row) => Number(row.account_id));
}

export async function tagFollowersToTrim(db: Queryable, hashtagIds: number[], range: IdRange, postId: number, oneIn: number): Promise<number[]> {
  if (hashtagIds.length === 0) return [];
  const q = db('followed_hashtags').whereIn('hashtag_id', hashtagIds).where('account_id', '>', range.after);
  if (range.until !== null) q.where('account_id', '<=', range.until);
  if (oneIn > 1) q.whereRaw('account_id % ? = ?', [oneIn, postId % oneIn]);
  const rows: Row[] = await q.distinct('account_id');
  return rows.map((row) => Number(row.account_id));
}

/** Keeps the newest `keep` entries of each account's feed; returns the number of rows removed. */
export async function trimFeeds(db: Queryable, accountIds: number[], keep: number): Promise<number> {
  let removed = 0;
  for (const accountId of accountIds) {
    const result = await db.raw(
      `DELETE FROM home_feed WHERE account_id = ? AND post_id <= (
         SELECT post_id FROM home_feed WHERE account_id = ? ORDER BY post_id DESC LIMIT 1 OFFSET ?)`,
      [accountId, accountId, keep],
    );
    removed += affectedRows(result);
  }
  return removed;
}

export interface BackfillOptions {
  limit: number;
  /** The follow's show_reblogs: the author's reblogs come too. */
  withReblogs: boolean;
  now?: number;
}

/**
 * A new follower's feed takes the author's most recent posts it may see as a
 * follower (public, unlisted, followers-only; never direct or archived), with
 * the same rules as fan-out for replies and reblogs. Returns rows inserted.
 */
export async function backfillFromAuthor(db: Queryable, accountId: number, authorId: number, options: BackfillOptions): Promise<number> {
  const now = options.now ?? Date.now();
  const sql = `INSERT INTO home_feed (account_id, post_id, author_account_id, reason)
    SELECT ?, p.id, ?, 'follow' FROM posts p LEFT JOIN posts o ON o.id = p.reblog_of_id
    WHERE p.account_id = ? AND p.deleted_at IS NULL AND p.archived_at IS NULL
      AND p.visibility IN ('public', 'unlisted', 'private')
      AND (p.in_reply_to_account_id IS NULL OR p.in_reply_to_account_id = p.account_id OR p.in_reply_to_account_id = ?
           OR EXISTS (SELECT 1 FROM follows r WHERE r.account_id = ? AND r.target_account_id = p.in_reply_to_account_id))
      AND (p.reblog_of_id IS NULL OR (${options.withReblogs ? '1 = 1' : '1 = 0'} AND o.account_id <> ? AND o.deleted_at IS NULL
           AND ${notMutedOrBlocked('?', 'o.account_id')}))
    ORDER BY p.id DESC LIMIT ?
    ON CONFLICT DO NOTHING`;
  const bindings = [accountId, authorId, authorId, accountId, accountId, accountId, ...readerBindings(accountId, now), options.limit];
  return affectedRows(await db.raw(sql, bindings));
}

/**
 * Removes up to `batch` of `authorId`'s posts (and shares) from one feed;
 * true when none are left. Reads the feed on its primary key (account_id,
 * post_id): trimming keeps a feed to about 800 rows, so no index on the
 * author is needed (one would double what each fan-out row writes).
 */
export async function removeAuthorBatch(db: Queryable, accountId: number, authorId: number, batch: number): Promise<boolean> {
  const result = await db.raw(
    `DELETE FROM home_feed WHERE account_id = ? AND post_id IN (
       SELECT post_id FROM home_feed WHERE account_id = ? AND author_account_id = ? LIMIT ?)`,
    [accountId, accountId, authorId, batch],
  );
  return affectedRows(result) < batch;
}

/** Removes others' reblogs of `authorId`'s posts from one feed (a block or mute hides those too). */
export async function removeReblogsOfAuthor(db: Queryable, accountId: number, authorId: number): Promise<number> {
  const result = await db.raw(
    `DELETE FROM home_feed WHERE account_id = ? AND post_id IN (
       SELECT h.post_id FROM home_feed h JOIN posts p ON p.id = h.post_id JOIN posts o ON o.id = p.reblog_of_id
       WHERE h.account_id = ? AND o.account_id = ?)`,
    [accountId, accountId, authorId],
  );
  return affectedRows(result);
}

/**
 * Removes the posts a hashtag brought into one feed (the account unfollowed
 * the tag; call after removing the follow), except those another tag the
 * account still follows brought as well.
 */
export async function removeHashtagEntries(db: Queryable, accountId: number, hashtagId: number): Promise<number> {
  const result = await db.raw(
    `DELETE FROM home_feed WHERE account_id = ? AND reason = 'hashtag' AND post_id IN (
       SELECT h.post_id FROM home_feed h JOIN post_hashtags t ON t.post_id = h.post_id AND t.hashtag_id = ?
       WHERE h.account_id = ? AND h.reason = 'hashtag'
         AND NOT EXISTS (SELECT 1 FROM post_hashtags o JOIN followed_hashtags f ON f.hashtag_id = o.hashtag_id AND f.account_id = ?
                         WHERE o.post_id = h.post_id))`,
    [accountId, hashtagId, accountId, accountId],
  );
  return affectedRows(result);
}

/** What stands between a reader and an author now: whether their feed should hold the author's posts. */
export async function readerRelation(db: Queryable, accountId: number, authorId: number, now = Date.now()): Promise<{ follows: boolean; showReblogs: boolean; mutedOrBlocked: boolean }> {
  const [follow, mute, block] = await Promise.all([
    db('follows').where({ account_id: accountId, target_account_id: authorId }).first('show_reblogs'),
    db('mutes')
      .where({ account_id: accountId, target_account_id: authorId })
      .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', now))
      .first('id'),
    db('blocks')
      .where((q) => q.where({ account_id: accountId, target_account_id: authorId }).orWhere({ account_id: authorId, target_account_id: accountId }))
      .first('id'),
  ]);
  return { follows: follow !== undefined, showReblogs: follow ? Boolean(follow.show_reblogs) : false, mutedOrBlocked: mute !== undefined || block !== undefined };
}

/** Rows changed by a raw INSERT/DELETE: better-sqlite3 gives `changes`, pg `rowCount`. */
function affectedRows(result: unknown): number {
  const r = result as { changes?: number; rowCount?: number | null };
  return Number(r.changes ?? r.rowCount ?? 0);
}
