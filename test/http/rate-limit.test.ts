// Rate limits over a real socket, counted in memory and in the real Redis:
// the budget per token and per IP, the N+1th request refused with 429 and
// Mastodon's headers, a new window starting over, and no limits at all when
// they are switched off.
// The limiter gets a test clock so a window boundary never falls mid-test.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { Router } from '@koa/router';
import { Redis } from 'ioredis';
import { databaseTargets, tempDir } from '../helpers/databases.ts';
import { loadConfig, type Config } from '../../config/load.ts';
import { createHttpApp } from '../../server/http/app.ts';
import { listen } from '../../server/http/listen.ts';
import { notFound } from '../../server/errors.ts';
import type { AppState } from '../../server/http/state.ts';
import {
  apiRateLimit,
  createMemoryRateLimiter,
  createRateLimiter,
  createRedisRateLimiter,
  rateLimit,
  type RateLimiter,
} from '../../server/http/rate-limit.ts';

const WINDOW_MS = 3_600_000;
const REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379/15';

const [sqlite] = await databaseTargets();
const redis = await connectRedis();
test.after.always(async () => {
  await redis?.quit();
});

async function connectRedis(): Promise<Redis | null> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {}); // reported by connect() below
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    if (process.env.CI === 'true') throw new Error(`Redis at ${REDIS_URL} is unreachable and CI=true requires it: ${(error as Error).message}`);
    console.warn(`NOTICE: Redis at ${REDIS_URL} is unreachable (${(error as Error).message}); Redis runs of the rate-limit tests are SKIPPED.`);
    return null;
  }
}

/** A key prefix of its own for one test; its keys are deleted when the test ends. */
function testPrefix(t: ExecutionContext): string {
  const prefix = `viewfinder-test:${randomBytes(6).toString('hex')}:`;
  t.teardown(async () => {
    const keys = await redis!.keys(`${prefix}*`);
    if (keys.length) await redis!.del(...keys);
  });
  return prefix;
}

/** A clock inside the current real window (so Retry-After is realistic) that the test moves by hand. */
function testClock(windowMs = WINDOW_MS) {
  let time = Math.floor(Date.now() / windowMs) * windowMs + 1_000;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

function testConfig(t: ExecutionContext, env: Record<string, string> = {}): Config {
  const dataDir = tempDir(t);
  return loadConfig({
    env: { VIEWFINDER_DATA_DIR: dataDir, VIEWFINDER_TRUST_PROXY: 'true', VIEWFINDER_RATE_LIMIT_API: `3/${WINDOW_MS / 1000}`, ...env },
    cwd: dataDir,
    persistSecret: false,
  });
}

/**
 * The app with a router limited like the API. `X-Test-Token: <id>` stands in
 * for the bearer token `authenticate` resolves (it puts the token id on
 * ctx.state.auth); X-Forwarded-For (trusted here) stands in for client IPs.
 */
async function start(t: ExecutionContext, config: Config, rateLimiter: RateLimiter): Promise<string> {
  const { db } = await sqlite!.create(t, { migrate: false });
  const deps = { config, db, rateLimiter, mailer: null };
  const router = new Router();
  router.use(async (ctx, next) => {
    const token = ctx.get('X-Test-Token');
    (ctx.state as AppState).auth = token ? { tokenId: Number(token), appId: 1, scopes: ['read'], user: null, account: null } : null;
    await next();
  });
  router.use(apiRateLimit(deps));
  router.get('/api/v1/thing', (ctx) => {
    ctx.body = { ok: true };
  });
  router.get('/api/v1/missing', () => {
    throw notFound();
  });
  const signIn = new Router();
  signIn.use(rateLimit(deps, { bucket: 'sign-in', budget: 'signIn' }));
  signIn.post('/auth/sign_in', (ctx) => {
    ctx.body = { signedIn: true };
  });
  const server = await listen(createHttpApp({ config, db, routers: [router, signIn] }), { port: 0, host: '127.0.0.1' });
  t.teardown(() => server.close());
  t.teardown(() => rateLimiter.close());
  return server.url;
}

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });

