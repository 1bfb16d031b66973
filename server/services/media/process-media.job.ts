// `media.process`: renders an upload's variants, then drops the raw upload
// (it may carry GPS EXIF). A file we cannot use (corrupt, a pixel bomb, a
// codec ffmpeg refuses) fails at once with a message for the uploader; other
// errors are retried, and the last attempt marks the media failed. Either way
// a failed upload's files are removed and the orphan cleanup takes its row.
import type { Config } from '../../../config/load.ts';
import type { MediaStorage } from '../../../media/storage/storage.ts';
import type { Db } from '../../db/knex.ts';
import { findMediaById, markMediaFailed, markMediaProcessing, markMediaReady, storageKeysOf } from '../../db/media.repo.ts';
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
      // File first: a crash in between leaves a row pointing at nothing, never a file nobody points at.
      const fail = async (message: string) => {
        await storage.delete(media.uploadKey!);
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
        if (ctx.attempt >= ctx.maxAttempts) {
          log.error('Media {mediaId} failed after {attempts} attempts: {error}', { mediaId, attempts: ctx.attempt, error });
          await fail('The file could not be processed');
          return;
        }
        throw error;
      }
      if (await markMediaReady(db, mediaId, result)) {
        await storage.delete(media.uploadKey!);
      } else {
        // Deleted (or failed by another run) while we worked: what we stored belongs to nobody.
        await Promise.allSettled(storageKeysOf({ variants: result.variants, uploadKey: null }).map((key) => storage.delete(key)));
      }
    },
  });
}
