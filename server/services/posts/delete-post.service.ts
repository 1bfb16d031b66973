// Deleting a post (DELETE /api/v1/statuses/:id): the row goes with its
// hashtags, mentions and versions; its media rows go too, and their files are
// removed by a job enqueued in the same transaction. Comments on it stay (as on
// Mastodon, they become replies to a deleted post). Counts follow.
import type { Db } from '../../db/knex.ts';
import { findMediaByPostIds } from '../../db/media.repo.ts';
import { adjustAccountPostCount, adjustCommentsCount, deletePostRow } from '../../db/posts.repo.ts';
import { deleteMediaWithFiles } from '../media/media-cleanup.job.ts';
import { findOwnPost } from './own-post.ts';
import { getPostView } from './read-posts.service.ts';
import type { PostView } from './post-views.ts';

/** Deletes the author's post and returns it as it was (Mastodon answers with it, for "delete and redraft"). */
export async function deletePost(db: Db, accountId: number, id: number): Promise<PostView> {
  await findOwnPost(db, accountId, id);
  const view = await getPostView(db, accountId, id);
  await db.transaction(async (trx) => {
    const media = (await findMediaByPostIds(trx, [id])).get(id) ?? [];
    await deleteMediaWithFiles(
      trx,
      media.map((m) => m.id),
    );
    await deletePostRow(trx, id);
    await adjustAccountPostCount(trx, accountId, -1);
    if (view.post.inReplyToId !== null) await adjustCommentsCount(trx, view.post.inReplyToId, -1);
  });
  return view;
}
