// Accepting an upload (POST /api/v2/media): classify and check it, keep the raw
// bytes under a private storage key, insert the row and enqueue its processing
// in one transaction. A refused upload leaves nothing behind; a stored file
// whose row could not be written is removed again.
import type { Config } from '../../../config/load.ts';
import type { MediaStorage } from '../../../media/storage/storage.ts';
import { newId } from '../../db/ids.ts';
import type { Db } from '../../db/knex.ts';
import { findMediaById, insertMedia, type Media } from '../../db/media.repo.ts';
import { unprocessable } from '../../errors.ts';
import { enqueue } from '../../jobs/queue.ts';
import { getLogger } from '../../logging.ts';
import { classifyUpload } from './classify-upload.ts';
import { checkDescription, type Focus } from './media-details.ts';

export interface UploadInput {
  file: Buffer | undefined;
  description?: string | null;
  focus?: Focus;
  /** The uploader's choice to keep camera info in photos. */
  keepCameraInfo?: boolean;
}

export const PROCESS_MEDIA_JOB = 'media.process';

export async function uploadMedia(db: Db, config: Pick<Config, 'uploads' | 'media'>, storage: MediaStorage, accountId: number, input: UploadInput): Promise<Media> {
  if (!input.file || input.file.length === 0) throw unprocessable('Validation failed: File can\'t be blank');
  const description = checkDescription(input.description);
  const upload = await classifyUpload(input.file, config);
  const uploadKey = await storage.put(input.file, upload.ext, { private: true });
  const id = newId();
  try {
    await db.transaction(async (trx) => {
      await insertMedia(trx, {
        id,
        accountId,
        kind: upload.kind,
        mimeType: upload.mimeType,
        fileSize: input.file!.length,
        uploadKey,
        keepCameraInfo: input.keepCameraInfo ?? false,
        description,
        focusX: input.focus?.x ?? 0,
        focusY: input.focus?.y ?? 0,
      });
      // Photos first: someone is waiting on them with the composer open.
      await enqueue(trx, PROCESS_MEDIA_JOB, { mediaId: id }, { priority: upload.kind === 'image' ? 10 : 0, maxAttempts: 3 });
    });
  } catch (error) {
    await storage.delete(uploadKey).catch((cause: unknown) => getLogger('media').error('Could not remove upload {key}: {cause}', { key: uploadKey, cause }));
    throw error;
  }
  return (await findMediaById(db, id))!;
}

/**
 * Waits until the media is processed (ready or failed) or `timeoutMs` passes,
 * reading the row: the work may run in a worker thread or another process.
 */
export async function waitForProcessing(db: Db, id: number, timeoutMs: number, pollMs = 50): Promise<Media | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const media = await findMediaById(db, id);
    if (!media || media.state === 'ready' || media.state === 'failed' || Date.now() >= deadline) return media;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
