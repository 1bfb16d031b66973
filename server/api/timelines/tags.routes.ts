// Mastodon's hashtag endpoints: GET /api/v1/tags/:name, follow and unfollow,
// GET /api/v1/followed_tags (paged by follow, with a Link header).
import type { Router } from '@koa/router';
import { requireScopes, signedIn, viewerOf } from '../../http/auth.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { pageParams, setLinkHeader } from '../../http/pagination.ts';
import { followTag, getTag, listFollowedTags, unfollowTag } from '../../services/feeds/followed-tags.service.ts';
import { serializeTag } from '../entities/tag.ts';

export function addTagRoutes(router: Router, deps: ApiDeps): void {
  const { config, db } = deps;

  router.get('/api/v1/tags/:name', async (ctx) => {
    ctx.body = serializeTag(config, await getTag(db, viewerOf(ctx), ctx.params.name ?? ''), Date.now());
  });

  router.post('/api/v1/tags/:name/follow', requireScopes('write:follows'), async (ctx) => {
    ctx.body = serializeTag(config, await followTag(db, signedIn(ctx).account.id, ctx.params.name ?? ''), Date.now());
  });

  router.post('/api/v1/tags/:name/unfollow', requireScopes('write:follows'), async (ctx) => {
    ctx.body = serializeTag(config, await unfollowTag(db, signedIn(ctx).account.id, ctx.params.name ?? ''), Date.now());
  });

  // Mastodon's defaults for this list: 100 per page, at most 200.
  router.get('/api/v1/followed_tags', requireScopes('read:follows'), async (ctx) => {
    const page = pageParams(ctx.query, { defaultLimit: 100, maxLimit: 200 });
    const result = await listFollowedTags(db, signedIn(ctx).account.id, page);
    setLinkHeader(ctx, result.follows.map((f) => ({ id: f.followId })), page, { publicUrl: config.publicUrl });
    ctx.body = result.tags.map((tag) => serializeTag(config, tag, Date.now()));
  });
}
