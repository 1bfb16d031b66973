// GET /media/<key>: stored media, cacheable forever (a key's bytes never
// change: replacing an avatar makes a new key), with an ETag for revalidation.
// GET /media/default/(avatar|header).png: the placeholders for accounts without one.
import { createHash } from 'node:crypto';
import { Router } from '@koa/router';
import type { ApiDeps } from '../../server/http/deps.ts';
import { createDefaultImages } from '../images/default-images.ts';
import { createLocalDiskStorage } from '../storage/local-disk.ts';
import type { MediaStorage } from '../storage/storage.ts';

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
    const object = await storage.get(`${ctx.params.a}/${ctx.params.b}/${ctx.params.file}`);
    if (!object) return next(); // → the JSON 404
    ctx.set('Cache-Control', IMMUTABLE);
    ctx.set('ETag', object.etag);
    ctx.status = 200;
    if (ctx.fresh) {
      object.body.destroy();
      ctx.status = 304;
      return;
    }
    ctx.type = object.contentType;
    ctx.length = object.size;
    ctx.body = object.body;
  });

  return router;
}
