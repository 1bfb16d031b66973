// The request log (server/http/request-log.ts): one line per request, its text
// `METHOD path status duration` and the same fields as properties with the
// request id the response carries; probes only at debug; a client's path
// cannot inject placeholders into the line.
import test from 'ava';
import { request } from 'node:http';
import { Router } from '@koa/router';
import { configure, type LogRecord } from '@logtape/logtape';
import { loadConfig } from '../../config/load.ts';
import { createHttpApp } from '../../server/http/app.ts';
import { listen } from '../../server/http/listen.ts';
import { requestLine } from '../../server/http/request-log.ts';
import { databaseTargets } from '../helpers/databases.ts';

const [sqlite] = (await databaseTargets()).filter((target) => target.name === 'sqlite');

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

/** What LogTape's formatters print as the message: its parts joined, values as text. */
const text = (record: LogRecord) => record.message.map(String).join('');

/** A GET with the path exactly as given (fetch would percent-encode braces). */
function rawGet(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; requestId: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request({ hostname, port, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, requestId: String(res.headers['x-request-id']) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test.serial('one line per request: its text, its fields, the id the response carries', async (t) => {
  const { db, dataDir } = await sqlite!.create(t, { migrate: false });
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir }, cwd: dataDir, persistSecret: false });
  const router = new Router();
  router.get('/things/:id', (ctx) => {
    ctx.body = { id: ctx.params.id };
  });
  const server = await listen(createHttpApp({ config, db, routers: [router] }), { port: 0, host: '127.0.0.1' });
  t.teardown(() => server.close());
  const linesFor = (requestId: string) => records.filter((record) => record.category.join('.') === 'viewfinder.http' && record.properties.requestId === requestId);

  const ok = await rawGet(server.url, '/things/7?access_token=secret');
  t.is(ok.status, 200);
  const [line, ...more] = linesFor(ok.requestId);
  t.deepEqual(more, []);
  t.is(line!.level, 'info');
  t.like(line!.properties, { method: 'GET', path: '/things/7', status: 200, requestId: ok.requestId });
  t.is(typeof line!.properties.durationMs, 'number');
  t.is(text(line!), `GET /things/7 200 ${line!.properties.durationMs}ms`);
  t.false(JSON.stringify(line).includes('secret'), 'the query string stays out of the log');

  // A sane incoming id is kept; anything else is replaced.
  t.is((await rawGet(server.url, '/things/8', { 'X-Request-Id': 'proxy-42.a:b' })).requestId, 'proxy-42.a:b');
  const replaced = await rawGet(server.url, '/things/9', { 'X-Request-Id': 'two words' });
  t.regex(replaced.requestId, /^[0-9a-f-]{36}$/);
  t.is(linesFor(replaced.requestId).length, 1);

  // Braces in the path are text, not placeholders for the line's own fields.
  const odd = await rawGet(server.url, '/a{requestId}b{{c}');
  t.is(odd.status, 404);
  const [oddLine] = linesFor(odd.requestId);
  t.is(text(oddLine!), `GET /a{requestId}b{{c} 404 ${oddLine!.properties.durationMs}ms`);
  t.is(oddLine!.properties.path, '/a{requestId}b{{c}');

  // Probes log at debug only.
  const probe = await rawGet(server.url, '/healthz');
  t.is(linesFor(probe.requestId)[0]!.level, 'debug');
});

test('requestLine doubles braces only where there are some', (t) => {
  t.is(requestLine('GET', '/api/v1/timelines/home', 200, 1.5), 'GET /api/v1/timelines/home 200 1.5ms');
  t.is(requestLine('POST', '/x{y}', 404, 0), 'POST /x{{y}} 404 0ms');
});
