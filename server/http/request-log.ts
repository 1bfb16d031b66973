// One structured log line per request, and a request id that ties that line,
// any error logged for the request and the client's report together.
import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import { getLogger } from '../logging.ts';

// An incoming id (from a proxy or a client) is kept only when it cannot
// garble a log line: short, and made of token characters.
const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

// Probes hit these every few seconds; at info they would drown real traffic.
const QUIET_PATHS = new Set(['/healthz', '/readyz']);

export function requestLog(): Koa.Middleware {
  const log = getLogger('http');
  return async (ctx, next) => {
    const started = performance.now();
    const incoming = ctx.get('X-Request-Id');
    const requestId = SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      // ctx.path has no query string: queries can carry tokens and codes.
      const properties = {
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        requestId,
      };
      const message = '{method} {path} {status} {durationMs}ms';
      if (QUIET_PATHS.has(ctx.path) && ctx.status < 500) log.debug(message, properties);
      else log.info(message, properties);
    }
  };
}
