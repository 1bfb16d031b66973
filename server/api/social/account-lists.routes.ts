// The social graph's account lists, paged with Link headers by the relation
// row id: an account's followers and following (public, hidden when the
// account hides its collections), the viewer's blocks, mutes and follow
// requests, and answering those requests (ids are the requester's).
import type { Router } from '@koa/router';
import { requireScopes, signedIn, viewerOf } from '../../http/auth.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { listBlocks, listFollowers, listFollowing, listFollowRequests, listMutes } from '../../services/social/account-lists.service.ts';
import { authorizeFollowRequest, rejectFollowRequest } from '../../services/social/follow-requests.service.ts';
import { serializeRelationship } from '../entities/relationship.ts';
import { accountIdParam, accountPageParams, presentAccountPage, scopesIfToken } from './social-params.ts';

export function registerAccountLists(router: Router, deps: ApiDeps): void {
  const { config, db } = deps;

  router.get('/api/v1/accounts/:id/followers', scopesIfToken('read:accounts'), async (ctx) => {
    const page = accountPageParams(ctx);
    ctx.body = presentAccountPage(ctx, config, await listFollowers(db, viewerOf(ctx), accountIdParam(ctx), page), page);
  });

  router.get('/api/v1/accounts/:id/following', scopesIfToken('read:accounts'), async (ctx) => {
    const page = accountPageParams(ctx);
    ctx.body = presentAccountPage(ctx, config, await listFollowing(db, viewerOf(ctx), accountIdParam(ctx), page), page);
  });

  router.get('/api/v1/blocks', requireScopes('read:blocks'), async (ctx) => {
    const page = accountPageParams(ctx);
    ctx.body = presentAccountPage(ctx, config, await listBlocks(db, signedIn(ctx).account.id, page), page);
  });

  // Mastodon 4.1 adds mute_expires_at to each account of this list.
  router.get('/api/v1/mutes', requireScopes('read:mutes'), async (ctx) => {
    const page = accountPageParams(ctx);
    const items = await listMutes(db, signedIn(ctx).account.id, page);
    ctx.body = presentAccountPage(ctx, config, items, page, (item) => ({
      mute_expires_at: item.expiresAt === null ? null : new Date(item.expiresAt).toISOString(),
    }));
  });

  router.get('/api/v1/follow_requests', requireScopes('read:follows'), async (ctx) => {
    const page = accountPageParams(ctx);
    ctx.body = presentAccountPage(ctx, config, await listFollowRequests(db, signedIn(ctx).account.id, page), page);
  });

  for (const [verb, answer] of [
    ['authorize', authorizeFollowRequest],
    ['reject', rejectFollowRequest],
  ] as const) {
    router.post(`/api/v1/follow_requests/:id/${verb}`, requireScopes('write:follows'), async (ctx) => {
      const requesterId = accountIdParam(ctx);
      ctx.body = serializeRelationship(requesterId, await answer(db, signedIn(ctx).account.id, requesterId));
    });
  }
}
