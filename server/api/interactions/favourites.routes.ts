// Likes: POST /api/v1/statuses/:id/favourite|unfavourite (answer: the post,
// with `favourited` and the new count), GET /api/v1/statuses/:id/favourited_by
// and GET /api/v1/favourites, paged with Link headers.
import type { Router } from '@koa/router';
import { notFound } from '../../errors.ts';
import { requireScopes, signedIn, viewerOf } from '../../http/auth.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { pageParams } from '../../http/pagination.ts';
import { listFavouritedBy, listFavourites } from '../../services/interactions/interaction-lists.service.ts';
import { likePost, unlikePost } from '../../services/interactions/like.service.ts';
import { getPostView } from '../../services/posts/read-posts.service.ts';
import { serializeAccount } from '../entities/account.ts';
import { serializeStatus } from '../entities/status.ts';
import { answerPage, pathId } from './route-helpers.ts';

export function registerFavouriteRoutes(router: Router, deps: ApiDeps): void {
  const { config, db } = deps;

  router.post('/api/v1/statuses/:id/favourite', requireScopes('write:favourites'), async (ctx) => {
    const viewer = signedIn(ctx).account.id;
    const postId = await likePost(db, viewer, pathId(ctx));
    ctx.body = serializeStatus(config, await getPostView(db, viewer, postId));
  });

  router.post('/api/v1/statuses/:id/unfavourite', requireScopes('write:favourites'), async (ctx) => {
    const viewer = signedIn(ctx).account.id;
    const postId = await unlikePost(db, viewer, pathId(ctx));
    if (postId === undefined) throw notFound();
    ctx.body = serializeStatus(config, await getPostView(db, viewer, postId));
  });

  router.get('/api/v1/statuses/:id/favourited_by', async (ctx) => {
    const params = pageParams(ctx.query, { defaultLimit: 40, maxLimit: 80 });
    const page = await listFavouritedBy(db, viewerOf(ctx), pathId(ctx), params);
    answerPage(ctx, deps, page, params, (view) => serializeAccount(config, view.account, view.role ? { role: view.role } : null));
  });

  router.get('/api/v1/favourites', requireScopes('read:favourites'), async (ctx) => {
    const params = pageParams(ctx.query, { defaultLimit: 20, maxLimit: 40 });
    const page = await listFavourites(db, signedIn(ctx).account.id, params);
    answerPage(ctx, deps, page, params, (view) => serializeStatus(config, view));
  });
}
