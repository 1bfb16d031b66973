// Cross-site request forgery check for web forms. loadSession (session.ts)
// must run first: it puts the token this browser's forms carry in
// ctx.state.csrfToken.
import { timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import { AppError } from '../errors.ts';
import type { AppState } from './state.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** POST/PUT/PATCH/DELETE must carry the token (form field `authenticity_token` or header X-CSRF-Token), else 403. */
export function verifyCsrf(): Koa.Middleware {
  return async (ctx, next) => {
    if (UNSAFE.has(ctx.method)) {
      const expected = (ctx.state as AppState).csrfToken;
      const body = ctx.request.body as Record<string, unknown> | undefined;
      const given = typeof body?.authenticity_token === 'string' ? body.authenticity_token : ctx.get('X-CSRF-Token');
      if (!expected || !given || !same(given, expected)) {
        throw new AppError(403, 'Invalid or missing authenticity token: reload the page and try again');
      }
    }
    await next();
  };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
