// Every router of the OAuth part, for server/http/routes.ts.
import type { Router } from '@koa/router';
import type { ApiDeps } from '../../http/deps.ts';
import { createAppsRouter } from './apps.routes.ts';
import { createAuthorizeRouter } from './authorize.routes.ts';
import { createOAuthMetadataRouter } from './metadata.routes.ts';
import { createTokenRouter } from './token.routes.ts';

export function createOAuthRouters(deps: ApiDeps): Router[] {
  return [createAppsRouter(deps), createAuthorizeRouter(deps), createTokenRouter(deps), createOAuthMetadataRouter(deps)];
}
