// The server-rendered web pages: sign-in, sign-up, first-run setup, password
// reset and account settings, the public profile, post and hashtag pages,
// plus their stylesheet. Every form page gets the session (and CSRF token)
// loaded and its errors rendered as HTML; the public pages read no session
// (they show what anyone may see) and render their own errors.
import { readFileSync } from 'node:fs';
import { Router } from '@koa/router';
import type { ApiDeps } from '../server/http/deps.ts';
import { loadSession } from '../server/http/session.ts';
import { htmlErrors } from './routes/common.ts';
import { registerAuthRoutes } from './routes/auth.routes.ts';
import { registerSetupRoutes } from './routes/setup.routes.ts';
import { registerPasswordRoutes } from './routes/password.routes.ts';
import { registerSettingsRoutes } from './routes/settings.routes.ts';
import { publicPageErrors, registerPublicRoutes } from './routes/public.routes.ts';

export function createWebRouter(deps: ApiDeps): Router {
  const css = readFileSync(new URL('./assets/app.css', import.meta.url), 'utf8');
  const assets = new Router();
  assets.get('/assets/app.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = css;
  });

  const pages = new Router();
  pages.use(htmlErrors(), loadSession(deps));
  registerAuthRoutes(pages, deps);
  registerSetupRoutes(pages, deps);
  registerPasswordRoutes(pages, deps);
  registerSettingsRoutes(pages, deps);

  const publicPages = new Router();
  publicPages.use(publicPageErrors(deps.config));
  registerPublicRoutes(publicPages, deps);

  const router = new Router();
  router.use(assets.routes());
  router.use(pages.routes(), pages.allowedMethods());
  router.use(publicPages.routes(), publicPages.allowedMethods());
  return router;
}
