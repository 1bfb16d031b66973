// Idempotency-Key on POSTs, over a real socket and on both databases: a
// retried request gets the first answer without running again; failures are
// not remembered; a retry racing the first attempt is refused.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { Router } from '@koa/router';
import { databaseTargets, type DatabaseTarget } from '../helpers/databases.ts';
import { loadConfig } from '../../config/load.ts';
import { createHttpApp } from '../../server/http/app.ts';
import { listen } from '../../server/http/listen.ts';
import { newId } from '../../server/db/ids.ts';
import { unprocessable } from '../../server/errors.ts';
import { idempotency } from '../../server/http/idempotency.ts';
import type { AppState } from '../../server/http/state.ts';

const targets = await databaseTargets();

interface Harness {
  url: string;
  /** How many times the handler ran. */
  runs(): number;
  /** Holds the next request inside its handler until release() is called. */
  hold(): { release(): void };
}

/**
 * POST /api/v1/statuses answers 200 with a fresh id each time it runs;
 * `{"fail":true}` makes it a 422. `X-Test-Token` stands in for the bearer
 * token `authenticate` resolves; X-Forwarded-For (trusted here) for the client IP.
 */
async function start(t: ExecutionContext, target: DatabaseTarget, options: { ttlMs?: number } = {}): Promise<Harness> {
  const { db, dataDir } = await target.create(t);
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, VIEWFINDER_TRUST_PROXY: 'true' }, cwd: dataDir, persistSecret: false });
  let runs = 0;
  let gate: Promise<void> | null = null;
  const router = new Router();
  router.use(async (ctx, next) => {
    const token = ctx.get('X-Test-Token');
    (ctx.state as AppState).auth = token ? { tokenId: Number(token), appId: 1, scopes: ['write'], user: null, account: null } : null;
    await next();
  });
  router.use(idempotency({ db }, options));
  router.post('/api/v1/statuses', async (ctx) => {
    runs += 1;
    if (gate) await gate;
    const body = ctx.request.body as { status?: string; fail?: boolean };
    if (body.fail) throw unprocessable('Validation failed: Text can’t be blank');
    ctx.body = { id: String(newId()), content: body.status ?? '' };
  });
  router.post('/api/v1/media', async (ctx) => {
    runs += 1;
    ctx.body = { id: String(newId()), type: 'image' };
  });
  const server = await listen(createHttpApp({ config, db, routers: [router] }), { port: 0, host: '127.0.0.1' });
  t.teardown(() => server.close());
  return {
    url: server.url,
    runs: () => runs,
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return { release: () => ((gate = null), release()) };
    },
  };
}

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

for (const target of targets) {
  test(`${target.name}: a repeated Idempotency-Key replays the first answer and the handler runs once`, async (t) => {
    const app = await start(t, target);
    const headers = { 'Idempotency-Key': 'a1b2c3', 'X-Test-Token': '7' };
    const first = await post(`${app.url}/api/v1/statuses`, { status: 'hello' }, headers);
    t.is(first.status, 200);
    const firstBody = await first.json();
    const again = await post(`${app.url}/api/v1/statuses`, { status: 'hello' }, headers);
    t.is(again.status, 200);
    t.regex(again.headers.get('content-type') ?? '', /^application\/json/);
    t.deepEqual(await again.json(), firstBody);
    t.is(app.runs(), 1);

    // Another key, another token, another endpoint, or no key at all: each runs.
    const otherKey = await (await post(`${app.url}/api/v1/statuses`, { status: 'hello' }, { ...headers, 'Idempotency-Key': 'zzz' })).json();
    const otherToken = await (await post(`${app.url}/api/v1/statuses`, { status: 'hello' }, { ...headers, 'X-Test-Token': '8' })).json();
    const otherPath = await (await post(`${app.url}/api/v1/media`, {}, headers)).json();
    await post(`${app.url}/api/v1/statuses`, { status: 'hello' }, { 'X-Test-Token': '7' });
    await post(`${app.url}/api/v1/statuses`, { status: 'hello' }, { 'X-Test-Token': '7' });
    t.is(app.runs(), 6);
    t.not((otherKey as { id: string }).id, (firstBody as { id: string }).id);
    t.not((otherToken as { id: string }).id, (firstBody as { id: string }).id);
    t.is((otherPath as { type: string }).type, 'image');
  });

  test(`${target.name}: without a token the key is scoped to the client IP`, async (t) => {
    const app = await start(t, target);
    const first = await (await post(`${app.url}/api/v1/statuses`, {}, { 'Idempotency-Key': 'k', 'X-Forwarded-For': '203.0.113.1' })).json();
    const replay = await (await post(`${app.url}/api/v1/statuses`, {}, { 'Idempotency-Key': 'k', 'X-Forwarded-For': '203.0.113.1' })).json();
    const otherIp = await (await post(`${app.url}/api/v1/statuses`, {}, { 'Idempotency-Key': 'k', 'X-Forwarded-For': '203.0.113.2' })).json();
    t.deepEqual(replay, first);
    t.notDeepEqual(otherIp, first);
    t.is(app.runs(), 2);
  });

  test(`${target.name}: a failed request is not remembered; the retry runs`, async (t) => {
    const app = await start(t, target);
    const headers = { 'Idempotency-Key': 'retry-me', 'X-Test-Token': '7' };
    const failed = await post(`${app.url}/api/v1/statuses`, { fail: true }, headers);
    t.is(failed.status, 422);
    const retried = await post(`${app.url}/api/v1/statuses`, { status: 'fixed' }, headers);
    t.is(retried.status, 200);
    t.like(await retried.json(), { content: 'fixed' });
    t.is(app.runs(), 2);
  });

  test(`${target.name}: a repeat while the first is still running gets 409, later the stored answer`, async (t) => {
    const app = await start(t, target);
    const headers = { 'Idempotency-Key': 'slow', 'X-Test-Token': '7' };
    const gate = app.hold();
    const first = post(`${app.url}/api/v1/statuses`, { status: 'slow' }, headers);
    while (app.runs() === 0) await sleep(5);
    const racing = await post(`${app.url}/api/v1/statuses`, { status: 'slow' }, headers);
    t.is(racing.status, 409);
    t.deepEqual(await racing.json(), { error: 'A request with this Idempotency-Key is still being processed' });
    gate.release();
    const firstBody = await (await first).json();
    const later = await post(`${app.url}/api/v1/statuses`, { status: 'slow' }, headers);
    t.deepEqual(await later.json(), firstBody);
    t.is(app.runs(), 1);
  });

  test(`${target.name}: a stored answer expires`, async (t) => {
    const app = await start(t, target, { ttlMs: 300 });
    const headers = { 'Idempotency-Key': 'short', 'X-Test-Token': '7' };
    const first = await (await post(`${app.url}/api/v1/statuses`, {}, headers)).json();
    await sleep(350);
    const after = await (await post(`${app.url}/api/v1/statuses`, {}, headers)).json();
    t.notDeepEqual(after, first);
    t.is(app.runs(), 2);
  });
}
