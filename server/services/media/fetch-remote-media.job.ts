// `media.fetch-remote`: a remote attachment fetched (safeFetch: no private
// addresses, size and time limits), checked like an upload (classifyUpload:
// the same byte, pixel and duration limits), kept under a private key and
// rendered by the local uploads' own code (renderStoredUpload). A refused or
// permanently failing fetch marks the row failed and stores nothing; a
// transient one (timeout, network, 5xx) throws, so the queue retries it, and
// the last attempt marks it failed. Media of a post deleted meanwhile is skipped.
import type { Config } from '../../../config/load.ts';
import type { MediaStorage } from '../../../media/storage/storage.ts';
import type { Db } from '../../db/knex.ts';
import { findMediaById, markMediaFailed, markMediaProcessing, type Media } from '../../db/media.repo.ts';
import { findPostById } from '../../db/posts.repo.ts';
import { findAccountById } from '../../db/accounts.repo.ts';
import { domainPolicy } from '../moderation/domain-blocks.service.ts';
import { recordRemoteFetch } from '../../db/remote-media.repo.ts';
import { isAppError } from '../../errors.ts';
import type { JobContext, JobRegistry } from '../../jobs/registry.ts';
import { getLogger } from '../../logging.ts';
import { RemoteFetchError, safeFetch } from '../../net/safe-fetch.ts';
import { classifyUpload, type ClassifiedUpload } from './classify-upload.ts';
import { renderStoredUpload } from './process-media.job.ts';
import { FETCH_REMOTE_MEDIA_ATTEMPTS, FETCH_REMOTE_MEDIA_JOB } from './remote-media.service.ts';

/** Deadlines for one fetch (not settings yet: config/settings.ts could take them as VIEWFINDER_* keys). */
export const REMOTE_IMAGE_TIMEOUT_MS = 30_000;
export const REMOTE_VIDEO_TIMEOUT_MS = 120_000;
const ACCEPT = 'image/*, video/*;q=0.9, */*;q=0.1';

type FetchConfig = Pick<Config, 'uploads' | 'media' | 'allowPrivateAddresses' | 'publicUrl' | 'federation'>;

const log = getLogger('media');

export function registerFetchRemoteMediaJob(registry: JobRegistry, db: Db, config: FetchConfig, storage: MediaStorage): void {
  registry.register<{ mediaId: number }>(FETCH_REMOTE_MEDIA_JOB, {
    maxAttempts: FETCH_REMOTE_MEDIA_ATTEMPTS,
    // A remote server that is down now is often back in minutes: 30 s, 1 min, 2 min.
    backoffBaseMs: 30_000,
    async handler({ mediaId }, ctx) {
      // remoteMedia off: apps load remote files from their own server (the attachment's url falls back to remote_url).
      if (config.federation.remoteMedia === 'off') return;
      const media = await findMediaById(db, mediaId);
      if (!media || media.remoteUrl === null || media.state === 'ready' || media.state === 'failed') return; // done, or deleted
      if (media.postId === null || !(await findPostById(db, media.postId))) {
        log.debug('Remote media {mediaId} skipped: its post was deleted', { mediaId });
        return;
      }
      const owner = await findAccountById(db, media.accountId);
      if (owner?.domain && (await domainPolicy(db, owner.domain)).rejectMedia) {
        // An admin's reject_media block: never downloaded; apps link to the original instead.
        await markMediaFailed(db, mediaId, 'Media from this server is not accepted here');
        return;
      }
      if (!(await markMediaProcessing(db, mediaId))) return;
      // A retry after the file was stored renders it again rather than fetching it twice.
      const kept = media.uploadKey ? await storage.read(media.uploadKey) : undefined;
      if (kept) {
        await renderStoredUpload(db, config, storage, { ...media, uploadKey: media.uploadKey! }, kept, ctx);
        return;
      }
      const fetched = await fetchAndCheck(db, config, media, media.remoteUrl, ctx);
      if (!fetched) return;
      const { data, upload } = fetched;
      const uploadKey = await storage.put(data, upload.ext, { private: true });
      const recorded = await recordRemoteFetch(db, mediaId, { kind: upload.kind, mimeType: upload.mimeType, fileSize: data.length, uploadKey });
      if (!recorded) {
        // Deleted while we fetched: the file belongs to nobody.
        await storage.delete(uploadKey);
        return;
      }
      await renderStoredUpload(db, config, storage, { ...media, kind: upload.kind, mimeType: upload.mimeType, fileSize: data.length, uploadKey }, data, ctx);
    },
  });
}

