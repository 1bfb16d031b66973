// CORS as Mastodon does it, over a real socket: browser apps on any origin
// can call the API and read its answers (errors included) with a bearer
// token; web pages that use cookies get no CORS headers.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { Router } from '@koa/router';
import { databaseTargets, tempDir } from '../helpers/databases.ts';
import { loadConfig } from '../../config/load.ts';
import { createHttpApp } from '../../server/http/app.ts';
import { listen } from '../../server/http/listen.ts';
import { unauthorized } from '../../server/errors.ts';
import { apiCors } from '../../server/http/cors.ts';
import { apiRateLimit, createRateLimiter } from '../../server/http/rate-limit.ts';

const [sqlite] = await databaseTargets();
const ORIGIN = 'https://elk.example';

async function start(t: ExecutionContext): Promise<string> {
  const dataDir = tempDir(t);
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, VIEWFINDER_RATE_LIMIT_API: '2/3600' }, cwd: dataDir, persistSecret: false });
  const { db } = await sqlite!.create(t, { migrate: false });
  const rateLimiter = createRateLimiter(config);
  t.teardown(() => rateLimiter.close());
  const deps = { config, db, rateLimiter, mailer: null };

  const api = new Router();
  api.use(apiRateLimit(deps));
  api.get('/api/v1/thing', (ctx) => {
    ctx.set('Link', '<https://x.example/api/v1/thing?max_id=1>; rel="next"');
    ctx.body = { ok: true };
  });
  api.get('/api/v1/secret', () => {
    throw unauthorized();
  });
  const other = new Router();
  other.post('/oauth/token', (ctx) => {
    ctx.body = { access_token: 'x' };
  });
  other.get('/.well-known/nodeinfo', (ctx) => {
    ctx.body = { links: [] };
  });
  other.get('/auth/sign_in', (ctx) => {
    ctx.type = 'text/html';
    ctx.body = '<form></form>';
  });
  const server = await listen(createHttpApp({ config, db, beforeBody: [apiCors()], routers: [api, other] }), { port: 0, host: '127.0.0.1' });
  t.teardown(() => server.close());
  return server.url;
}

const preflight = (url: string, method: string, headers = 'authorization, idempotency-key, content-type') =>
  fetch(url, { method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers } });

test('a preflight for an API path answers 204 allowing any origin, the methods and the headers apps send', async (t) => {
  const url = await start(t);
  for (const [path, method] of [['/api/v1/statuses', 'POST'], ['/api/v1/thing', 'GET'], ['/oauth/token', 'POST'], ['/oauth/revoke', 'POST']] as const) {
    const response = await preflight(`${url}${path}`, method);
    t.is(response.status, 204, path);
    t.is(response.headers.get('access-control-allow-origin'), '*');
    t.is(response.headers.get('access-control-allow-credentials'), null, 'never with cookies');
    const methods = (response.headers.get('access-control-allow-methods') ?? '').split(/,\s*/);
    for (const wanted of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) t.true(methods.includes(wanted), `${wanted} allowed`);
    const headers = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/,\s*/);
    for (const wanted of ['authorization', 'idempotency-key', 'content-type']) t.true(headers.includes(wanted), `${wanted} allowed`);
    t.true(Number(response.headers.get('access-control-max-age')) > 0);
    t.is(await response.text(), '');
  }
  // A preflight is not counted against the client's rate limit.
  t.is((await fetch(`${url}/api/v1/thing`)).headers.get('x-ratelimit-remaining'), '1');
});

test('API answers carry CORS headers and expose Link, the rate-limit headers and the request id', async (t) => {
  const url = await start(t);
  const response = await fetch(`${url}/api/v1/thing`, { headers: { Origin: ORIGIN } });
  t.is(response.status, 200);
  t.is(response.headers.get('access-control-allow-origin'), '*');
  const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/,\s*/);
  for (const name of ['link', 'x-ratelimit-reset', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-request-id', 'idempotency-key']) t.true(exposed.includes(name), `${name} exposed`);
  const wellKnown = await fetch(`${url}/.well-known/nodeinfo`, { headers: { Origin: ORIGIN } });
  t.is(wellKnown.headers.get('access-control-allow-origin'), '*');
});

test('error answers on API paths keep their CORS headers, so browser apps can read them', async (t) => {
  const url = await start(t);
  const denied = await fetch(`${url}/api/v1/secret`, { headers: { Origin: ORIGIN } });
  t.is(denied.status, 401);
  t.deepEqual(await denied.json(), { error: 'The access token is invalid' });
  t.is(denied.headers.get('access-control-allow-origin'), '*');

  const unknown = await fetch(`${url}/api/v1/no-such-thing`, { headers: { Origin: ORIGIN } });
  t.is(unknown.status, 404);
  t.is(unknown.headers.get('access-control-allow-origin'), '*');

  // The secret route took one request of the budget of 2; this is the second, then 429.
  t.is((await fetch(`${url}/api/v1/thing`, { headers: { Origin: ORIGIN } })).status, 200);
  const limited = await fetch(`${url}/api/v1/thing`, { headers: { Origin: ORIGIN } });
  t.is(limited.status, 429);
  t.is(limited.headers.get('access-control-allow-origin'), '*');
  t.is(limited.headers.get('x-ratelimit-remaining'), '0');
});

test('web pages get no CORS headers, not even on a preflight', async (t) => {
  const url = await start(t);
  const page = await fetch(`${url}/auth/sign_in`, { headers: { Origin: ORIGIN } });
  t.is(page.status, 200);
  t.is(page.headers.get('access-control-allow-origin'), null);
  const pagePreflight = await preflight(`${url}/auth/sign_in`, 'POST');
  t.not(pagePreflight.status, 204);
  t.is(pagePreflight.headers.get('access-control-allow-origin'), null);
  t.is(pagePreflight.headers.get('access-control-allow-methods'), null);
});
