// SQL for shares (Mastodon's reblogs): a share is a `posts` row with
// reblog_of_id set, no caption or media of its own. At most one live share per
// account and post (the partial unique index posts_reblog_unique); unsharing
// marks the row deleted and the post.purge job takes it out of home feeds.
import type { Queryable } from './knex.ts';
import { pageRows, withoutBlocksOf, type Row } from './likes.repo.ts';
import { postFromRow, type IdPage, type Post, type PostVisibility } from './posts.repo.ts';

export interface NewReblog {
  id: number;
  accountId: number;
  original: Pick<Post, 'id' | 'kind'>;
  visibility: PostVisibility;
  now: number;
  /** A remote share's Announce id. */
  uri?: string;
}

/**
 * The share row, or null when the account already shares the post (or, very
 * rarely, the id was taken: the caller tells them apart with findLiveReblog).
 */
export async function insertReblog(db: Queryable, reblog: NewReblog): Promise<Post | null> {
  const inserted: Row[] = await db('posts')
    .insert({
      id: reblog.id,
      account_id: reblog.accountId,
      // The original's kind, so "only media" filters treat a share like what it shows.
      kind: reblog.original.kind,
      visibility: reblog.visibility,
      reblog_of_id: reblog.original.id,
      uri: reblog.uri ?? null,
      created_at: reblog.now,
      updated_at: reblog.now,
    })
    .onConflict()
    .ignore()
    .returning('*');
  return inserted[0] ? postFromRow(inserted[0]) : null;
}

/** The account's live share of a post, if any. */
export async function findLiveReblog(db: Queryable, accountId: number, originalId: number): Promise<Post | undefined> {
  const row = await db('posts').where({ account_id: accountId, reblog_of_id: originalId }).whereNull('deleted_at').first();
  return row ? postFromRow(row) : undefined;
}

/** Marks the account's live share of a post deleted; the ids of the rows marked (none or one). */
export async function markReblogDeleted(db: Queryable, accountId: number, originalId: number, now = Date.now()): Promise<number[]> {
  const rows: Row[] = await db('posts')
    .where({ account_id: accountId, reblog_of_id: originalId })
    .whereNull('deleted_at')
    .update({ deleted_at: now, updated_at: now })
    .returning('id');
  return rows.map((row) => Number(row.id));
}

export async function adjustReblogsCount(db: Queryable, postId: number, delta: 1 | -1): Promise<void> {
  await db('posts')
    .where({ id: postId })
    .update({ reblogs_count: db.raw('case when reblogs_count + ? < 0 then 0 else reblogs_count + ? end', [delta, delta]) });
}

/**
 * A page of the accounts that share a post, newest share first; `cursor` is
 * the share's id. As Mastodon: only public and unlisted shares are listed
 * (plus the viewer's own), never suspended accounts or anyone in a block
 * with the viewer.
 */
export async function listRebloggers(db: Queryable, originalId: number, viewerId: number | null, page: IdPage): Promise<{ cursor: number; accountId: number }[]> {
  const q = db('posts').join('accounts', 'accounts.id', 'posts.account_id').where('posts.reblog_of_id', originalId).whereNull('posts.deleted_at').whereNull('accounts.suspended_at');
  q.where((w) => {
    w.whereIn('posts.visibility', ['public', 'unlisted']);
    if (viewerId !== null) w.orWhere('posts.account_id', viewerId);
  });
  if (viewerId !== null) withoutBlocksOf(q, viewerId, 'posts.account_id');
  const rows = await pageRows(q, 'posts.id', page, ['posts.id as cursor_id', 'posts.account_id']);
  return rows.map((row) => ({ cursor: Number(row.cursor_id), accountId: Number(row.account_id) }));
}