/** The remote file and what it is; null when it was refused and the row marked failed. */
async function fetchAndCheck(db: Db, config: FetchConfig, media: Media, url: string, ctx: JobContext): Promise<{ data: Buffer; upload: ClassifiedUpload } | null> {
  const fail = async (message: string, error: unknown) => {
    log.info('Remote media {mediaId} from {url} failed: {message} ({error})', { mediaId: media.id, url, message, error: describe(error) });
    await markMediaFailed(db, media.id, message);
    return null;
  };
  const image = media.kind === 'image';
  try {
    const response = await safeFetch(url, {
      allowPrivateAddresses: config.allowPrivateAddresses,
      // What the remote says it is sets the ceiling; classifyUpload then applies the limit of what it really is.
      maxBytes: image ? config.uploads.maxImageBytes : Math.max(config.uploads.maxImageBytes, config.uploads.maxVideoBytes),
      timeoutMs: image ? REMOTE_IMAGE_TIMEOUT_MS : REMOTE_VIDEO_TIMEOUT_MS,
      accept: ACCEPT,
      userAgent: `Viewfinder (+${config.publicUrl})`,
      signal: ctx.signal,
    });
    return { data: response.body, upload: await classifyUpload(response.body, config) };
  } catch (error) {
    if (!fetchFailureIsFinal(error, ctx)) throw error;
    if (error instanceof RemoteFetchError && isPermanentFetchFailure(error)) return fail(fetchMessage(error), error);
    if (isAppError(error) && error.status < 500) return fail(error.publicMessage, error); // the file itself is refused
    return fail('The remote file could not be fetched', error);
  }
}

/**
 * Whether a failed fetch of a remote file (attachment, avatar, header) is the
 * end of it: a refusal or an answer that asking again will not change, the
 * file itself refused (a 4xx AppError from the checks), or the job's last
 * attempt. Otherwise the job throws and the queue retries.
 */
export function fetchFailureIsFinal(error: unknown, ctx: JobContext): boolean {
  if (error instanceof RemoteFetchError && isPermanentFetchFailure(error)) return true;
  if (isAppError(error) && error.status < 500) return true;
  return ctx.attempt >= ctx.maxAttempts && !ctx.signal.aborted;
}

/** Refusals and answers that will not change by asking again. */
function isPermanentFetchFailure(error: RemoteFetchError): boolean {
  // A 5xx, a timeout or a busy server may pass; a 404, a 410 or a redirect loop will not.
  if (error.reason === 'http-status') return error.status !== undefined && error.status < 500 && ![408, 425, 429].includes(error.status);
  return error.reason === 'private-address' || error.reason === 'too-large' || error.reason === 'bad-url';
}

/** Safe to show anyone: says what was wrong with the remote file, never how our network looks. */
function fetchMessage(error: RemoteFetchError): string {
  switch (error.reason) {
    case 'private-address':
      return 'The remote file is at an address this server does not fetch from';
    case 'too-large':
      return 'The remote file is larger than this server accepts';
    case 'bad-url':
      return 'The remote file has no usable URL';
    case 'http-status':
      return error.status !== undefined && error.status >= 400 ? `The remote server answered ${error.status}` : 'The remote server did not send the file';
    default:
      return 'The remote file could not be fetched';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
