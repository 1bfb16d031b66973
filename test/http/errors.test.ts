// Error responses and body handling of the koa app, over a real socket:
// every failure a client can see is Mastodon's JSON `{"error": ...}`, internal
// causes stay in the log, and raw-body middleware (Fedify) gets the untouched stream.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type Koa from 'koa';
import { Router } from '@koa/router';
import { configure, type LogRecord } from '@logtape/logtape';
import { buffer } from 'node:stream/consumers';
import { databaseTargets, type DatabaseTarget } from '../helpers/databases.ts';
import { loadConfig } from '../../config/load.ts';
import { createHttpApp } from '../../server/http/app.ts';
import { listen } from '../../server/http/listen.ts';
import { AppError, unprocessable } from '../../server/errors.ts';

const BODY_LIMIT = 2048;
const SECRET = 'connection to db-7.internal failed with password hunter2';

// Declared before any test: ava wants all tests declared in one go.
const targets = await databaseTargets();

// The 500 test checks that the cause reaches the log; capture what is logged.
const records: LogRecord[] = [];
test.before(async () => {
  await configure({
    reset: true,
    sinks: { capture: (record) => records.push(record) },
    loggers: [
      { category: ['viewfinder'], lowestLevel: 'debug', sinks: ['capture'] },
      { category: ['logtape', 'meta'], lowestLevel: 'warning', sinks: ['capture'] },
    ],
  });
});

function testRouter(): Router {
  const router = new Router();
  router.get('/boom', () => {
    throw new Error(SECRET);
  });
  router.get('/not-an-error', () => {
    throw { reason: SECRET };
  });
  router.get('/unprocessable', () => {
    throw new AppError(422, 'msg');
  });
  router.get('/validation', (ctx) => {
    ctx.type = 'text/html';
    throw unprocessable('Validation failed: Username is taken', { username: [{ error: 'ERR_TAKEN', description: 'is taken' }] });
  });
  router.get('/only-get', (ctx) => {
    ctx.body = { ok: true };
  });
  router.post('/echo', (ctx) => {
    ctx.body = { received: ctx.request.body ?? null };
  });
  return router;
}

// Stands in for Fedify: it must see the request exactly as the client sent it.
const rawEcho: Koa.Middleware = async (ctx, next) => {
  if (ctx.path !== '/raw') return next();
  const raw = await buffer(ctx.req);
  ctx.type = 'application/octet-stream';
  ctx.body = raw;
};

async function start(t: ExecutionContext, target: DatabaseTarget) {
  const { db, dataDir } = await target.create(t, { migrate: false });
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, VIEWFINDER_BODY_LIMIT_BYTES: String(BODY_LIMIT) }, cwd: dataDir, persistSecret: false });
  const server = await listen(createHttpApp({ config, db, routers: [testRouter()], beforeBody: [rawEcho] }), { port: 0, host: '127.0.0.1' });
  t.teardown(() => server.close());
  return server.url;
}

async function expectJsonError(t: ExecutionContext, response: Response, status: number): Promise<Record<string, unknown>> {
  t.is(response.status, status);
  t.regex(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = (await response.json()) as Record<string, unknown>;
  t.is(typeof body.error, 'string');
  return body;
}

const postJson = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

for (const target of targets) {
  test(`${target.name}: an unknown route is a JSON 404`, async (t) => {
    const url = await start(t, target);
    const body = await expectJsonError(t, await fetch(`${url}/api/v1/nothing-here?access_token=x`), 404);
    t.deepEqual(body, { error: 'Not Found' });
  });

  test(`${target.name}: a thrown Error is a bare JSON 500 and its cause is only logged`, async (t) => {
    const url = await start(t, target);
    const response = await fetch(`${url}/boom`);
    t.is(response.status, 500);
    t.regex(response.headers.get('content-type') ?? '', /^application\/json/);
    const text = await response.text();
    t.is(text, '{"error":"Internal server error"}');
    t.false(text.includes('hunter2'));
    t.false(/\bat \S+|\.ts:\d+/.test(text), 'no stack trace in the body');

    const requestId = response.headers.get('x-request-id');
    const logged = records.find((record) => record.level === 'error' && record.properties.requestId === requestId);
    t.truthy(logged, 'the error is logged with the request id');
    const cause = logged?.properties.error as Error;
    t.is(cause.message, SECRET);
    t.regex(cause.stack ?? '', /errors\.test\.ts/);
  });

  test(`${target.name}: a thrown non-Error value is a JSON 500 too`, async (t) => {
    const url = await start(t, target);
    const response = await fetch(`${url}/not-an-error`);
    t.is(response.status, 500);
    t.is(await response.text(), '{"error":"Internal server error"}');
  });

  test(`${target.name}: an AppError gives its status and public message`, async (t) => {
    const url = await start(t, target);
    t.deepEqual(await expectJsonError(t, await fetch(`${url}/unprocessable`), 422), { error: 'msg' });
    // details travel along, and a content type set before the throw does not leak into the error
    t.deepEqual(await expectJsonError(t, await fetch(`${url}/validation`), 422), {
      error: 'Validation failed: Username is taken',
      details: { username: [{ error: 'ERR_TAKEN', description: 'is taken' }] },
    });
  });

  test(`${target.name}: a known path with the wrong method is a JSON 405 with Allow`, async (t) => {
    const url = await start(t, target);
    const response = await fetch(`${url}/only-get`, { method: 'DELETE' });
    await expectJsonError(t, response, 405);
    t.regex(response.headers.get('allow') ?? '', /GET/);
  });

  test(`${target.name}: JSON and urlencoded bodies are parsed`, async (t) => {
    const url = await start(t, target);
    const json = await postJson(`${url}/echo`, JSON.stringify({ status: 'hello', media_ids: ['1'] }));
    t.deepEqual(await json.json(), { received: { status: 'hello', media_ids: ['1'] } });
    const form = await fetch(`${url}/echo`, { method: 'POST', body: new URLSearchParams({ status: 'hi there', visibility: 'public' }) });
    t.deepEqual(await form.json(), { received: { status: 'hi there', visibility: 'public' } });
  });

  test(`${target.name}: a body above the limit is a JSON 413`, async (t) => {
    const url = await start(t, target);
    const big = JSON.stringify({ status: 'x'.repeat(BODY_LIMIT) });
    const body = await expectJsonError(t, await postJson(`${url}/echo`, big), 413);
    t.regex(body.error as string, new RegExp(String(BODY_LIMIT)));
    // the limit is not off by a mile: a body just under it goes through
    const fits = JSON.stringify({ status: 'x'.repeat(BODY_LIMIT - 100) });
    t.is((await postJson(`${url}/echo`, fits)).status, 200);
  });

  test(`${target.name}: malformed JSON is a JSON 400 that does not quote the body`, async (t) => {
    const url = await start(t, target);
    const body = await expectJsonError(t, await postJson(`${url}/echo`, '{"status": "secret-draft'), 400);
    t.false((body.error as string).includes('secret-draft'));
  });

  test(`${target.name}: beforeBody middleware reads the raw request body unconsumed`, async (t) => {
    const url = await start(t, target);
    // Not valid JSON: had the body parser run first, this would be a 400.
    const sent = '{"type":"Create", "signed": true, trailing garbage';
    const response = await postJson(`${url}/raw`, sent);
    t.is(response.status, 200);
    t.is(await response.text(), sent);
    // and a body above the parser's limit is the middleware's business too
    const large = 'y'.repeat(BODY_LIMIT * 3);
    t.is(await (await postJson(`${url}/raw`, large)).text(), large);
  });
}
