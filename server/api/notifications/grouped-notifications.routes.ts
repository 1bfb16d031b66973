// Grouped notifications, Mastodon 4.3: GET /api/v2/notifications (a page of
// groups), /:group_key, /:group_key/accounts, POST /:group_key/dismiss and
// GET /api/v2/notifications/unread_count; and the filtering policy, which
// filters nothing.
import type { Router } from '@koa/router';
import type Koa from 'koa';
import { requireScopes, signedIn } from '../../http/auth.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { pageParams } from '../../http/pagination.ts';
import { dismissNotificationGroup } from '../../services/notifications/dismiss-notifications.service.ts';
import {
  countUnreadNotificationGroups,
  getNotificationGroup,
  listNotificationGroupAccounts,
  listNotificationGroups,
  type GroupedNotifications,
} from '../../services/notifications/grouped-notifications.service.ts';
import { serializeGroupedNotifications, serializeNotificationAccount } from '../entities/notification.ts';
import { readCountLimit, readGroupedTypes, readNotificationFilter } from './notification-params.ts';

const ID_PARAMS = ['max_id', 'min_id', 'since_id'];

/** Link: next (older) from the page's oldest notification, prev (newer) from its newest, as the v1 list. */
function setGroupLinkHeader(ctx: Koa.Context, range: GroupedNotifications['range'], publicUrl: string): void {
  if (!range) return;
  const url = (name: string, id: number) => {
    const query = new URLSearchParams(ctx.querystring);
    for (const param of ID_PARAMS) query.delete(param);
    query.set(name, String(id));
    return `${publicUrl.replace(/\/$/, '')}${ctx.path}?${query.toString()}`;
  };
  const links = range.more ? [`<${url('max_id', range.oldest)}>; rel="next"`] : [];
  links.push(`<${url('min_id', range.newest)}>; rel="prev"`);
  ctx.set('Link', links.join(', '));
}

export function registerGroupedNotificationRoutes(router: Router, deps: ApiDeps): void {
  const { config, db } = deps;
  const me = (ctx: Koa.Context) => signedIn(ctx).account.id;
  const read = requireScopes('read:notifications');
  const write = requireScopes('write:notifications');

  router.get('/api/v2/notifications', read, async (ctx) => {
    const page = pageParams(ctx.query, { defaultLimit: 40, maxLimit: 80 });
    const grouped = await listNotificationGroups(db, me(ctx), readNotificationFilter(ctx.query), page, readGroupedTypes(ctx.query));
    setGroupLinkHeader(ctx, grouped.range, config.publicUrl);
    ctx.body = serializeGroupedNotifications(config, grouped);
  });

  router.get('/api/v2/notifications/unread_count', read, async (ctx) => {
    const count = await countUnreadNotificationGroups(db, me(ctx), readNotificationFilter(ctx.query), readCountLimit(ctx.query), readGroupedTypes(ctx.query));
    ctx.body = { count };
  });

  // Mastodon 4.3's notification filtering: nothing is filtered here, so apps are told so.
  router.get('/api/v2/notifications/policy', read, (ctx) => {
    ctx.body = {
      for_not_following: 'accept',
      for_not_followers: 'accept',
      for_new_accounts: 'accept',
      for_private_mentions: 'accept',
      for_limited_accounts: 'accept',
      summary: { pending_requests_count: 0, pending_notifications_count: 0 },
    };
  });

  router.get('/api/v2/notifications/:group_key', read, async (ctx) => {
    ctx.body = serializeGroupedNotifications(config, await getNotificationGroup(db, me(ctx), ctx.params.group_key ?? ''));
  });

  router.get('/api/v2/notifications/:group_key/accounts', read, async (ctx) => {
    const accounts = await listNotificationGroupAccounts(db, me(ctx), ctx.params.group_key ?? '');
    ctx.body = accounts.map((account) => serializeNotificationAccount(config, account));
  });

  router.post('/api/v2/notifications/:group_key/dismiss', write, async (ctx) => {
    await dismissNotificationGroup(db, me(ctx), ctx.params.group_key ?? '');
    ctx.body = {};
  });
}
