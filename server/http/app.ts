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

  for (const router of [createHealthRouter({ db: deps.db }), ...(deps.routers ?? [])]) {
    app.use(router.routes());
    // A known path asked with another method: 405 with an Allow header.
    app.use(router.allowedMethods());
  }
  // The final 404 is not a middleware here: when nothing answered, koa's
  // status is still its default 404, and errorHandler() gives it a JSON body
  // on the way back out, after allowedMethods had its chance to make it a 405.
  return app;
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
