// Every router the HTTP app serves, in the order koa tries them. API routers
// first: they answer JSON. The web pages last: they render errors as HTML.
import type { Router } from '@koa/router';
import type { ApiDeps } from './deps.ts';
import { createOAuthRouters } from '../api/oauth/routers.ts';
import { createAccountsRouter } from '../api/accounts/accounts.routes.ts';
import { createInstanceRouter } from '../api/instance/instance.routes.ts';
import { createPlaceholdersRouter } from '../api/placeholders/placeholders.routes.ts';
import { createStatusesRouter } from '../api/statuses/statuses.routes.ts';
import { createMediaApiRouter } from '../api/media/media-api.routes.ts';
import { createMediaRouter } from '../../media/http/media.routes.ts';
import { createWebRouter } from '../../web/router.ts';

export function createRouters(deps: ApiDeps): Router[] {
  return [
    ...createOAuthRouters(deps),
    createInstanceRouter(deps),
    createAccountsRouter(deps),
    createStatusesRouter(deps),
    createMediaApiRouter(deps),
    createPlaceholdersRouter(deps),
    createMediaRouter(deps),
    createWebRouter(deps),
  ];
}
