// `Idempotency-Key` on POSTs (Mastodon clients send it when posting statuses,
// so a retry after a dropped connection does not post twice). Per (token — or
// session user, or IP —, path, key): the first request runs; its 2xx status
// and body are kept for an hour in the `kv` table; a repeat in that hour gets
// the stored answer without running the handler again.
//
// A repeat while the first is still running gets 409 rather than waiting for
// it (as Stripe does): waiting would hold a connection for as long as the
// first request takes, and the client's retry loop handles 409 anyway. The
// "running" marker expires after RUNNING_TTL_MS so a process that died mid-way
// does not block the key for the full hour.
//
// Failures (4xx/5xx, or a thrown error) are not stored: the marker is removed
// and the client may retry with the same key, as the first attempt changed nothing.
import { createHash } from 'node:crypto';
import { Stream } from 'node:stream';
import type Koa from 'koa';
import { deleteKv, modifyKv, setKv } from '../db/kv.repo.ts';
import { conflict } from '../errors.ts';
import { getLogger } from '../logging.ts';
import type { ApiDeps } from './deps.ts';
import type { AppState } from './state.ts';

const TTL_MS = 60 * 60 * 1000;
const RUNNING_TTL_MS = 5 * 60 * 1000;

type Stored = { state: 'running' } | { state: 'done'; status: number; type: string; body: unknown };

export interface IdempotencyOptions {
  /** How long a stored answer is replayed (default 1 hour). */
  ttlMs?: number;
}

export function idempotency(deps: Pick<ApiDeps, 'db'>, options: IdempotencyOptions = {}): Koa.Middleware {
  const { db } = deps;
  const ttlMs = options.ttlMs ?? TTL_MS;
  const log = getLogger(['http', 'idempotency']);
  return async (ctx, next) => {
    const header = ctx.get('Idempotency-Key');
    if (ctx.method !== 'POST' || !header) return next();
    // Hashed: the key is client-chosen and may be long; the kv key stays short.
    const digest = createHash('sha256').update(`${ctx.path}\n${header}`).digest('base64url');
    const kvKey = ['idempotency', scopeOf(ctx), digest];

    const now = Date.now();
    const previous = await modifyKv<Stored | null>(db, kvKey, (current) =>
      current ? { result: current.value as Stored } : { result: null, next: { value: { state: 'running' }, expiresAt: now + RUNNING_TTL_MS } },
    );
    if (previous?.state === 'done') {
      ctx.status = previous.status;
      ctx.body = previous.body;
      if (previous.type) ctx.type = previous.type;
      ctx.set('Idempotency-Key', header);
      return;
    }
    if (previous?.state === 'running') throw conflict('A request with this Idempotency-Key is still being processed');

    try {
      await next();
    } catch (error) {
      await release(kvKey);
      throw error;
    }
    if (ctx.status >= 200 && ctx.status < 300 && isStorable(ctx.body)) {
      const stored: Stored = { state: 'done', status: ctx.status, type: ctx.response.type, body: ctx.body ?? null };
      try {
        await setKv(db, kvKey, stored, Date.now() + ttlMs);
      } catch (error) {
        // The request itself succeeded; only a retry would run it twice.
        log.error('Could not store the answer for an Idempotency-Key on {path}: {error}', { path: ctx.path, error });
        await release(kvKey);
      }
    } else {
      await release(kvKey);
    }
  };

  async function release(kvKey: string[]): Promise<void> {
    try {
      await deleteKv(db, kvKey);
    } catch (error) {
      // The marker expires by itself after RUNNING_TTL_MS.
      log.error('Could not release an Idempotency-Key marker: {error}', { error });
    }
  }
}

/** Whose keys these are: the token, else the signed-in web user, else the IP. */
function scopeOf(ctx: Koa.Context): string {
  const state = ctx.state as AppState;
  if (state.auth) return `token:${state.auth.tokenId}`;
  if (state.sessionUser) return `user:${state.sessionUser.id}`;
  return `ip:${ctx.ip}`;
}

/** JSON bodies (and empty ones) can be replayed; streams and buffers are not kept. */
function isStorable(body: unknown): boolean {
  if (body === null || body === undefined) return true;
  if (Buffer.isBuffer(body) || body instanceof Stream || body instanceof Blob || body instanceof ReadableStream) return false;
  return true;
}
