// CORS as Mastodon configures it (config/initializers/cors.rb): browser apps
// on any origin (Elk, Phanpy, …) may call the API with a bearer token, never
// with cookies, so `Access-Control-Allow-Origin: *` and no credentials.
// Web pages (/auth/*, /settings/*, the consent page) get no CORS headers: they
// use cookies and must not be readable cross-origin.
//
// Mount it at the app level (createHttpApp's `beforeBody`): a preflight is an
// OPTIONS request, which no router route matches, so router-level middleware
// would never see it. It answers preflights itself with 204 and adds the
// headers to every other response on the covered paths, errors included.
import type Koa from 'koa';

const PREFIXES = ['/api/', '/.well-known/', '/nodeinfo/', '/media/'];
const EXACT = new Set(['/oauth/token', '/oauth/revoke', '/oauth/userinfo']);

const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'Accept', 'Accept-Language', 'X-Requested-With'];
const EXPOSED_HEADERS = 'Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, X-Request-Id, Idempotency-Key';
// What browsers cap it at anyway (Chromium: 2 h), and rack-cors' default.
const MAX_AGE_SECONDS = '7200';
// A requested header name is echoed back only if it is an HTTP token.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function isCorsPath(path: string): boolean {
  return EXACT.has(path) || PREFIXES.some((prefix) => path.startsWith(prefix)) || path === '/api';
}

export function apiCors(): Koa.Middleware {
  const headers = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
  };
  return async (ctx, next) => {
    if (!isCorsPath(ctx.path)) return next();
    if (ctx.method === 'OPTIONS') {
      ctx.set(headers);
      ctx.set({
        'Access-Control-Allow-Methods': ALLOWED_METHODS,
        'Access-Control-Allow-Headers': allowedHeaders(ctx.get('Access-Control-Request-Headers')),
        'Access-Control-Max-Age': MAX_AGE_SECONDS,
      });
      ctx.status = 204;
      return;
    }
    // The error handler keeps Access-Control-* on error responses: a browser
    // app cannot even read a 401 without them.
    ctx.set(headers);
    await next();
  };
}

/**
 * Mastodon allows any request header (rack-cors `headers: :any`, which echoes
 * the requested ones); we echo well-formed requested names next to the ones
 * Mastodon clients are known to send.
 */
function allowedHeaders(requested: string): string {
  const names = new Map(ALLOWED_HEADERS.map((name) => [name.toLowerCase(), name]));
  for (const raw of requested.split(',')) {
    const name = raw.trim();
    if (name && HEADER_NAME.test(name) && !names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
  }
  return [...names.values()].join(', ');
}
