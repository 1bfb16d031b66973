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
import { createSocialRouter } from '../api/social/social.routes.ts';
import { createInteractionsRouter } from '../api/interactions/interactions.routes.ts';
import { createTimelinesRouter } from '../api/timelines/timelines.routes.ts';
import { createNotificationsRouter } from '../api/notifications/notifications.routes.ts';
import { createConversationsRouter } from '../api/conversations/conversations.routes.ts';
import { createReportsRouter } from '../api/reports/reports.routes.ts';
import { createSearchRouter } from '../api/search/search.routes.ts';
import { createMediaRouter } from '../../media/http/media.routes.ts';
import { createWebRouter } from '../../web/router.ts';
import { createHostMetaRouter } from '../../federation/host-meta.routes.ts';

export function createRouters(deps: ApiDeps): Router[] {
  return [...createOAuthRouters(deps), ...createApiRouters(deps), createHostMetaRouter(deps.config), createWebRouter(deps)];
}

/** The Mastodon and Viewfinder API and the media files: what the client-API tests serve too. */
export function createApiRouters(deps: ApiDeps): Router[] {
  return [
    createInstanceRouter(deps),
    createAccountsRouter(deps),
    createStatusesRouter(deps),
    createMediaApiRouter(deps),
    createSocialRouter(deps),
    createInteractionsRouter(deps),
    createTimelinesRouter(deps),
    createNotificationsRouter(deps),
    createConversationsRouter(deps),
    createReportsRouter(deps),
    createSearchRouter(deps),
    // Empty answers for what is not built yet; every real router above wins over them.
    createPlaceholdersRouter(deps),
    createMediaRouter(deps),
  ];
}
