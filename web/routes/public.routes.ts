// The public pages, as anyone sees them (no session is read: every page is the
// anonymous viewer's, through the one visibility policy):
//   GET /@:username               a local profile and its grid (?max_id= for older posts)
//   GET /@:username/:id           one post
//   GET /tags/:name               public posts with a hashtag
//   GET /users/:username          → 302 /@:username        } for browsers: servers asking for
//   GET /users/:username/statuses/:id → 302 /@:username/:id } ActivityPub get JSON-LD from Fedify
import type { Router } from '@koa/router';
import type Koa from 'koa';
import type { Config } from '../../config/load.ts';
import type { ApiDeps } from '../../server/http/deps.ts';
import { isAppError } from '../../server/errors.ts';
import { messagePage } from '../pages/message.ts';
import { postPage } from '../pages/post-page.ts';
import { profilePage } from '../pages/profile-page.ts';
import { tagPage } from '../pages/tag-page.ts';
import { readPost, readProfile, readTag } from '../public/public-read.ts';
import { queryValue } from './common.ts';

/**
 * An HTML answer for anyone. Shared caches keep none of it: a post can stop
 * being public at any moment (edited to followers-only, archived, deleted).
 * Media comes from the public URL's origin, which may differ from the host
 * this request came to.
 */
export function sendPublicPage(ctx: Koa.Context, config: Config, body: string, status = 200): void {
  const media = new URL(config.publicUrl).origin;
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-cache');
  ctx.set(
    'Content-Security-Policy',
    `default-src 'self'; img-src 'self' ${media} data:; media-src 'self' ${media}; script-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
  );
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.body = body;
}

/** One answer for every post or account anyone may not see, so a page never tells hidden from missing. */
function notFoundPage(): string {
  return messagePage('Not found', 'This page does not exist, or it is not public.', { error: true });
}

/** Errors of the public pages as HTML (a malformed request, the rate limiter), never JSON. */
export function publicPageErrors(config: Config): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      const body = error.status === 404 ? notFoundPage() : messagePage('Something went wrong', error.publicMessage, { error: true });
      sendPublicPage(ctx, config, body, error.status);
    }
  };
}

/** A `max_id` that is an id, or none (a mangled one shows the first page). */
function maxIdParam(ctx: Koa.Context): number | undefined {
  const value = queryValue(ctx, 'max_id');
  return /^\d{1,16}$/.test(value) ? Number(value) : undefined;
}

/** An id from the path; anything else is no post at all. */
function idParam(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,16}$/.test(value) ? Number(value) : null;
}

/**
 * True when the client would rather have ActivityPub JSON than HTML: those
 * requests are Fedify's to answer, and are never sent to a page. `Vary`
 * tells caches the answer depends on Accept.
 */
function wantsActivityPub(ctx: Koa.Context): boolean {
  ctx.vary('Accept');
  return ctx.accepts('html', 'application/activity+json', 'application/ld+json') !== 'html';
}

export function registerPublicRoutes(router: Router, deps: ApiDeps): void {
  const { config } = deps;
  const siteName = config.domain;

  router.get('/@:username', async (ctx) => {
    const maxId = maxIdParam(ctx);
    const found = await readProfile(deps, ctx.params.username!, maxId);
    if (found.state === 'missing') return sendPublicPage(ctx, config, notFoundPage(), 404);
    if (found.state === 'suspended') {
      return sendPublicPage(ctx, config, messagePage('Account suspended', `The account @${found.handle} has been suspended.`, { error: true }), 410);
    }
    const path = `/@${found.page.account.username}`;
    sendPublicPage(ctx, config, profilePage({ ...found.page, siteName, path, firstPage: maxId === undefined }));
  });

  router.get('/@:username/:id', async (ctx) => {
    const id = idParam(ctx.params.id);
    const found = id === null ? ({ state: 'missing' } as const) : await readPost(deps, ctx.params.username!, id);
    if (found.state === 'missing') return sendPublicPage(ctx, config, notFoundPage(), 404);
    if (found.state === 'share') return ctx.redirect(found.location);
    sendPublicPage(ctx, config, postPage({ ...found, siteName }));
  });

  router.get('/tags/:name', async (ctx) => {
    const name = ctx.params.name!.replace(/^#/, '');
    const maxId = maxIdParam(ctx);
    const path = `/tags/${encodeURIComponent(name)}`;
    const found = await readTag(deps, name, maxId);
    sendPublicPage(ctx, config, tagPage({ ...found, name, path, url: `${config.publicUrl}${path}`, siteName, firstPage: maxId === undefined }));
  });

  // The ActivityPub ids of our actors and posts, opened in a browser (or
  // followed from a remote server's web UI): the page that shows them.
  router.get('/users/:username', async (ctx, next) => {
    if (wantsActivityPub(ctx)) return next();
    ctx.redirect(`/@${encodeURIComponent(ctx.params.username!)}`);
  });

  router.get('/users/:username/statuses/:id', async (ctx, next) => {
    if (wantsActivityPub(ctx)) return next();
    ctx.redirect(`/@${encodeURIComponent(ctx.params.username!)}/${encodeURIComponent(ctx.params.id!)}`);
  });
}
