// createHttpApp tries a router only when one of its routes' literal prefixes
// fits the path (server/http/app.ts). That must never change an answer: for
// every route of every router `serve` mounts, under several spellings and
// methods, the app answers exactly as plain koa mounting of the same routers
// does (status, Allow), 404s, 405s, 501s and preflights included.
import test from 'ava';
import Koa from 'koa';
import { Router } from '@koa/router';
import { loadConfig } from '../../config/load.ts';
import { createHttpApp, routePrefixes } from '../../server/http/app.ts';
import { apiCors } from '../../server/http/cors.ts';
import type { ApiDeps } from '../../server/http/deps.ts';
import { errorHandler } from '../../server/http/error-handler.ts';
import { createHealthRouter } from '../../server/http/health.routes.ts';
import { listen } from '../../server/http/listen.ts';
import { createRateLimiter } from '../../server/http/rate-limit.ts';
import { createRouters } from '../../server/http/routes.ts';
import { databaseTargets } from '../helpers/databases.ts';

// Routing does not depend on the database: SQLite only.
const [sqlite] = (await databaseTargets()).filter((target) => target.name === 'sqlite');

test('route prefixes: literal text up to the first pattern character, lowercased, shortest kept', (t) => {
  const router = new Router();
  router.use(async (_ctx, next) => next());
  router.get('/api/v1/Timelines/home', () => {});
  router.get('/api/v1/timelines/tag/:hashtag', () => {});
  router.get('/api/v1/tags/:name', () => {});
  router.post('/api/v1/tags/:name/follow', () => {});
  router.get('/@:username{/:id}', () => {});
  t.deepEqual(routePrefixes(router), ['/@', '/api/v1/tags/', '/api/v1/timelines/home', '/api/v1/timelines/tag/']);
  const any = new Router();
  any.get('/:anything', () => {});
  t.deepEqual(routePrefixes(any), ['/'], 'a route with a parameter first: every path may match');
});

/** A concrete path for a route pattern: parameters filled, optional groups taken. */
function concrete(pattern: string): string {
  return pattern.replace(/[{}]/g, '').replace(/:[A-Za-z_]\w*/g, '1').replace(/\*[A-Za-z_]\w*/g, 'x/y');
}

test('every route answers as with plain koa mounting, whatever the spelling and method', async (t) => {
  const { db, dataDir, url } = await sqlite!.create(t);
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, DATABASE_URL: url, VIEWFINDER_RATE_LIMITS: 'off' }, cwd: dataDir, persistSecret: false });
  const rateLimiter = createRateLimiter(config);
  t.teardown(() => rateLimiter.close());
  const deps: ApiDeps = { config, db, rateLimiter, mailer: null };
  const routers = createRouters(deps);

  const reference = new Koa();
  reference.use(errorHandler());
  reference.use(apiCors());
  for (const router of [createHealthRouter({ db }), ...routers]) {
    reference.use(router.routes());
    reference.use(router.allowedMethods());
  }
  const servers = await Promise.all([createHttpApp({ config, db, routers, beforeBody: [apiCors()] }), reference].map((app) => listen(app, { port: 0, host: '127.0.0.1' })));
  t.teardown(() => Promise.all(servers.map((server) => server.close())));

  const paths = new Set(['/', '/nothing-here', '/api/v9/unknown', '/API/V1/TIMELINES/HOME', '/api/v1/timelines/home/', '/api/v1/timelines/home/extra', '/healthz', '/HEALTHZ']);
  for (const router of routers) {
    for (const layer of router.stack) {
      if (layer.methods.length === 0 || typeof layer.path !== 'string') continue;
      const path = concrete(layer.path);
      for (const spelling of [path, path.toUpperCase(), `${path}/`, `${path}/more`]) paths.add(spelling);
    }
  }
  t.true(paths.size > 100, `${paths.size} paths`);

  const answer = async (base: string, method: string, path: string) => {
    const response = await fetch(`${base}${path}`, { method, redirect: 'manual' });
    await response.arrayBuffer();
    return `${response.status} ${response.headers.get('allow') ?? '-'}`;
  };
  let compared = 0;
  for (const path of paths) {
    for (const method of ['GET', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND']) {
      const [ours, plain] = [await answer(servers[0]!.url, method, path), await answer(servers[1]!.url, method, path)];
      t.is(ours, plain, `${method} ${path}`);
      compared += 1;
    }
  }
  t.log(`${compared} requests compared`);
});
