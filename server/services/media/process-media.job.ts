// `media.process`: renders an upload's variants, then drops the raw upload
// (it may carry GPS EXIF). A file we cannot use (corrupt, a pixel bomb, a
// codec ffmpeg refuses) fails at once with a message for the uploader; other
// errors are retried, and the last attempt marks the media failed. Either way
// a failed upload's files are removed and the orphan cleanup takes its row.
// Remote media (media.fetch-remote) is rendered by the same renderStoredUpload
// once its file is fetched and stored.
import type { Config } from '../../../config/load.ts';
import type { MediaStorage } from '../../../media/storage/storage.ts';
import type { Db } from '../../db/knex.ts';
import { findMediaById, markMediaFailed, markMediaProcessing, markMediaReady, storageKeysOf, type Media } from '../../db/media.repo.ts';
import { isAppError } from '../../errors.ts';
import type { JobRegistry } from '../../jobs/registry.ts';
import { getLogger } from '../../logging.ts';
import { renderMedia } from './render-media.ts';
import { PROCESS_MEDIA_JOB } from './upload-media.service.ts';

const log = getLogger('media');

export function registerProcessMediaJob(registry: JobRegistry, db: Db, config: Pick<Config, 'uploads' | 'media'>, storage: MediaStorage): void {
  registry.register<{ mediaId: number }>(PROCESS_MEDIA_JOB, {
    maxAttempts: 3,
    backoffBaseMs: 2000,
    async handler({ mediaId }, ctx) {
      const media = await findMediaById(db, mediaId);
      if (!media || media.state === 'ready' || media.state === 'failed') return; // done already, or deleted
      if (!(await markMediaProcessing(db, mediaId))) return;
      const upload = media.uploadKey ? await storage.read(media.uploadKey) : undefined;
      if (!upload) {
        await markMediaFailed(db, mediaId, 'The uploaded file is missing; upload it again');
        return;
      }
      await renderStoredUpload(db, config, storage, { ...media, uploadKey: media.uploadKey! }, upload, ctx);
    },
  });
}

/** Which attempt this is, from the job's context: the last one fails the media instead of throwing. */
export interface RenderAttempt {
  attempt: number;
  maxAttempts: number;
}

/**
 * Renders a claimed ('processing') row whose raw file is stored under
 * `media.uploadKey` and records the result; the raw file is removed once the
 * variants are recorded, or when the file is refused. Retryable errors throw,
 * except on the last attempt.
 */
export async function renderStoredUpload(
  db: Db,
  config: Pick<Config, 'uploads' | 'media'>,
  storage: MediaStorage,
  media: Media & { uploadKey: string },
  upload: Buffer,
  attempt: RenderAttempt,
): Promise<void> {
  const mediaId = media.id;
  // File first: a crash in between leaves a row pointing at nothing, never a file nobody points at.
  const fail = async (message: string) => {
    await storage.delete(media.uploadKey);
    await markMediaFailed(db, mediaId, message);
  };
  let result;
  try {
    result = await renderMedia(media, upload, config, storage);
  } catch (error) {
    if (isAppError(error) && error.status < 500) {
      log.info('Media {mediaId} refused: {message}', { mediaId, message: error.publicMessage });
      await fail(error.publicMessage);
      return;
    }
    if (attempt.attempt >= attempt.maxAttempts) {
      log.error('Media {mediaId} failed after {attempts} attempts: {error}', { mediaId, attempts: attempt.attempt, error });
      await fail('The file could not be processed');
      return;
    }
    throw error;
  }
  // A remote author's blurhash is the one their followers elsewhere already see: it stays.
  if (media.remoteUrl !== null && media.blurhash !== null) result = { ...result, blurhash: media.blurhash };
  if (await markMediaReady(db, mediaId, result)) {
    await storage.delete(media.uploadKey);
  } else {
    // Deleted (or failed by another run) while we worked: what we stored belongs to nobody.
    await Promise.allSettled(storageKeysOf({ variants: result.variants, uploadKey: null }).map((key) => storage.delete(key)));
  }
}
