// What the app believes about the client (address, scheme), the request id it
// hands back, and how listen() binds and shuts down.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { Router } from '@koa/router';
import { databaseTargets, type DatabaseTarget } from '../helpers/databases.ts';
import { loadConfig } from '../../config/load.ts';
import { createHttpApp } from '../../server/http/app.ts';
import { listen } from '../../server/http/listen.ts';

interface Seen {
  ip: string;
  protocol: string;
  requestId: string;
}

function whoamiRouter(): Router {
  const router = new Router();
  router.get('/whoami', (ctx) => {
    ctx.body = { ip: ctx.ip, protocol: ctx.protocol, requestId: ctx.state.requestId } satisfies Seen;
  });
  return router;
}

async function createApp(t: ExecutionContext, target: DatabaseTarget, trustProxy: boolean) {
  const { db, dataDir } = await target.create(t, { migrate: false });
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, VIEWFINDER_TRUST_PROXY: trustProxy ? 'on' : 'off' }, cwd: dataDir, persistSecret: false });
  return createHttpApp({ config, db, routers: [whoamiRouter()] });
}

async function start(t: ExecutionContext, target: DatabaseTarget, trustProxy = false): Promise<string> {
  const server = await listen(await createApp(t, target, trustProxy), { port: 0, host: '127.0.0.1' });
  t.teardown(() => server.close());
  return server.url;
}

const forwarded = { 'X-Forwarded-For': '198.51.100.1, 203.0.113.7', 'X-Forwarded-Proto': 'https' };

for (const target of await databaseTargets()) {
  test(`${target.name}: behind a trusted proxy, X-Forwarded-For and -Proto are honoured`, async (t) => {
    const url = await start(t, target, true);
    const seen = (await (await fetch(`${url}/whoami`, { headers: forwarded })).json()) as Seen;
    // The proxy appended the address it saw; what the client wrote before it is not trusted.
    t.is(seen.ip, '203.0.113.7');
    t.is(seen.protocol, 'https');
    const direct = (await (await fetch(`${url}/whoami`)).json()) as Seen;
    t.is(direct.ip, '127.0.0.1');
    t.is(direct.protocol, 'http');
  });

  test(`${target.name}: without trustProxy, X-Forwarded-* are ignored`, async (t) => {
    const url = await start(t, target, false);
    const seen = (await (await fetch(`${url}/whoami`, { headers: forwarded })).json()) as Seen;
    t.is(seen.ip, '127.0.0.1');
    t.is(seen.protocol, 'http');
  });

  test(`${target.name}: every response carries a request id, a sane incoming one is kept`, async (t) => {
    const url = await start(t, target);
    const fresh = await fetch(`${url}/whoami`);
    const generated = fresh.headers.get('x-request-id') ?? '';
    t.regex(generated, /^[0-9a-f-]{36}$/);
    t.is(((await fresh.json()) as Seen).requestId, generated);
    t.not((await fetch(`${url}/whoami`)).headers.get('x-request-id'), generated);

    const kept = await fetch(`${url}/whoami`, { headers: { 'X-Request-Id': 'lb-4f2a.9:1' } });
    t.is(kept.headers.get('x-request-id'), 'lb-4f2a.9:1');
    for (const bad of ['has spaces <b>', 'x'.repeat(200)]) {
      const replaced = await fetch(`${url}/whoami`, { headers: { 'X-Request-Id': bad } });
      t.regex(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    }
    // error responses carry it too
    t.truthy((await fetch(`${url}/missing`)).headers.get('x-request-id'));
  });

  test(`${target.name}: listen on 0.0.0.0 reports a loopback url; close() stops accepting`, async (t) => {
    const server = await listen(await createApp(t, target, false), { port: 0, host: '0.0.0.0' });
    t.regex(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    t.true(server.port > 0);
    t.is(server.url, `http://127.0.0.1:${server.port}`);
    // A keep-alive connection stays open after this request; close() must not wait for it.
    t.is((await fetch(`${server.url}/healthz`)).status, 200);
    await server.close();
    await t.throwsAsync(fetch(`${server.url}/healthz`));
  });

  test(`${target.name}: close() lets an in-flight request finish`, async (t) => {
    const { db, dataDir } = await target.create(t, { migrate: false });
    const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir }, cwd: dataDir, persistSecret: false });
    let release!: () => void;
    let arrived!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inside = new Promise<void>((resolve) => (arrived = resolve));
    const router = new Router();
    router.get('/slow', async (ctx) => {
      arrived();
      await gate;
      ctx.body = { done: true };
    });
    const server = await listen(createHttpApp({ config, db, routers: [router] }), { port: 0, host: '127.0.0.1' });
    const pending = fetch(`${server.url}/slow`);
    await inside;
    const closed = server.close();
    release();
    const response = await pending;
    t.deepEqual(await response.json(), { done: true });
    await closed;
  });
}
