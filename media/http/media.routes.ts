// GET /media/<key>: stored media, cacheable forever (a key's bytes never
// change: replacing an avatar makes a new key), with an ETag for revalidation
// and single byte ranges for video seeking. Only public keys are served.
// GET /media/default/(avatar|header).png: the placeholders for accounts without one.
import { createHash } from 'node:crypto';
import { Router } from '@koa/router';
import { notFound } from '../../server/errors.ts';
import type { ApiDeps } from '../../server/http/deps.ts';
import { createDefaultImages } from '../images/default-images.ts';
import { createLocalDiskStorage } from '../storage/local-disk.ts';
import { isPublicKey, type MediaStorage } from '../storage/storage.ts';
import { contentRange, parseRange, rangeStillApplies } from './byte-range.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

export function createMediaRouter(deps: ApiDeps, storage: MediaStorage = createLocalDiskStorage(deps.config.mediaDir)): Router {
  const router = new Router();
  const defaults = createDefaultImages();
  // Browser apps on other origins draw media into canvases (blurhash, editors),
  // which needs CORS; nosniff keeps a stored file from being run as anything else.
  router.use(async (ctx, next) => {
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.set('X-Content-Type-Options', 'nosniff');
    await next();
  });

  router.get('/media/default/:file', async (ctx, next) => {
    const kind = ctx.params.file === 'avatar.png' ? 'avatar' : ctx.params.file === 'header.png' ? 'header' : null;
    if (!kind) return next();
    const png = await defaults.png(kind);
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.etag = createHash('sha256').update(png).digest('hex').slice(0, 32);
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'image/png';
    ctx.body = png;
  });

  router.get('/media/:a/:b/:file', async (ctx, next) => {
    // Served keys only. A raw upload (`uploads/…`) may hold GPS EXIF, and a
    // percent-encoded slash in one segment (`/media/uploads/ab/cd%2F…`)
    // would otherwise spell its key.
    const key = `${ctx.params.a}/${ctx.params.b}/${ctx.params.file}`;
    if (!isPublicKey(key)) return next();
    // The facts first: a 304, a HEAD or a 416 then opens nothing, and a range needs the size.
    const info = await storage.stat(key);
    if (!info) return next(); // → the JSON 404
    ctx.set('Accept-Ranges', 'bytes');
    ctx.set('ETag', info.etag);
    ctx.status = 200; // ctx.fresh only looks at a 2xx answer
    if (ctx.fresh) {
      ctx.set('Cache-Control', IMMUTABLE);
      ctx.status = 304;
      return;
    }
    // Range is defined for GET only (RFC 9110 §14.2); a HEAD describes the whole body.
    const range =
      ctx.method === 'GET' && rangeStillApplies(ctx.get('If-Range'), info.etag) ? parseRange(ctx.get('Range'), info.size) : { kind: 'whole' as const };
    if (range.kind === 'unsatisfiable') {
      ctx.status = 416; // the error handler gives it a JSON body
      ctx.set('Content-Range', contentRange(info.size));
      return;
    }
    ctx.set('Cache-Control', IMMUTABLE);
    ctx.type = info.contentType;
    if (ctx.method === 'HEAD') {
      ctx.length = info.size;
      return;
    }
    const object = await storage.get(key, range.kind === 'partial' ? range : undefined);
    // Deleted since the stat: the error path drops the headers set above.
    if (!object) throw notFound('Not Found');
    if (range.kind === 'partial') {
      ctx.status = 206;
      ctx.set('Content-Range', contentRange(info.size, range));
      ctx.length = range.end - range.start + 1;
    } else {
      ctx.length = object.size;
    }
    ctx.body = object.body;
  });

  return router;
}
