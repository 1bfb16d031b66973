// GET and POST /api/v1/markers: the read positions of the home timeline and
// the notifications, with Mastodon's scopes (read:statuses, write:statuses).
import type { Router } from '@koa/router';
import type Koa from 'koa';
import { requireScopes, signedIn } from '../../http/auth.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { getMarkers, setMarkers } from '../../services/notifications/markers.service.ts';
import { serializeMarkers } from '../entities/marker.ts';
import { readBody } from '../statuses/status-params.ts';
import { readMarkerPositions, readTimelines } from './notification-params.ts';

export function registerMarkerRoutes(router: Router, deps: ApiDeps): void {
  const { db } = deps;
  const me = (ctx: Koa.Context) => signedIn(ctx).account.id;

  router.get('/api/v1/markers', requireScopes('read:statuses'), async (ctx) => {
    ctx.body = serializeMarkers(await getMarkers(db, me(ctx), readTimelines(ctx.query)));
  });

  router.post('/api/v1/markers', requireScopes('write:statuses'), async (ctx) => {
    ctx.body = serializeMarkers(await setMarkers(db, me(ctx), readMarkerPositions(await readBody(ctx))));
  });
}
