// Deleting a post (DELETE /api/v1/statuses/:id, and a remote author's Delete):
// it is marked deleted, which hides it from every read at once; its media rows
// go and their files are removed by a job; a `post.purge` job then takes it
// out of every home feed in batches (a post may sit in 50,000 feeds: too much
// for the request) and removes the row with its hashtags, mentions and
// versions. All enqueued in the same transaction. Comments on it stay (as on
// Mastodon, they become replies to a deleted post). Counts follow.
import type { Db, Queryable } from '../../db/knex.ts';
import { findMediaByPostIds } from '../../db/media.repo.ts';
import { decreaseAccountPostCount, decreaseCommentsCount, findPostsByIds, markPostsDeleted, type Post } from '../../db/posts.repo.ts';
import { adjustReblogsCount } from '../../db/reblogs.repo.ts';
import { enqueueMany } from '../../jobs/queue.ts';
import { unreblogPost } from '../interactions/reblog.service.ts';
import { withdrawNotification } from '../notifications/notify.ts';
import { PURGE_POST_JOB } from './purge-post.job.ts';
import { federate } from '../federation/outbound.ts';
import { deleteMediaWithFiles } from '../media/media-cleanup.job.ts';
import { findOwnPost } from './own-post.ts';
import { getPostView } from './read-posts.service.ts';
import type { PostView } from './post-views.ts';

/** Deletes the author's post and returns it as it was (Mastodon answers with it, for "delete and redraft"). */
export async function deletePost(db: Db, accountId: number, id: number): Promise<PostView> {
  const own = await findOwnPost(db, accountId, id, { shares: true });
  const view = await getPostView(db, accountId, id);
  // Deleting a share is taking it back: the original's count goes down, the account's post count never went up.
  if (own.reblogOfId !== null) {
    await unreblogPost(db, accountId, own.reblogOfId);
    return view;
  }
  await db.transaction(async (trx) => {
    if ((await removePosts(trx, [id])).length === 0) return;
    // Who must hear of it is decided now: the purge may take the row before the delivery runs.
    const recipientIds = [...view.mentions.map((m) => m.account.id), ...(view.post.inReplyToAccountId === null ? [] : [view.post.inReplyToAccountId])];
    await federate(trx, { type: 'delete', accountId, postId: id, recipientIds, toFollowers: view.post.visibility !== 'direct' });
  });
  return view;
}

/**
 * The deletion path every way of deleting shares (a local delete, a remote
 * Delete, a remote actor's removal): the posts not deleted yet are marked, in
 * the caller's transaction, with their consequences. Shares among them are
 * taken back (the original's count, the share notification). Returns the
 * posts this call deleted: a post deleted meanwhile is not counted twice.
 */
export async function removePosts(trx: Queryable, ids: number[], now = Date.now()): Promise<Post[]> {
  const removed = await markPostsDeleted(trx, ids, now);
  if (removed.length === 0) return [];
  const originals = removed.filter((post) => post.reblogOfId === null);
  const shares = removed.filter((post) => post.reblogOfId !== null);

  const media = await findMediaByPostIds(
    trx,
    originals.map((post) => post.id),
  );
  await deleteMediaWithFiles(
    trx,
    [...media.values()].flat().map((m) => m.id),
  );
  await enqueueMany(
    trx,
    removed.map((post) => ({ type: PURGE_POST_JOB, payload: { postId: post.id } })),
  );
  for (const [accountId, count] of countBy(originals, (post) => post.accountId)) await decreaseAccountPostCount(trx, accountId, count, now);
  for (const [parentId, count] of countBy(originals, (post) => post.inReplyToId)) await decreaseCommentsCount(trx, parentId, count);

  if (shares.length > 0) {
    const sharedPosts = new Map((await findPostsByIds(trx, [...new Set(shares.map((share) => share.reblogOfId!))])).map((post) => [post.id, post]));
    for (const share of shares) {
      await adjustReblogsCount(trx, share.reblogOfId!, -1);
      const original = sharedPosts.get(share.reblogOfId!);
      if (original) await withdrawNotification(trx, { type: 'reblog', recipientId: original.accountId, fromAccountId: share.accountId, postId: original.id });
    }
  }
  return removed;
}

function countBy<T>(items: T[], keyOf: (item: T) => number | null): Map<number, number> {
  const counts = new Map<number, number>();
  for (const item of items) {
    const key = keyOf(item);
    if (key !== null) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
