// Mastodon's media endpoints: upload (v2 answers 200 when a photo is done
// within about two seconds, else 202 with `url: null`; v1 waits longer, as
// Mastodon's v1 processes synchronously), read back while processing (206)
// or done (200), set alt text and focal point, delete an unattached upload.
import { Router } from '@koa/router';
import type Koa from 'koa';
import { createLocalDiskStorage } from '../../../media/storage/local-disk.ts';
import type { MediaStorage } from '../../../media/storage/storage.ts';
import type { Media } from '../../db/media.repo.ts';
import { badRequest, notFound, unprocessable } from '../../errors.ts';
import { authenticate, requireScopes, signedIn } from '../../http/auth.ts';
import { apiCors } from '../../http/cors.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { isMultipart, parseMultipart } from '../../http/multipart.ts';
import { apiRateLimit, rateLimit } from '../../http/rate-limit.ts';
import type { AppState } from '../../http/state.ts';
import { findOwnMedia, parseFocus, updateOwnMedia } from '../../services/media/media-details.ts';
import { deleteUnattachedMedia } from '../../services/media/delete-media.service.ts';
import { uploadMedia, waitForProcessing } from '../../services/media/upload-media.service.ts';
import { parseId, stringParam } from '../accounts/params.ts';
import { serializeMediaAttachment } from '../entities/media-attachment.ts';
import { readBody } from '../statuses/status-params.ts';

/** How long an upload request waits for processing before answering 202. */
export const V2_WAIT_MS = 2_000;
// v1 predates asynchronous processing: its clients attach the id at once, so it waits for video too.
const V1_WAIT_MS = 60_000;

export function createMediaApiRouter(deps: ApiDeps, storage: MediaStorage = createLocalDiskStorage(deps.config.mediaDir)): Router {
  const { config, db } = deps;
  const router = new Router();
  router.use(apiCors(), authenticate(deps), apiRateLimit(deps));
  const uploadLimit = rateLimit(deps, { bucket: 'media', budget: 'media', key: (ctx) => `account:${(ctx.state as AppState).auth?.account?.id ?? ctx.ip}` });
  const idOf = (ctx: Koa.Context) => {
    const id = parseId(ctx.params.id ?? '');
    if (id === null) throw notFound();
    return id;
  };

  const upload = (waitMs: number, waitForVideo: boolean): Koa.Middleware => async (ctx) => {
    if (!isMultipart(ctx)) throw unprocessable('Upload the file as multipart/form-data in the field "file"');
    const maxFileBytes = Math.max(config.uploads.maxImageBytes, config.uploads.maxVideoBytes);
    const body = await parseMultipart(ctx, { fileFields: ['file', 'thumbnail'], maxFileBytes });
    const { account, user } = signedIn(ctx);
    const media = await uploadMedia(db, config, storage, account.id, {
      keepCameraInfo: user.keepCameraInfo,
      file: body.files.file?.buffer,
      description: stringParam(body.fields.description),
      focus: parseFocus(stringParam(body.fields.focus)),
    });
    // A photo is usually done at once; a worker (in another thread or process) writes the row.
    const current = media.kind === 'image' || waitForVideo ? await waitForProcessing(db, media.id, waitMs) : media;
    if (!current) throw notFound();
    answer(ctx, current, { created: true });
  };

  router.post('/api/v2/media', requireScopes('write:media'), uploadLimit, upload(V2_WAIT_MS, false));
  router.post('/api/v1/media', requireScopes('write:media'), uploadLimit, upload(V1_WAIT_MS, true));

  router.get('/api/v1/media/:id', requireScopes('write:media'), async (ctx) => {
    answer(ctx, await findOwnMedia(db, signedIn(ctx).account.id, idOf(ctx)));
  });

  router.put('/api/v1/media/:id', requireScopes('write:media'), async (ctx) => {
    const body = await readBody(ctx);
    const accountId = signedIn(ctx).account.id;
    const id = idOf(ctx);
    // Once attached, alt text changes go through the post's edit (media_attributes), as on Mastodon.
    if ((await findOwnMedia(db, accountId, id)).postId !== null) throw notFound();
    if (body.description !== undefined && typeof body.description !== 'string' && body.description !== null) throw badRequest('description must be text');
    const media = await updateOwnMedia(db, accountId, id, {
      description: body.description === undefined ? undefined : (stringParam(body.description) ?? null),
      focus: parseFocus(stringParam(body.focus)),
    });
    answer(ctx, media);
  });

  router.delete('/api/v1/media/:id', requireScopes('write:media'), async (ctx) => {
    await deleteUnattachedMedia(db, signedIn(ctx).account.id, idOf(ctx));
    ctx.body = {};
  });

  function answer(ctx: Koa.Context, media: Media, options: { created?: boolean } = {}): void {
    if (media.state === 'failed') throw unprocessable(media.error ?? 'The file could not be processed');
    const entity = serializeMediaAttachment(config, media);
    // Mastodon: 202 for an upload still processing, 206 when polled while still processing.
    ctx.status = media.state === 'ready' ? 200 : options.created ? 202 : 206;
    ctx.body = entity;
  }

  return router;
}
