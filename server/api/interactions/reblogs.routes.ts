// Shares: POST /api/v1/statuses/:id/reblog (answer: the share, the original
// nested in `reblog`) and /unreblog (answer: the original), and
// GET /api/v1/statuses/:id/reblogged_by, paged with Link headers.
import type { Router } from '@koa/router';
import { notFound } from '../../errors.ts';
import { requireScopes, signedIn, viewerOf } from '../../http/auth.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { pageParams } from '../../http/pagination.ts';
import { listRebloggedBy } from '../../services/interactions/interaction-lists.service.ts';
import { reblogPost, unreblogPost } from '../../services/interactions/reblog.service.ts';
import { getPostView } from '../../services/posts/read-posts.service.ts';
import { stringParam } from '../accounts/params.ts';
import { serializeAccount } from '../entities/account.ts';
import { serializeStatus } from '../entities/status.ts';
import { readBody } from '../statuses/status-params.ts';
import { answerPage, pathId } from './route-helpers.ts';

export function registerReblogRoutes(router: Router, deps: ApiDeps): void {
  const { config, db } = deps;

  router.post('/api/v1/statuses/:id/reblog', requireScopes('write:statuses'), async (ctx) => {
    const viewer = signedIn(ctx).account.id;
    const body = await readBody(ctx);
    const reblogId = await reblogPost(db, viewer, pathId(ctx), { visibility: stringParam(body.visibility) });
    ctx.body = serializeStatus(config, await getPostView(db, viewer, reblogId));
  });

  router.post('/api/v1/statuses/:id/unreblog', requireScopes('write:statuses'), async (ctx) => {
    const viewer = signedIn(ctx).account.id;
    const postId = await unreblogPost(db, viewer, pathId(ctx));
    if (postId === undefined) throw notFound();
    ctx.body = serializeStatus(config, await getPostView(db, viewer, postId));
  });

  router.get('/api/v1/statuses/:id/reblogged_by', async (ctx) => {
    const params = pageParams(ctx.query, { defaultLimit: 40, maxLimit: 80 });
    const page = await listRebloggedBy(db, viewerOf(ctx), pathId(ctx), params);
    answerPage(ctx, deps, page, params, (view) => serializeAccount(config, view.account, view.role ? { role: view.role } : null));
  });
}
