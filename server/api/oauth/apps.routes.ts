// POST /api/v1/apps (register a client app) and GET /api/v1/apps/verify_credentials.
import { Router } from '@koa/router';
import { findAppById } from '../../db/oauth.repo.ts';
import { notFound } from '../../errors.ts';
import { authenticate, requireToken } from '../../http/auth.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { apiRateLimit } from '../../http/rate-limit.ts';
import type { AppState } from '../../http/state.ts';
import { createApp } from '../../services/oauth/apps.service.ts';
import { applicationEntity, credentialApplicationEntity } from './entities.ts';

export function createAppsRouter(deps: ApiDeps): Router {
  const router = new Router();

  router.post('/api/v1/apps', apiRateLimit(deps), async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const { app, clientSecret } = await createApp(deps.db, {
      clientName: body.client_name,
      redirectUris: body.redirect_uris,
      scopes: body.scopes,
      website: body.website,
    });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = credentialApplicationEntity(app, clientSecret);
  });

  // Registration takes no token: a stale one an app still sends must not get in the way.
  // verify_credentials: any valid token, app-only or user; Mastodon asks for no scope.
  router.get('/api/v1/apps/verify_credentials', authenticate(deps), apiRateLimit(deps), requireToken(), async (ctx) => {
    const auth = (ctx.state as AppState).auth!;
    const app = await findAppById(deps.db, auth.appId);
    if (!app) throw notFound();
    ctx.body = applicationEntity(app);
  });

  return router;
}
