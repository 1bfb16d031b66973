// The koa application: logging and error handling around everything, raw-body
// middleware (Fedify) before the body parser, then our routes; anything left
// unanswered is a JSON 404.
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import type { Router } from '@koa/router';
import type { Config } from '../../config/load.ts';
import type { Db } from '../db/knex.ts';
import { AppError } from '../errors.ts';
import { getLogger } from '../logging.ts';
import { errorHandler } from './error-handler.ts';
import { createHealthRouter } from './health.routes.ts';
import { requestLog } from './request-log.ts';

export interface HttpAppDeps {
  config: Config;
  db: Db;
  /** Middleware that must see the raw, unparsed request body (Fedify's signature checks). */
  beforeBody?: Koa.Middleware[];
  routers?: Router[];
}

export function createHttpApp(deps: HttpAppDeps): Koa {
  const { config } = deps;
  const log = getLogger('http');
  const app = new Koa();
  // X-Forwarded-* are client-controlled unless a proxy we trust sets them.
  app.proxy = config.trustProxy;
  // Our proxy appends the address it saw to X-Forwarded-For; entries to its
  // left come from the client and can be forged, so only the last one counts.
  app.maxIpsCount = 1;

  // Errors koa sees outside our middleware (e.g. a response stream failing
  // mid-way) would otherwise go to console.error.
  app.on('error', (error: unknown, ctx?: Koa.Context) => {
    log.error('Error outside the request pipeline on {method} {path} (request {requestId}): {error}', {
      method: ctx?.method,
      path: ctx?.path,
      requestId: ctx?.state.requestId,
      error,
    });
  });

  app.use(requestLog());
  app.use(errorHandler());
  for (const middleware of deps.beforeBody ?? []) app.use(middleware);
  app.use(parseBody(config.bodyLimitBytes));

  const routers = [createHealthRouter({ db: deps.db }), ...(deps.routers ?? [])];
  routers.forEach((router, i) => app.use(mountRouter(router, i === routers.length - 1)));
  // The final 404 is not a middleware here: when nothing answered, koa's
  // status is still its default 404, and errorHandler() gives it a JSON body
  // on the way back out, after allowedMethods had its chance to make it a 405.
  return app;
}

// Route paths are path-to-regexp patterns: the text before the first of these
// is literal, so a path the route matches starts with it.
const PATTERN_SYNTAX = /[:*{}()[\]?+!\\]/;

/**
 * The literal beginnings of the router's route paths, lowercased (routes match
 * case-insensitively by default), keeping only the shortest of those that
 * share a beginning; null when some route has none (a RegExp path, a router
 * path option), so every request must try the router.
 */
export function routePrefixes(router: Router): string[] | null {
  if (router.opts.routerPath) return null;
  const prefixes: string[] = [];
  for (const layer of router.stack) {
    // Middleware layers (router.use) match everything but never make a route match on their own.
    if (layer.methods.length === 0) continue;
    if (typeof layer.path !== 'string' || layer.opts.pathAsRegExp) return null;
    const literal = layer.path.split(PATTERN_SYNTAX)[0]!.toLowerCase();
    if (literal === '') return null;
    prefixes.push(literal);
  }
  prefixes.sort();
  return prefixes.filter((prefix, i) => !prefixes.slice(0, i).some((shorter) => prefix.startsWith(shorter)));
}

/**
 * router.routes() followed by router.allowedMethods() (a known path asked
 * with another method: 405 with an Allow header; 501, OPTIONS), both only
 * when one of the router's routes may match the path. Each router tests
 * every one of its routes' regular expressions against every request it
 * sees, and a request reaches a router only after the ones before it
 * (server/http/routes.ts: some 15): on the home timeline, about 10% of a
 * request's CPU went to routers that could not match it. The test is on
 * literal prefixes, so it may let through a request no route matches (the
 * router then finds none, as before), never the reverse.
 *
 * A skipped router leaves what its dispatch would have: no route matched, and
 * `ctx.matched` without entries that carry methods. Its allowedMethods is
 * left out too: every router's computes the same answer from the shared
 * `ctx.matched` (all have koa-router's default methods), and the innermost
 * one decides; the last router's is always kept (`last`), so one is there
 * whenever none of the others ran.
 */
function mountRouter(router: Router, last: boolean): Koa.Middleware {
  const dispatch = router.routes() as Koa.Middleware;
  const allowedMethods = router.allowedMethods() as Koa.Middleware;
  const prefixes = routePrefixes(router);
  return (ctx, next) => {
    if (prefixes === null || mayMatch(lowercased(ctx.path), prefixes)) return dispatch(ctx, () => allowedMethods(ctx, next));
    // As the router's own dispatch would leave it: allowedMethods acts only once some router ran.
    (ctx as { matched?: unknown[] }).matched ??= [];
    return last ? allowedMethods(ctx, next) : next();
  };
}

function mayMatch(path: string, prefixes: string[]): boolean {
  for (const prefix of prefixes) if (path.startsWith(prefix)) return true;
  return false;
}

// The last path lowercased: every router's filter asks for the same one in turn.
let lastPath = '';
let lastLowercased = '';
function lowercased(path: string): string {
  if (path !== lastPath) {
    lastPath = path;
    lastLowercased = path.toLowerCase();
  }
  return lastLowercased;
}

/** JSON and urlencoded bodies up to `limit` bytes, with errors a client can act on. */
function parseBody(limit: number): Koa.Middleware {
  return bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: limit,
    formLimit: limit,
    onError(error) {
      const { type, status } = error as { type?: unknown; status?: unknown };
      if (type === 'entity.too.large') {
        throw new AppError(413, `Request body is larger than the limit of ${limit} bytes`, { cause: error });
      }
      // co-body marks a JSON parse failure with status 400 but no `expose`.
      if (error instanceof SyntaxError && status === 400) {
        throw new AppError(400, 'Request body is not valid JSON', { cause: error });
      }
      // Anything else from raw-body (415 charset, 400 aborted or wrong length)
      // is an http-error with `expose`; the error handler shows its message.
      throw error;
    },
  });
}
