// Removing media: `media.delete-files` deletes stored files once their rows are
// gone (enqueued in the transaction that deleted the rows: a post's delete or
// edit, or the cleanup below), and the hourly `media.cleanup-orphans` removes
// uploads that were never attached to a post within 24 hours, failed ones too.
import type { MediaStorage } from '../../../media/storage/storage.ts';
import type { Db, Queryable } from '../../db/knex.ts';
import { deleteMediaRows, findOrphanMediaIds } from '../../db/media.repo.ts';
import { enqueue } from '../../jobs/queue.ts';
import type { JobRegistry } from '../../jobs/registry.ts';
import { getLogger } from '../../logging.ts';

export const DELETE_MEDIA_FILES_JOB = 'media.delete-files';
export const CLEANUP_ORPHAN_MEDIA_JOB = 'media.cleanup-orphans';
export const ORPHAN_MEDIA_AGE_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;

/** Deletes media rows and enqueues the removal of their files, in the caller's transaction. */
export async function deleteMediaWithFiles(trx: Queryable, mediaIds: number[], options: { unattachedOnly?: boolean } = {}): Promise<void> {
  const keys = await deleteMediaRows(trx, mediaIds, options);
  if (keys.length > 0) await enqueue(trx, DELETE_MEDIA_FILES_JOB, { keys });
}

/** Removes one batch of orphans; returns how many rows went. */
export async function cleanupOrphanMedia(db: Db, now = Date.now()): Promise<number> {
  const ids = await findOrphanMediaIds(db, now - ORPHAN_MEDIA_AGE_MS, BATCH);
  if (ids.length === 0) return 0;
  // A post may take one of them this very moment: only still-unattached rows go.
  await db.transaction((trx) => deleteMediaWithFiles(trx, ids, { unattachedOnly: true }));
  return ids.length;
}

export function registerMediaCleanupJobs(registry: JobRegistry, db: Db, storage: MediaStorage): void {
  registry.register<{ keys: string[] }>(DELETE_MEDIA_FILES_JOB, async ({ keys }) => {
    // delete() of a key already gone is no error, so a second run is harmless.
    for (const key of keys) await storage.delete(key);
  });
  registry.register(CLEANUP_ORPHAN_MEDIA_JOB, async (_payload, ctx) => {
    let total = 0;
    for (let removed = BATCH; removed === BATCH && !ctx.signal.aborted; ) {
      removed = await cleanupOrphanMedia(db);
      total += removed;
    }
    if (total > 0) getLogger('media').info('Removed {total} uploads never attached to a post', { total });
  });
}
