// Interactions with posts: likes (favourites), shares (reblogs), saves
// (bookmarks) and saved collections. Each file registers one family of
// routes; handlers parse, call one service function and serialize.
import { Router } from '@koa/router';
import { authenticate } from '../../http/auth.ts';
import { apiCors } from '../../http/cors.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { apiRateLimit } from '../../http/rate-limit.ts';
import { registerBookmarkRoutes } from './bookmarks.routes.ts';
import { registerCollectionRoutes } from './collections.routes.ts';
import { registerFavouriteRoutes } from './favourites.routes.ts';
import { registerReblogRoutes } from './reblogs.routes.ts';

export function createInteractionsRouter(deps: ApiDeps): Router {
  const router = new Router();
  router.use(apiCors(), authenticate(deps), apiRateLimit(deps));
  registerFavouriteRoutes(router, deps);
  registerReblogRoutes(router, deps);
  registerBookmarkRoutes(router, deps);
  registerCollectionRoutes(router, deps);
  return router;
}
