// `post.purge`: a deleted post (marked `deleted_at`, already hidden from every
// read) leaves every home feed in batches, then its row goes with its hashtags,
// mentions and versions. Enqueued by deleting a post and by taking back a share.
import type { Db } from '../../db/knex.ts';
import { purgeDeletedPost } from '../../db/posts.repo.ts';
import type { JobRegistry } from '../../jobs/registry.ts';

export const PURGE_POST_JOB = 'post.purge';
const PURGE_BATCH = 1000;

export function registerPurgePostJob(registry: JobRegistry, db: Db): void {
  registry.register<{ postId: number }>(PURGE_POST_JOB, async ({ postId }, ctx) => {
    // One short transaction per batch, so the database is never held for long.
    while (!ctx.signal.aborted && !(await db.transaction((trx) => purgeDeletedPost(trx, postId, PURGE_BATCH)))) {
      // next batch
    }
    if (ctx.signal.aborted) throw new Error('stopped before the post was purged; it will be resumed');
  });
}
