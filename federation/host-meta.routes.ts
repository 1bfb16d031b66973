// /.well-known/host-meta: the XRD some older servers read to find WebFinger
// (Fedify serves WebFinger itself, not this).
import { Router } from '@koa/router';
import type { Config } from '../config/load.ts';

export function createHostMetaRouter(config: Pick<Config, 'publicUrl'>): Router {
  const router = new Router();
  const xrd = `<?xml version="1.0" encoding="UTF-8"?>
<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
  <Link rel="lrdd" template="${config.publicUrl}/.well-known/webfinger?resource={uri}"/>
</XRD>
`;
  router.get('/.well-known/host-meta', (ctx) => {
    ctx.type = 'application/xrd+xml; charset=utf-8';
    ctx.body = xrd;
  });
  return router;
}
