// Mastodon's timelines: home (the signed-in account's feed), public (local,
// remote, only_media) and hashtag (any[], all[], none[]), with id pagination
// and Link headers; and the followed-hashtag endpoints (tags.routes.ts).
// Handlers parse, call one service function and serialize.
import { Router } from '@koa/router';
import type Koa from 'koa';
import { authenticate, requireScopes, signedIn, viewerOf } from '../../http/auth.ts';
import { apiCors } from '../../http/cors.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { pageParams, setLinkHeader } from '../../http/pagination.ts';
import { apiRateLimit } from '../../http/rate-limit.ts';
import type { PublicFilter } from '../../db/timelines.repo.ts';
import { readHomeEntries, readPublicTimeline, readTagTimeline, type TimelinePage } from '../../services/feeds/timelines.service.ts';
import { booleanParam, listParam, stringParam } from '../accounts/params.ts';
import { serializeStatus } from '../entities/status.ts';
import { createHomePresenter } from './home-presenter.ts';
import { addTagRoutes } from './tags.routes.ts';

function publicFilter(query: Koa.Context['query']): PublicFilter {
  return { local: booleanParam(query.local) ?? false, remote: booleanParam(query.remote) ?? false, onlyMedia: booleanParam(query.only_media) ?? false };
}

/** `any[]=a&any[]=b`, `any=a`, or JSON arrays: as Rails reads them. */
function namesParam(query: Koa.Context['query'], name: string): string[] {
  return [...listParam(query[`${name}[]`]), ...listParam(query[name])].map((v) => stringParam(v) ?? '').filter((v) => v !== '');
}

export function createTimelinesRouter(deps: ApiDeps): Router {
  const { config, db } = deps;
  const router = new Router();
  router.use(apiCors(), authenticate(deps), apiRateLimit(deps));
  const answer = (ctx: Koa.Context, result: TimelinePage, page: ReturnType<typeof pageParams>) => {
    setLinkHeader(ctx, result.rows, page, { publicUrl: config.publicUrl });
    ctx.body = result.views.map((view) => serializeStatus(config, view));
  };

  // The hot path: rendered statuses come from a cache (home-presenter.ts), the policy runs per viewer.
  const home = createHomePresenter(config);
  router.get('/api/v1/timelines/home', requireScopes('read:statuses'), async (ctx) => {
    const page = pageParams(ctx.query);
    const viewerId = signedIn(ctx).account.id;
    const result = await readHomeEntries(db, viewerId, page);
    setLinkHeader(ctx, result.rows, page, { publicUrl: config.publicUrl });
    ctx.type = 'application/json';
    ctx.body = await home.render(db, viewerId, result.entries);
  });

  router.get('/api/v1/timelines/public', async (ctx) => {
    const page = pageParams(ctx.query);
    answer(ctx, await readPublicTimeline(db, viewerOf(ctx), publicFilter(ctx.query), page), page);
  });

  router.get('/api/v1/timelines/tag/:hashtag', async (ctx) => {
    const page = pageParams(ctx.query);
    const query = { ...publicFilter(ctx.query), tag: ctx.params.hashtag ?? '', any: namesParam(ctx.query, 'any'), all: namesParam(ctx.query, 'all'), none: namesParam(ctx.query, 'none') };
    answer(ctx, await readTagTimeline(db, viewerOf(ctx), query, page), page);
  });

  addTagRoutes(router, deps);
  return router;
}
