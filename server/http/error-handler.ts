// Turns anything thrown below it, and any error status left without a body,
// into Mastodon's JSON error shape, `{"error": "..."}` (plus `details` when an
// AppError carries them).
// Only messages meant for the client reach it: an AppError's publicMessage, or
// an HTTP error that marks itself `expose` (koa's http-errors, the body
// parser's 413/415). Everything else is a 500 whose cause goes to the log only.
import { STATUS_CODES } from 'node:http';
import { inspect } from 'node:util';
import type Koa from 'koa';
import { isAppError } from '../errors.ts';
import { getLogger } from '../logging.ts';

export interface ErrorResponse {
  status: number;
  body: { error: string; details?: Record<string, unknown> };
  /** Headers the error asks for (e.g. `Allow` on a 405), from http-errors' `headers`. */
  headers: Record<string, string>;
}

const INTERNAL: ErrorResponse = { status: 500, body: { error: 'Internal server error' }, headers: {} };

// Headers set before the failure describe a response that is no longer being
// sent (a content type, a cache policy…); only these survive, as in koa's own
// error path. The request id stays so the client can quote it.
const KEPT_HEADERS = new Set(['x-request-id']);
// Headers that describe the request's standing, not the failed response: a 429
// still says when to retry, and a browser app can only read an error with CORS.
const KEPT_HEADER_PREFIXES = ['access-control-', 'x-ratelimit-', 'retry-after'];

export function errorHandler(): Koa.Middleware {
  const log = getLogger('http');
  return async (ctx, next) => {
    try {
      await next();
      // A status set without a body (no route matched, so koa's default 404;
      // the router's 405 with its Allow header) still answers in JSON.
      if (ctx.status >= 400 && ctx.body == null && ctx.respond !== false && !ctx.headerSent) {
        const status = ctx.status;
        ctx.status = status; // explicit, so setting the body keeps it
        ctx.body = { error: STATUS_CODES[status] ?? 'Error' };
      }
    } catch (error) {
      const response = toErrorResponse(error);
      const where = { method: ctx.method, path: ctx.path, requestId: ctx.state.requestId as string | undefined };
      if (response.status >= 500) {
        log.error('Unhandled error in {method} {path} (request {requestId}): {error}', { ...where, error: asError(error) });
      } else {
        log.debug('{method} {path} failed with {status}: {message}', { ...where, status: response.status, message: response.body.error });
      }
      if (ctx.headerSent || !ctx.writable) {
        // Part of a response already went out (the status line with it), or the client is gone.
        log.warning('Could not send the {status} error for {method} {path}: response already started or connection closed', { ...where, status: response.status });
        return;
      }
      for (const name of ctx.res.getHeaderNames()) {
        if (!KEPT_HEADERS.has(name) && !KEPT_HEADER_PREFIXES.some((prefix) => name.startsWith(prefix))) ctx.res.removeHeader(name);
      }
      ctx.set(response.headers);
      ctx.status = response.status;
      ctx.body = response.body;
      ctx.type = 'application/json';
    }
  };
}

export function toErrorResponse(error: unknown): ErrorResponse {
  if (isAppError(error)) {
    if (!isErrorStatus(error.status)) return INTERNAL;
    const body: ErrorResponse['body'] = { error: error.publicMessage };
    if (error.details) body.details = error.details;
    return { status: error.status, body, headers: {} };
  }
  const status = statusOf(error);
  if (status === undefined || status >= 500) return INTERNAL;
  const httpError = error as { expose?: unknown; message?: unknown; headers?: unknown };
  // A 4xx that did not opt in to `expose` (e.g. co-body's JSON SyntaxError,
  // whose message quotes the body) gets the standard reason phrase instead.
  const message = httpError.expose === true && typeof httpError.message === 'string' && httpError.message ? httpError.message : (STATUS_CODES[status] ?? 'Bad request');
  return { status, body: { error: message }, headers: stringHeaders(httpError.headers) };
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' && isErrorStatus(value) ? value : undefined;
}

function isErrorStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 400 && status <= 599;
}

function stringHeaders(headers: unknown): Record<string, string> {
  if (typeof headers !== 'object' || headers === null) return {};
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string' || typeof value === 'number') result[name] = String(value);
  }
  return result;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(`Non-error value thrown: ${inspect(error)}`);
}
