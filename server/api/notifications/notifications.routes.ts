// Mastodon's notification endpoints (v1 list, one, dismiss, clear,
// unread_count), the grouped v2 ones (grouped-notifications.routes.ts) and the
// read markers (markers.routes.ts). Handlers parse, call one service function
// and serialize.
import { Router } from '@koa/router';
import type Koa from 'koa';
import { notFound } from '../../errors.ts';
import { authenticate, requireScopes, signedIn } from '../../http/auth.ts';
import { apiCors } from '../../http/cors.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { pageParams, setLinkHeader } from '../../http/pagination.ts';
import { apiRateLimit } from '../../http/rate-limit.ts';
import { clearNotifications, dismissNotification } from '../../services/notifications/dismiss-notifications.service.ts';
import { countUnreadNotifications, getNotificationView, listNotificationViews } from '../../services/notifications/read-notifications.service.ts';
import { parseId } from '../accounts/params.ts';
import { serializeNotification } from '../entities/notification.ts';
import { registerGroupedNotificationRoutes } from './grouped-notifications.routes.ts';
import { registerMarkerRoutes } from './markers.routes.ts';
import { readCountLimit, readNotificationFilter } from './notification-params.ts';

/** Mastodon's page size for notifications: 40 by default, at most 80. */
export const NOTIFICATION_PAGE = { defaultLimit: 40, maxLimit: 80 };

export function createNotificationsRouter(deps: ApiDeps): Router {
  const { config, db } = deps;
  const router = new Router();
  router.use(apiCors(), authenticate(deps), apiRateLimit(deps));
  const me = (ctx: Koa.Context) => signedIn(ctx).account.id;
  const read = requireScopes('read:notifications');
  const write = requireScopes('write:notifications');

  router.get('/api/v1/notifications', read, async (ctx) => {
    const page = pageParams(ctx.query, NOTIFICATION_PAGE);
    const { views, rows } = await listNotificationViews(db, me(ctx), readNotificationFilter(ctx.query), page);
    setLinkHeader(ctx, rows, page, { publicUrl: config.publicUrl });
    ctx.body = views.map((view) => serializeNotification(config, view));
  });

  router.get('/api/v1/notifications/unread_count', read, async (ctx) => {
    ctx.body = { count: await countUnreadNotifications(db, me(ctx), readNotificationFilter(ctx.query), readCountLimit(ctx.query)) };
  });

  // Notification requests (filtered senders): nothing is filtered here.
  router.get('/api/v1/notifications/requests', read, (ctx) => {
    ctx.body = [];
  });

  router.post('/api/v1/notifications/clear', write, async (ctx) => {
    await clearNotifications(db, me(ctx));
    ctx.body = {};
  });

  const idOf = (ctx: Koa.Context) => {
    const id = parseId(ctx.params.id ?? '');
    if (id === null) throw notFound();
    return id;
  };

  router.get('/api/v1/notifications/:id', read, async (ctx) => {
    ctx.body = serializeNotification(config, await getNotificationView(db, me(ctx), idOf(ctx)));
  });

  router.post('/api/v1/notifications/:id/dismiss', write, async (ctx) => {
    await dismissNotification(db, me(ctx), idOf(ctx));
    ctx.body = {};
  });

  // Mastodon before 3.1: the id in the body.
  router.post('/api/v1/notifications/dismiss', write, async (ctx) => {
    const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
    const id = parseId(String(body.id ?? ''));
    if (id === null) throw notFound();
    await dismissNotification(db, me(ctx), id);
    ctx.body = {};
  });

  registerGroupedNotificationRoutes(router, deps);
  registerMarkerRoutes(router, deps);
  return router;
}
