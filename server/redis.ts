// The optional Redis connection (REDIS_URL) for rate limits and caches.
// Redis is an accelerator, never a dependency: when it is down, callers see
// failed commands quickly (no long offline queue) and fall back or fail open;
// connection errors are logged (at most once a minute), never thrown at the
// process.
import { Redis } from 'ioredis';
import type { Config } from '../config/load.ts';
import { getLogger } from './logging.ts';

export type { Redis };

const ERROR_LOG_INTERVAL_MS = 60_000;

/** A connected-as-soon-as-possible client, or null when no REDIS_URL is configured. */
export function createRedis(config: Pick<Config, 'redisUrl'>): Redis | null {
  if (!config.redisUrl) return null;
  const log = getLogger('redis');
  const redis = new Redis(config.redisUrl, {
    // One retry, then the command fails: a request must not hang on a dead Redis.
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    // Reconnect forever, backing off up to 5 s.
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  });
  let lastErrorLogAt = 0;
  // Without an 'error' listener ioredis reports to console and Node could treat it as unhandled.
  redis.on('error', (error: unknown) => {
    const now = Date.now();
    if (now - lastErrorLogAt < ERROR_LOG_INTERVAL_MS) return;
    lastErrorLogAt = now;
    log.warning('Redis at {url} is unavailable: {error}', { url: redactUrl(config.redisUrl!), error });
  });
  redis.on('ready', () => {
    if (lastErrorLogAt !== 0) log.info('Redis at {url} is reachable again', { url: redactUrl(config.redisUrl!) });
    lastErrorLogAt = 0;
  });
  return redis;
}

/** Closes a client made by createRedis: QUIT when connected, else just disconnect. */
export async function closeRedis(redis: Redis | null): Promise<void> {
  if (!redis) return;
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch (error) {
      // Fell over while quitting: disconnect below drops the socket anyway.
      getLogger('redis').debug('Redis QUIT failed, disconnecting: {error}', { error });
    }
  }
  redis.disconnect();
}

/** The URL without its password, for logs. */
function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'redis://(unparsable URL)';
  }
}
