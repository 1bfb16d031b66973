// Deleting a post (DELETE /api/v1/statuses/:id): it is marked deleted, which
// hides it from every read at once; its media rows go and their files are
// removed by a job; a `post.purge` job then takes it out of every home feed in
// batches (a post may sit in 50,000 feeds: too much for the request) and
// removes the row with its hashtags, mentions and versions. All enqueued in
// the same transaction. Comments on it stay (as on Mastodon, they become
// replies to a deleted post). Counts follow.
import type { Db } from '../../db/knex.ts';
import { findMediaByPostIds } from '../../db/media.repo.ts';
import { adjustAccountPostCount, adjustCommentsCount, markPostDeleted } from '../../db/posts.repo.ts';
import { enqueue } from '../../jobs/queue.ts';
import { unreblogPost } from '../interactions/reblog.service.ts';
import { PURGE_POST_JOB } from './purge-post.job.ts';
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
    const media = (await findMediaByPostIds(trx, [id])).get(id) ?? [];
    await deleteMediaWithFiles(
      trx,
      media.map((m) => m.id),
    );
    await markPostDeleted(trx, id);
    await enqueue(trx, PURGE_POST_JOB, { postId: id });
    await adjustAccountPostCount(trx, accountId, -1);
    if (view.post.inReplyToId !== null) await adjustCommentsCount(trx, view.post.inReplyToId, -1);
  });
  return view;
}

