// Endpoints Mastodon apps call at start-up whose features come later: each
// answers a valid empty result now, behind the same token and scope Mastodon
// asks for, so no app screen breaks (or is reachable without a token) in the
// meantime. The issue that fills each is named beside it; when it lands, its
// route replaces the line here.
import { Router } from '@koa/router';
import type Koa from 'koa';
import { authenticate, requireScopes } from '../../http/auth.ts';
import { apiCors } from '../../http/cors.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { apiRateLimit } from '../../http/rate-limit.ts';

interface Placeholder {
  path: string;
  /** Mastodon's scope for the endpoint; null: public. */
  scope: string | null;
  body: () => unknown;
}

const list = () => [];

export const placeholders: readonly Placeholder[] = [
  // Follow suggestions: issue not filed yet
  { path: '/api/v2/suggestions', scope: 'read', body: list },
  // Lists, filters, announcements, trends, custom emoji: issues not filed yet
  { path: '/api/v1/lists', scope: 'read:lists', body: list },
  { path: '/api/v1/filters', scope: 'read:filters', body: list },
  { path: '/api/v2/filters', scope: 'read:filters', body: list },
  { path: '/api/v1/announcements', scope: 'read', body: list },
  { path: '/api/v1/trends', scope: null, body: list },
  { path: '/api/v1/trends/tags', scope: null, body: list },
  { path: '/api/v1/trends/statuses', scope: null, body: list },
  { path: '/api/v1/trends/links', scope: null, body: list },
  { path: '/api/v1/custom_emojis', scope: null, body: list },
  // Instance rules and the about page text: the admin panel issue (not filed yet)
  { path: '/api/v1/instance/rules', scope: null, body: list },
];

export function createPlaceholdersRouter(deps: ApiDeps): Router {
  const router = new Router();
  router.use(apiCors(), authenticate(deps), apiRateLimit(deps));
  for (const placeholder of placeholders) {
    const answer: Koa.Middleware = (ctx) => {
      ctx.body = placeholder.body();
    };
    if (placeholder.scope) router.get(placeholder.path, requireScopes(placeholder.scope), answer);
    else router.get(placeholder.path, answer);
  }
  return router;
}
