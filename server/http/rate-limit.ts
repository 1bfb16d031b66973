// Rate limits like Mastodon's (rack-attack): fixed windows aligned to the
// epoch, a counter per (bucket, key, window). A fixed window is one atomic
// INCR in Redis and one Map entry in memory, and it is what Mastodon clients
// already expect from X-RateLimit-Reset (the end of the current window). Its
// known weakness, up to twice the budget across a window boundary, is
// acceptable for abuse protection; sliding logs would cost a sorted set per key.
//
// Store: Redis when REDIS_URL is set (shared by every web process), else
// process memory (bounded: expired windows are swept, and past `maxKeys` the
// oldest entries go). When Redis fails, a hit is counted in memory instead and
// a warning logged (at most once a minute): the limiter degrades to
// per-process limits rather than taking the API down or letting all through.
import type Koa from 'koa';
import type { Config, RateBudget } from '../../config/load.ts';
import { tooManyRequests } from '../errors.ts';
import { getLogger } from '../logging.ts';
import { createRedis, closeRedis, type Redis } from '../redis.ts';
import type { ApiDeps } from './deps.ts';
import type { AppState } from './state.ts';

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  /** Requests left in this window (0 once over). */
  remaining: number;
  /** End of the current window, epoch ms. */
  resetAt: number;
}

export interface RateLimiter {
  hit(bucket: string, key: string, budget: RateBudget): Promise<RateLimitResult>;
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  /** Clock, epoch ms (tests). */
  now?: () => number;
  /** Memory store bound (default 100,000 keys). */
  maxKeys?: number;
  /** Redis key prefix (default `viewfinder:rl:`). */
  keyPrefix?: string;
  /**
   * createRateLimiter: an existing client to count in (not closed by close());
   * default: its own client from config.redisUrl.
   */
  redis?: Redis | null;
}

const SWEEP_INTERVAL_MS = 10_000;
const WARN_INTERVAL_MS = 60_000;

/** Redis (REDIS_URL) when configured, else in memory; `rateLimits: false` → always allowed. */
export function createRateLimiter(config: Pick<Config, 'rateLimits' | 'redisUrl'>, options: RateLimiterOptions = {}): RateLimiter {
  if (!config.rateLimits) return unlimitedRateLimiter();
  if (options.redis) return createRedisRateLimiter(options.redis, options);
  const redis = createRedis(config);
  if (!redis) return createMemoryRateLimiter(options);
  const limiter = createRedisRateLimiter(redis, options);
  return {
    hit: limiter.hit,
    close: async () => {
      await limiter.close();
      await closeRedis(redis);
    },
  };
}

export function unlimitedRateLimiter(): RateLimiter {
  return {
    hit: async (_bucket, _key, budget) => ({ allowed: true, limit: budget.limit, remaining: budget.limit, resetAt: 0 }),
    close: async () => {},
  };
}

function windowOf(now: number, windowMs: number): { start: number; resetAt: number } {
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, resetAt: start + windowMs };
}

function result(count: number, budget: RateBudget, resetAt: number): RateLimitResult {
  return { allowed: count <= budget.limit, limit: budget.limit, remaining: Math.max(0, budget.limit - count), resetAt };
}

export interface MemoryRateLimiter extends RateLimiter {
  /** Keys held right now (tests check that expired windows are swept). */
  size(): number;
}

export function createMemoryRateLimiter(options: RateLimiterOptions = {}): MemoryRateLimiter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  // Insertion order is (roughly) age: a new window re-inserts its key.
  const counters = new Map<string, { count: number; resetAt: number }>();
  let nextSweepAt = 0;

  const sweep = (time: number) => {
    for (const [key, entry] of counters) if (entry.resetAt <= time) counters.delete(key);
    nextSweepAt = time + SWEEP_INTERVAL_MS;
  };

  return {
    async hit(bucket, key, budget) {
      const time = now();
      if (time >= nextSweepAt) sweep(time);
      const id = `${bucket}\n${key}`;
      let entry = counters.get(id);
      if (!entry || entry.resetAt <= time) {
        counters.delete(id);
        if (counters.size >= maxKeys) sweep(time);
        // Still full of live windows (a flood of distinct keys): forget the
        // oldest. Those keys start over, which beats unbounded memory.
        for (const oldest of counters.keys()) {
          if (counters.size < maxKeys) break;
          counters.delete(oldest);
        }
        entry = { count: 0, resetAt: windowOf(time, budget.windowMs).resetAt };
        counters.set(id, entry);
      }
      entry.count += 1;
      return result(entry.count, budget, entry.resetAt);
    },
    close: async () => counters.clear(),
    size: () => counters.size,
  };
}

