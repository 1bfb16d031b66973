// GET /api/v2/search: accounts by name or handle and, with resolve=true (a
// signed-in user only, as on Mastodon), remote accounts by handle or URL and
// remote posts by URL, fetched through federation. Statuses are found by URL
// only until full-text search exists; hashtags by name are not searched yet.
import { Router } from '@koa/router';
import { authenticate, viewerOf } from '../../http/auth.ts';
import { apiCors } from '../../http/cors.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { apiRateLimit } from '../../http/rate-limit.ts';
import { searchProfiles } from '../../services/accounts/profile-read.service.ts';
import { getPostViews } from '../../services/posts/read-posts.service.ts';
import { findRolesByAccountIds } from '../../db/accounts.repo.ts';
import { serializeStatus } from '../entities/status.ts';
import { integerParam, stringParam } from '../accounts/params.ts';
import { presentAccount } from '../accounts/present.ts';
import { lookupContext, resolveHandle, resolveUrl, type Resolved } from '../../../federation/lookup.ts';

const TYPES = new Set(['accounts', 'statuses', 'hashtags']);

export function createSearchRouter(deps: ApiDeps): Router {
  const { config, db, federation } = deps;
  const router = new Router();
  router.use(apiCors(), authenticate(deps), apiRateLimit(deps));

  router.get('/api/v2/search', async (ctx) => {
    const q = (stringParam(ctx.query.q) ?? '').trim();
    const type = stringParam(ctx.query.type);
    const wants = (what: string) => !type || !TYPES.has(type) || type === what;
    const limit = integerParam(ctx.query.limit, { min: 1, max: 40, fallback: 20 });
    const offset = integerParam(ctx.query.offset, { min: 0, max: 10_000, fallback: 0 });
    const viewer = viewerOf(ctx);
    const resolve = viewer !== null && ['true', '1'].includes(stringParam(ctx.query.resolve) ?? '') && federation !== undefined;

    let found: Resolved = {};
    if (resolve && q !== '' && offset === 0) {
      const fctx = lookupContext(federation!, { db, config });
      found = /^https?:\/\//i.test(q) ? await resolveUrl(fctx, q) : { account: (await resolveHandle(fctx, q)) ?? undefined };
    }

    const accounts = wants('accounts') && q !== '' ? await searchProfiles(db, q, { limit, offset, viewerId: viewer }) : [];
    if (found.account && wants('accounts') && !accounts.some((v) => v.account.id === found.account!.id)) {
      const roles = await findRolesByAccountIds(db, [found.account.id]);
      accounts.unshift({ account: found.account, role: roles.get(found.account.id) ?? null });
    }
    const statuses = found.post && wants('statuses') ? await getPostViews(db, viewer, [found.post.id]) : [];
    ctx.body = {
      accounts: accounts.slice(0, limit).map((view) => presentAccount(config, view)),
      statuses: statuses.map((view) => serializeStatus(config, view)),
      hashtags: [],
    };
  });
  return router;
}
