// Saves: POST /api/v1/statuses/:id/bookmark|unbookmark (answer: the post,
// with `bookmarked`), GET /api/v1/bookmarks, paged with Link headers.
import type { Router } from '@koa/router';
import { notFound } from '../../errors.ts';
import { requireScopes, signedIn } from '../../http/auth.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { pageParams } from '../../http/pagination.ts';
import { bookmarkPost, unbookmarkPost } from '../../services/interactions/bookmark.service.ts';
import { listBookmarks } from '../../services/interactions/interaction-lists.service.ts';
import { getPostView } from '../../services/posts/read-posts.service.ts';
import { serializeStatus } from '../entities/status.ts';
import { answerPage, pathId } from './route-helpers.ts';

export function registerBookmarkRoutes(router: Router, deps: ApiDeps): void {
  const { config, db } = deps;

  router.post('/api/v1/statuses/:id/bookmark', requireScopes('write:bookmarks'), async (ctx) => {
    const viewer = signedIn(ctx).account.id;
    const postId = await bookmarkPost(db, viewer, pathId(ctx));
    ctx.body = serializeStatus(config, await getPostView(db, viewer, postId));
  });

  router.post('/api/v1/statuses/:id/unbookmark', requireScopes('write:bookmarks'), async (ctx) => {
    const viewer = signedIn(ctx).account.id;
    const postId = await unbookmarkPost(db, viewer, pathId(ctx));
    if (postId === undefined) throw notFound();
    ctx.body = serializeStatus(config, await getPostView(db, viewer, postId));
  });

  router.get('/api/v1/bookmarks', requireScopes('read:bookmarks'), async (ctx) => {
    const params = pageParams(ctx.query, { defaultLimit: 20, maxLimit: 40 });
    const page = await listBookmarks(db, signedIn(ctx).account.id, params);
    answerPage(ctx, deps, page, params, (view) => serializeStatus(config, view));
  });
}
