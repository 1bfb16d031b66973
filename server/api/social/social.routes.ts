// The social graph's client API (Mastodon's follows, blocks, mutes, follow
// requests and account lists; Viewfinder's close friends). Handlers parse,
// call one service function in server/services/social and serialize.
import { Router } from '@koa/router';
import { apiCors } from '../../http/cors.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { authenticate } from '../../http/auth.ts';
import { apiRateLimit } from '../../http/rate-limit.ts';
import { registerAccountActions } from './account-actions.routes.ts';
import { registerAccountLists } from './account-lists.routes.ts';
import { registerCloseFriends } from './close-friends.routes.ts';

export function createSocialRouter(deps: ApiDeps): Router {
  const router = new Router();
  router.use(apiCors(), authenticate(deps), apiRateLimit(deps));
  registerAccountActions(router, deps);
  registerAccountLists(router, deps);
  registerCloseFriends(router, deps);
  return router;
}