interface Store {
  name: string;
  limiter(t: ExecutionContext, config: Config, now: () => number): RateLimiter | null;
}

const stores: Store[] = [
  { name: 'memory', limiter: (_t, config, now) => createRateLimiter(config, { now }) },
  {
    name: 'redis',
    // A fresh key prefix per test: runs never see each other's counters.
    limiter: (t, config, now) => (redis ? createRateLimiter(config, { now, redis, keyPrefix: testPrefix(t) }) : null),
  },
];

for (const store of stores) {
  const maybe = store.name === 'redis' && !redis ? test.skip : test;

  maybe(`${store.name}: the N+1th request in a window gets 429 with Mastodon's headers`, async (t) => {
    const config = testConfig(t);
    const clock = testClock();
    const url = await start(t, config, store.limiter(t, config, clock.now)!);
    const ip = { 'X-Forwarded-For': '203.0.113.7' };
    const resetAt = new Date(Math.floor(clock.now() / WINDOW_MS) * WINDOW_MS + WINDOW_MS).toISOString();

    for (const remaining of [2, 1, 0]) {
      const response = await get(`${url}/api/v1/thing`, ip);
      t.is(response.status, 200);
      t.is(response.headers.get('x-ratelimit-limit'), '3');
      t.is(response.headers.get('x-ratelimit-remaining'), String(remaining));
      t.is(response.headers.get('x-ratelimit-reset'), resetAt);
      t.is(response.headers.get('retry-after'), null);
    }
    const refused = await get(`${url}/api/v1/thing`, ip);
    t.is(refused.status, 429);
    t.deepEqual(await refused.json(), { error: 'Too many requests' });
    t.is(refused.headers.get('x-ratelimit-limit'), '3');
    t.is(refused.headers.get('x-ratelimit-remaining'), '0');
    t.is(refused.headers.get('x-ratelimit-reset'), resetAt);
    const retryAfter = Number(refused.headers.get('retry-after'));
    t.true(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= WINDOW_MS / 1000, `Retry-After ${retryAfter}`);

    // Another client is counted on its own.
    t.is((await get(`${url}/api/v1/thing`, { 'X-Forwarded-For': '203.0.113.8' })).status, 200);

    // The next window starts over.
    clock.advance(WINDOW_MS);
    const next = await get(`${url}/api/v1/thing`, ip);
    t.is(next.status, 200);
    t.is(next.headers.get('x-ratelimit-remaining'), '2');
  });

  maybe(`${store.name}: requests with a token count against the token, not the IP`, async (t) => {
    const config = testConfig(t);
    const url = await start(t, config, store.limiter(t, config, testClock().now)!);
    const ip = { 'X-Forwarded-For': '203.0.113.9' };
    for (let i = 0; i < 3; i++) t.is((await get(`${url}/api/v1/thing`, { ...ip, 'X-Test-Token': '41' })).status, 200);
    t.is((await get(`${url}/api/v1/thing`, { ...ip, 'X-Test-Token': '41' })).status, 429);
    // Same IP, another token; and the IP itself without a token: both untouched.
    const other = await get(`${url}/api/v1/thing`, { ...ip, 'X-Test-Token': '42' });
    t.is(other.status, 200);
    t.is(other.headers.get('x-ratelimit-remaining'), '2');
    t.is((await get(`${url}/api/v1/thing`, ip)).headers.get('x-ratelimit-remaining'), '2');
  });

  maybe(`${store.name}: error responses keep the rate-limit headers and count`, async (t) => {
    const config = testConfig(t);
    const url = await start(t, config, store.limiter(t, config, testClock().now)!);
    const missing = await get(`${url}/api/v1/missing`);
    t.is(missing.status, 404);
    t.deepEqual(await missing.json(), { error: 'Record not found' });
    t.is(missing.headers.get('x-ratelimit-remaining'), '2');
    t.truthy(missing.headers.get('x-request-id'));
  });

  maybe(`${store.name}: each bucket has its own budget (sign-in attempts per IP)`, async (t) => {
    const config = testConfig(t, { VIEWFINDER_RATE_LIMIT_SIGN_IN: '2/300' });
    const url = await start(t, config, store.limiter(t, config, testClock(300_000).now)!);
    const post = () => fetch(`${url}/auth/sign_in`, { method: 'POST', headers: { 'X-Forwarded-For': '198.51.100.1' } });
    t.is((await post()).status, 200);
    t.is((await post()).status, 200);
    const third = await post();
    t.is(third.status, 429);
    t.is(third.headers.get('x-ratelimit-limit'), '2');
    // The API budget of the same IP is untouched.
    t.is((await get(`${url}/api/v1/thing`, { 'X-Forwarded-For': '198.51.100.1' })).headers.get('x-ratelimit-remaining'), '2');
  });
}

