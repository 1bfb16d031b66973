// SQL for `bookmarks` (Instagram's Saved, Mastodon's bookmarks): private to
// their owner, unique per (account, post).
import { newId } from './ids.ts';
import type { Queryable } from './knex.ts';
import { pageRows, type Row } from './likes.repo.ts';
import { postFromRow, type IdPage, type Post } from './posts.repo.ts';

/** True when the bookmark was added, false when it was there already. */
export async function insertBookmark(db: Queryable, accountId: number, postId: number, now = Date.now()): Promise<boolean> {
  const inserted: Row[] = await db('bookmarks')
    .insert({ id: newId(now), account_id: accountId, post_id: postId, created_at: now })
    .onConflict(['account_id', 'post_id'])
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

/** True when a bookmark was removed. */
export async function deleteBookmark(db: Queryable, accountId: number, postId: number): Promise<boolean> {
  return (await db('bookmarks').where({ account_id: accountId, post_id: postId }).delete()) > 0;
}

/** A page of an account's bookmarked posts (deleted ones left out), newest bookmark first; `cursor` is the bookmark's id. */
export async function listBookmarkedPosts(db: Queryable, accountId: number, page: IdPage): Promise<{ cursor: number; post: Post }[]> {
  const q = db('bookmarks').join('posts', 'posts.id', 'bookmarks.post_id').where('bookmarks.account_id', accountId).whereNull('posts.deleted_at');
  const rows = await pageRows(q, 'bookmarks.id', page, ['posts.*', 'bookmarks.id as cursor_id']);
  return rows.map((row) => ({ cursor: Number(row.cursor_id), post: postFromRow(row) }));
}