/** Counts in Redis; does not own `redis` (close() leaves it open). */
export function createRedisRateLimiter(redis: Redis, options: RateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const prefix = options.keyPrefix ?? 'viewfinder:rl:';
  const fallback = createMemoryRateLimiter(options);
  const log = getLogger(['http', 'rate-limit']);
  let lastWarnAt = -Infinity;

  const degrade = (bucket: string, key: string, budget: RateBudget, cause: unknown) => {
    const time = Date.now();
    if (time - lastWarnAt >= WARN_INTERVAL_MS) {
      lastWarnAt = time;
      log.warning('Rate limits are counted per process: Redis is unavailable ({error})', { error: cause });
    }
    return fallback.hit(bucket, key, budget);
  };

  return {
    async hit(bucket, key, budget) {
      // Not connected: do not queue behind a reconnect, count locally now.
      if (redis.status !== 'ready') return degrade(bucket, key, budget, `connection ${redis.status}`);
      const time = now();
      const { start, resetAt } = windowOf(time, budget.windowMs);
      const id = `${prefix}${bucket}:${key}:${start}`;
      try {
        // INCR and the expiry in one MULTI: a key never outlives its window
        // (plus a second of slack for clock skew between web processes).
        const replies = await redis.multi().incr(id).pexpire(id, resetAt - time + 1_000).exec();
        const [incrError, count] = replies?.[0] ?? [new Error('transaction aborted'), null];
        if (incrError || typeof count !== 'number') throw incrError ?? new Error(`unexpected INCR reply ${String(count)}`);
        return result(count, budget, resetAt);
      } catch (error) {
        return degrade(bucket, key, budget, error);
      }
    },
    close: async () => fallback.close(),
  };
}

export interface RateLimitOptions {
  bucket: string;
  budget: keyof Config['rateLimitBudgets'];
  /** Who is counted (default `ip:<client ip>`); null: this request is not limited. */
  key?: (ctx: Koa.Context) => string | null;
}

/**
 * Counts the request and sets X-RateLimit-Limit/Remaining/Reset (ISO 8601, as
 * Mastodon); over the budget → 429 `{"error":"Too many requests"}` with
 * Retry-After. The headers stay on error responses from further down too.
 */
export function rateLimit(deps: Pick<ApiDeps, 'config' | 'rateLimiter'>, options: RateLimitOptions): Koa.Middleware {
  const { config, rateLimiter } = deps;
  if (!config.rateLimits) return (_ctx, next) => next();
  const budget = config.rateLimitBudgets[options.budget];
  const keyOf = options.key ?? ((ctx: Koa.Context) => `ip:${ctx.ip}`);
  return async (ctx, next) => {
    const key = keyOf(ctx);
    if (key === null) return next();
    const hit = await rateLimiter.hit(options.bucket, key, budget);
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(hit.limit),
      'X-RateLimit-Remaining': String(hit.remaining),
      'X-RateLimit-Reset': new Date(hit.resetAt).toISOString(),
    };
    if (!hit.allowed) headers['Retry-After'] = String(Math.max(1, Math.ceil((hit.resetAt - Date.now()) / 1000)));
    // The error handler keeps X-RateLimit-* and Retry-After on the 429 it renders.
    ctx.set(headers);
    if (!hit.allowed) throw tooManyRequests();
    await next();
  };
}

/** The API budget: per access token when there is one (use after `authenticate`), else per IP. */
export function apiRateLimit(deps: Pick<ApiDeps, 'config' | 'rateLimiter'>): Koa.Middleware {
  return rateLimit(deps, {
    bucket: 'api',
    budget: 'api',
    key: (ctx) => {
      const auth = (ctx.state as AppState).auth;
      return auth ? `token:${auth.tokenId}` : `ip:${ctx.ip}`;
    },
  });
}
