// SQL for `likes` (Mastodon's favourites) and the like count kept beside
// them on `posts`. A like is unique per (account, post): inserting a second
// is a no-op the caller can see, so counts move only with real rows.
import { newId } from './ids.ts';
import type { Queryable } from './knex.ts';
import { postFromRow, type IdPage, type Post } from './posts.repo.ts';

/** True when the like was added, false when it was there already. `uri`: a remote Like activity's id. */
export async function insertLike(db: Queryable, accountId: number, postId: number, uri: string | null = null, now = Date.now()): Promise<boolean> {
  const inserted: Row[] = await db('likes')
    .insert({ id: newId(now), account_id: accountId, post_id: postId, uri, created_at: now })
    .onConflict(['account_id', 'post_id'])
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

/** True when a like was removed. */
export async function deleteLike(db: Queryable, accountId: number, postId: number): Promise<boolean> {
  return (await db('likes').where({ account_id: accountId, post_id: postId }).delete()) > 0;
}

export async function adjustLikesCount(db: Queryable, postId: number, delta: 1 | -1): Promise<void> {
  await db('posts')
    .where({ id: postId })
    .update({ likes_count: db.raw('case when likes_count + ? < 0 then 0 else likes_count + ? end', [delta, delta]) });
}

/** A page of an account's liked posts (deleted ones left out), newest like first; `cursor` is the like's id. */
export async function listLikedPosts(db: Queryable, accountId: number, page: IdPage): Promise<{ cursor: number; post: Post }[]> {
  const q = db('likes').join('posts', 'posts.id', 'likes.post_id').where('likes.account_id', accountId).whereNull('posts.deleted_at');
  const rows = await pageRows(q, 'likes.id', page, ['posts.*', 'likes.id as cursor_id']);
  return rows.map((row) => ({ cursor: Number(row.cursor_id), post: postFromRow(row) }));
}

/**
 * A page of the accounts that liked a post, newest like first; `cursor` is
 * the like's id. Suspended accounts are left out, and so is anyone in a block
 * with `viewerId` either way.
 */
export async function listLikers(db: Queryable, postId: number, viewerId: number | null, page: IdPage): Promise<{ cursor: number; accountId: number }[]> {
  const q = db('likes').join('accounts', 'accounts.id', 'likes.account_id').where('likes.post_id', postId).whereNull('accounts.suspended_at');
  if (viewerId !== null) withoutBlocksOf(q, viewerId, 'likes.account_id');
  const rows = await pageRows(q, 'likes.id', page, ['likes.id as cursor_id', 'likes.account_id']);
  return rows.map((row) => ({ cursor: Number(row.cursor_id), accountId: Number(row.account_id) }));
}

// Paging and block filtering shared by the interaction repositories (likes,
// bookmarks, shares, collections).

export type Row = Record<string, unknown>;

/**
 * Mastodon's max_id / since_id / min_id on `column`: newest first, or the
 * page just above `min_id` (read oldest first, then reversed).
 */
export async function pageRows(q: ReturnType<Queryable>, column: string, page: IdPage, select: string[]): Promise<Row[]> {
  if (page.maxId !== undefined) q.where(column, '<', page.maxId);
  if (page.sinceId !== undefined) q.where(column, '>', page.sinceId);
  if (page.minId !== undefined) {
    q.where(column, '>', page.minId);
    const rows: Row[] = await q.orderBy(column, 'asc').limit(page.limit).select(select);
    return rows.reverse();
  }
  return q.orderBy(column, 'desc').limit(page.limit).select(select);
}

/** Leaves out rows whose `accountColumn` blocks `viewerId` or is blocked by them. */
export function withoutBlocksOf(q: ReturnType<Queryable>, viewerId: number, accountColumn: string): void {
  q.whereNotExists((b) =>
    b
      .select('blocks.id')
      .from('blocks')
      .where((w) =>
        w
          .where((x) => x.where('blocks.account_id', viewerId).whereRaw('blocks.target_account_id = ??', [accountColumn]))
          .orWhere((x) => x.whereRaw('blocks.account_id = ??', [accountColumn]).where('blocks.target_account_id', viewerId)),
      ),
  );
}
