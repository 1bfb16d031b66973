// A remote author's Delete: of one post (by its ActivityPub id), or of every
// post of an actor that was deleted. Both take the local deletion path
// (delete-post.service.ts removePosts): hidden at once, media files and home
// feeds cleaned up by jobs, counts kept right.
import type { Db } from '../../db/knex.ts';
import { findPostByUri, listLivePostIdsOf } from '../../db/posts.repo.ts';
import { removePosts } from './delete-post.service.ts';

/** Posts removed per transaction when an actor goes: short transactions, so SQLite's one writer is never held for long. */
export const REMOVE_ALL_BATCH = 200;

/** True when this call deleted the post; false when there is no such live post or it is someone else's. */
export async function deleteRemotePost(db: Db, input: { authorId: number; uri: string }): Promise<boolean> {
  const post = await findPostByUri(db, input.uri);
  if (!post || post.accountId !== input.authorId) return false;
  const removed = await db.transaction((trx) => removePosts(trx, [post.id]));
  return removed.length > 0;
}

/** Every live post (and share) of the account, in batches; returns how many went. */
export async function deleteAllPostsOf(db: Db, authorId: number, batch = REMOVE_ALL_BATCH): Promise<number> {
  let total = 0;
  let after = 0;
  for (;;) {
    const ids = await listLivePostIdsOf(db, authorId, after, batch);
    if (ids.length === 0) return total;
    total += (await db.transaction((trx) => removePosts(trx, ids))).length;
    if (ids.length < batch) return total;
    after = ids[ids.length - 1]!;
  }
}
