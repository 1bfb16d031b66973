// Saving a post (Mastodon's bookmark, Instagram's Saved): private to the
// account, no count, no notification. Saving a share saves its original.
import type { Db } from '../../db/knex.ts';
import { deleteBookmark, insertBookmark } from '../../db/bookmarks.repo.ts';
import { retryOnIdCollision } from './id-collision.ts';
import { findOriginal, visibleTarget } from './target-post.ts';

/** Returns the id of the post saved. */
export async function bookmarkPost(db: Db, accountId: number, id: number): Promise<number> {
  const { post } = await visibleTarget(db, accountId, id);
  await retryOnIdCollision(() => insertBookmark(db, accountId, post.id));
  return post.id;
}

/** Returns the id of the post unsaved, or undefined when there is no such post. */
export async function unbookmarkPost(db: Db, accountId: number, id: number): Promise<number | undefined> {
  const post = await findOriginal(db, id);
  if (!post) return undefined;
  await deleteBookmark(db, accountId, post.id);
  return post.id;
}
