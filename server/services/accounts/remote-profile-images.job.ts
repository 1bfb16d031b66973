// Remote avatars and headers copied to our own storage (DESIGN.md rule 5), as
// Mastodon caches them: apps then load them from us, so a viewer's address
// never reaches the remote server, and they pass the same limits as a local
// upload (safeFetch: no private addresses, the image byte limit, a deadline;
// processProfileImage: the pixel limit, the formats we read, resized to
// 400×400 or 1500×500, metadata stripped).
//
// `accounts.sync-remote-images` brings one account's copies in line with what
// its actor names now: a new or changed picture is fetched, an unchanged one
// never again, and a picture that should not be kept (remote media off, the
// domain's media rejected, the account suspended or gone) has its copy
// removed. Until a copy exists the API shows the remote URL, as before. A
// picture refused for good (404, too large, not an image) is remembered as
// refused for that URL; a transient failure is retried by the queue.
import type { Config } from '../../../config/load.ts';
import type { MediaStorage } from '../../../media/storage/storage.ts';
import { processProfileImage, type ProfileImageKind } from '../../../media/images/profile-images.ts';
import type { Db, Queryable } from '../../db/knex.ts';
import { findProfileImages, replaceProfileImage, type ProfileImage, type ProfileImages } from '../../db/profile-images.repo.ts';
import { enqueue } from '../../jobs/queue.ts';
import type { JobContext, JobRegistry } from '../../jobs/registry.ts';
import { getLogger } from '../../logging.ts';
import { safeFetch } from '../../net/safe-fetch.ts';
import { domainPolicy } from '../moderation/domain-blocks.service.ts';
import { fetchFailureIsFinal, REMOTE_IMAGE_TIMEOUT_MS } from '../media/fetch-remote-media.job.ts';

export const SYNC_REMOTE_IMAGES_JOB = 'accounts.sync-remote-images';
const ATTEMPTS = 4;
// A picture changed while the job ran is fetched by the same job, this many times at most.
const MAX_ROUNDS = 3;
const KINDS: ProfileImageKind[] = ['avatar', 'header'];

type SyncConfig = Pick<Config, 'uploads' | 'allowPrivateAddresses' | 'publicUrl' | 'federation'>;

const log = getLogger('media');

const isHttp = (url: string) => /^https?:\/\//i.test(url);

/** The URL a picture's copy should be made from: none when nothing is to be kept. */
function wantedUrl(image: ProfileImage, keep: boolean): string | null {
  return keep && image.remoteUrl !== null && isHttp(image.remoteUrl) ? image.remoteUrl : null;
}

/** In line: the copy (or the refusal) of the wanted URL, or nothing when nothing is wanted. */
function inLine(image: ProfileImage, keep: boolean): boolean {
  const wanted = wantedUrl(image, keep);
  return wanted === null ? image.path === null && image.sourceUrl === null : image.sourceUrl === wanted;
}

/**
 * After a remote account row was written (new actor, refresh, Update,
 * suspension): queue the sync if a copy is out of line, so a refresh with no
 * change enqueues nothing. (This side does not read the remote-media
 * setting: with it off, a refresh of an account with a picture queues a job
 * that finds nothing to do.)
 */
export async function syncRemoteProfileImagesLater(db: Queryable, accountId: number): Promise<void> {
  const images = await findProfileImages(db, accountId);
  if (!images || images.domain === null) return;
  const keep = !images.suspended && !(await domainPolicy(db, images.domain)).rejectMedia;
  if (KINDS.every((kind) => inLine(images[kind], keep))) return;
  await enqueue(db, SYNC_REMOTE_IMAGES_JOB, { accountId }, { dedupeKey: `${SYNC_REMOTE_IMAGES_JOB}:${accountId}`, maxAttempts: ATTEMPTS });
}

export function registerRemoteProfileImagesJob(registry: JobRegistry, db: Db, config: SyncConfig, storage: MediaStorage): void {
  registry.register<{ accountId: number }>(SYNC_REMOTE_IMAGES_JOB, {
    maxAttempts: ATTEMPTS,
    backoffBaseMs: 30_000,
    async handler({ accountId }, ctx) {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const images = await findProfileImages(db, accountId);
        if (!images || images.domain === null) return;
        const keep = config.federation.remoteMedia === 'cache' && !images.suspended && !(await domainPolicy(db, images.domain)).rejectMedia;
        let changed = false;
        for (const kind of KINDS) changed = (await syncOne(db, config, storage, images, kind, keep, ctx)) || changed;
        if (!changed) return;
      }
    },
  });
}

/** One picture in line; true when it had to change. */
async function syncOne(db: Db, config: SyncConfig, storage: MediaStorage, images: ProfileImages, kind: ProfileImageKind, keep: boolean, ctx: JobContext): Promise<boolean> {
  const image = images[kind];
  if (inLine(image, keep)) return false;
  const { path } = image;
  const wanted = wantedUrl(image, keep);
  const stored = wanted === null ? null : await fetchAndStore(config, storage, kind, wanted, ctx);
  const replaced = await replaceProfileImage(db, images.accountId, kind, { expectedPath: path, path: stored, sourceUrl: wanted });
  // The loser of a race deletes what it made; the winner what it replaced.
  const orphan = replaced ? path : stored;
  if (orphan) await storage.delete(orphan).catch((error) => log.warning('Could not delete profile image {key}: {error}', { key: orphan, error }));
  return true;
}

/** The stored copy's key; null when the picture is refused for good (remembered as refused for this URL). */
async function fetchAndStore(config: SyncConfig, storage: MediaStorage, kind: ProfileImageKind, url: string, ctx: JobContext): Promise<string | null> {
  try {
    const response = await safeFetch(url, {
      allowPrivateAddresses: config.allowPrivateAddresses,
      maxBytes: config.uploads.maxImageBytes,
      timeoutMs: REMOTE_IMAGE_TIMEOUT_MS,
      accept: 'image/*',
      userAgent: `Viewfinder (+${config.publicUrl})`,
      signal: ctx.signal,
    });
    const jpeg = await processProfileImage(response.body, kind, { maxImagePixels: config.uploads.maxImagePixels });
    return await storage.put(jpeg, 'jpg');
  } catch (error) {
    if (!fetchFailureIsFinal(error, ctx)) throw error;
    log.info('Remote {kind} {url} not copied: {error}', { kind, url, error: error instanceof Error ? error.message : String(error) });
    return null;
  }
}