test.serial('redis: web processes share one count', async (t) => {
  if (!redis) return t.pass('Redis unreachable: skipped');
  const config = testConfig(t);
  const budget = config.rateLimitBudgets.api;
  const keyPrefix = testPrefix(t);
  const now = testClock().now;
  const first = createRedisRateLimiter(redis, { keyPrefix, now });
  const second = createRedisRateLimiter(redis, { keyPrefix, now });
  t.like(await first.hit('api', 'ip:192.0.2.1', budget), { allowed: true, remaining: 2 });
  t.like(await second.hit('api', 'ip:192.0.2.1', budget), { allowed: true, remaining: 1 });
  t.like(await first.hit('api', 'ip:192.0.2.1', budget), { allowed: true, remaining: 0 });
  t.like(await second.hit('api', 'ip:192.0.2.1', budget), { allowed: false, remaining: 0 });
  // The counter expires with its window instead of piling up in Redis.
  const keys = await redis.keys(`${keyPrefix}*`);
  t.is(keys.length, 1);
  const ttl = await redis.pttl(keys[0]!);
  t.true(ttl > 0 && ttl <= WINDOW_MS + 1_000, `PTTL ${ttl}`);
});

test('rate limits off: no limit and no headers', async (t) => {
  const config = testConfig(t, { VIEWFINDER_RATE_LIMITS: 'off' });
  const url = await start(t, config, createRateLimiter(config));
  for (let i = 0; i < 6; i++) {
    const response = await get(`${url}/api/v1/thing`);
    t.is(response.status, 200);
    t.is(response.headers.get('x-ratelimit-limit'), null);
    t.is(response.headers.get('x-ratelimit-remaining'), null);
  }
});

test('an unreachable Redis does not take the API down: requests are counted per process', async (t) => {
  // Port 1 on loopback: connection refused at once.
  const config = testConfig(t, { REDIS_URL: 'redis://127.0.0.1:1/0' });
  const started = Date.now();
  const url = await start(t, config, createRateLimiter(config));
  const responses = [];
  for (let i = 0; i < 4; i++) responses.push(await get(`${url}/api/v1/thing`));
  t.deepEqual(responses.map((r) => r.status), [200, 200, 200, 429]);
  t.is(responses[0]!.headers.get('x-ratelimit-remaining'), '2');
  t.true(Date.now() - started < 5_000, 'no request waited for Redis');
});

test('the memory store forgets expired windows and stays bounded', async (t) => {
  const clock = testClock(60_000);
  const limiter = createMemoryRateLimiter({ now: clock.now, maxKeys: 50 });
  const budget = { limit: 5, windowMs: 60_000 };
  for (let i = 0; i < 40; i++) await limiter.hit('api', `ip:10.0.0.${i}`, budget);
  t.is(limiter.size(), 40);
  clock.advance(60_000 + 10_000);
  await limiter.hit('api', 'ip:10.0.1.1', budget);
  t.is(limiter.size(), 1, 'expired windows swept');
  // A flood of distinct keys within one window: the oldest are dropped past maxKeys.
  for (let i = 0; i < 200; i++) await limiter.hit('api', `ip:10.1.0.${i}`, budget);
  t.is(limiter.size(), 50);
  // The newest keys are still counted.
  t.like(await limiter.hit('api', 'ip:10.1.0.199', budget), { remaining: 3 });
});
