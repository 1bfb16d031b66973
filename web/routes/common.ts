// Helpers the web page routes share.
import type Koa from 'koa';
import type { Config } from '../../config/load.ts';
import { isAppError } from '../../server/errors.ts';
import type { WebState } from '../../server/http/session.ts';
import { messagePage } from '../pages/message.ts';

export const DEFAULT_AFTER_SIGN_IN = '/settings/account';

export function webState(ctx: Koa.Context): WebState {
  return ctx.state as WebState;
}

/** An HTML answer that no cache keeps (pages carry CSRF tokens and personal data). */
export function sendPage(ctx: Koa.Context, body: string, status = 200): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  // No scripts, no framing (clickjacking a sign-in or settings form).
  ctx.set('Content-Security-Policy', "default-src 'self'; script-src 'none'; frame-ancestors 'none'; base-uri 'none'");
  ctx.set('X-Frame-Options', 'DENY');
  ctx.body = body;
}

/** A form field as a string ('' when absent or not a string). */
export function formValue(ctx: Koa.Context, name: string): string {
  const body = ctx.request.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  return typeof value === 'string' ? value : '';
}

export function queryValue(ctx: Koa.Context, name: string): string {
  const value = ctx.query[name];
  return typeof value === 'string' ? value : '';
}

/**
 * `return_to` only ever leads to a path on this server: a path, or an absolute
 * URL on the public URL's origin (or the origin this request came to, for a
 * server reached by another name); anything else (another origin, //host) is dropped.
 */
export function safeReturnTo(config: Config, value: string, requestOrigin?: string): string | null {
  if (!value || value.length > 2048) return null;
  try {
    const base = new URL(config.publicUrl);
    const url = new URL(value, base);
    if (url.origin !== base.origin && url.origin !== requestOrigin) return null;
    const path = url.pathname + url.search + url.hash;
    return path.startsWith('/') && !path.startsWith('//') ? path : null;
  } catch {
    return null;
  }
}

export function redirectTo(ctx: Koa.Context, location: string): void {
  ctx.status = 303; // after a POST, the browser follows with a GET
  ctx.redirect(location);
}

/**
 * Errors from page routes as an HTML page instead of JSON: AppErrors thrown
 * (a bad CSRF token, a 404, the rate limiter's 429, whose Retry-After and
 * X-RateLimit-* headers stay).
 */
export function htmlErrors(): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      const tooMany = error.status === 429;
      const message = tooMany ? 'Too many attempts. Please wait a few minutes and try again.' : error.publicMessage;
      sendPage(ctx, messagePage(tooMany ? 'Slow down' : 'Something went wrong', message, { error: true, link: { href: '/auth/sign_in', text: 'Sign in' } }), error.status);
    }
  };
}
