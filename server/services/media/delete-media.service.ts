// DELETE /api/v1/media/:id (Mastodon 4.4): an upload the composer dropped
// goes at once instead of waiting for the 24-hour cleanup. Attached media is
// removed with its post, not here.
import type { Db } from '../../db/knex.ts';
import { unprocessable } from '../../errors.ts';
import { deleteMediaWithFiles } from './media-cleanup.job.ts';
import { findOwnMedia } from './media-details.ts';

export async function deleteUnattachedMedia(db: Db, accountId: number, id: number): Promise<void> {
  const media = await findOwnMedia(db, accountId, id);
  if (media.postId !== null) throw unprocessable('Media attached to a post is deleted with the post');
  await db.transaction((trx) => deleteMediaWithFiles(trx, [id], { unattachedOnly: true }));
}
