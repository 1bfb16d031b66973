// Liveness and readiness probes against a real database (SQLite and Postgres).
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { databaseTargets, tempDir } from '../helpers/databases.ts';
import { loadConfig } from '../../config/load.ts';
import { openDatabase, type Db } from '../../server/db/knex.ts';
import { createHttpApp } from '../../server/http/app.ts';
import { listen } from '../../server/http/listen.ts';
import { enqueue } from '../../server/jobs/queue.ts';

interface Readiness {
  status: string;
  database: string;
  queue: { queued: number; running: number; dead: number; due: number; oldestDueAgeMs: number | null } | string | null;
}

async function start(t: ExecutionContext, db: Db, dataDir: string): Promise<string> {
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir }, cwd: dataDir, persistSecret: false });
  const server = await listen(createHttpApp({ config, db }), { port: 0, host: '127.0.0.1' });
  t.teardown(() => server.close());
  return server.url;
}

for (const target of await databaseTargets()) {
  test(`${target.name}: /healthz answers 200 JSON`, async (t) => {
    const { db, dataDir } = await target.create(t, { migrate: false });
    const url = await start(t, db, dataDir);
    const response = await fetch(`${url}/healthz`);
    t.is(response.status, 200);
    t.regex(response.headers.get('content-type') ?? '', /^application\/json/);
    t.deepEqual(await response.json(), { status: 'ok' });
    const head = await fetch(`${url}/healthz`, { method: 'HEAD' });
    t.is(head.status, 200);
    t.is(await head.text(), '');
  });

  test(`${target.name}: /readyz answers 200 with the database ok and queue stats`, async (t) => {
    const { db, dataDir } = await target.create(t);
    const url = await start(t, db, dataDir);
    const empty = await fetch(`${url}/readyz`);
    t.is(empty.status, 200);
    const ready = (await empty.json()) as Readiness;
    t.is(ready.status, 'ready');
    t.is(ready.database, 'ok');
    t.like(ready.queue, { queued: 0, running: 0, dead: 0, due: 0, oldestDueAgeMs: null });

    // The stats are read from the jobs table, not made up.
    await enqueue(db, 'test.noop', {});
    await enqueue(db, 'test.noop', {}, { delayMs: 3_600_000 });
    const busy = (await (await fetch(`${url}/readyz`)).json()) as Readiness;
    t.like(busy.queue, { queued: 2, due: 1 });
  });

  test(`${target.name}: /readyz answers 503 once the database is gone`, async (t) => {
    const { db, dataDir } = await target.create(t);
    const url = await start(t, db, dataDir);
    t.is((await fetch(`${url}/readyz`)).status, 200);
    await db.destroy();
    const response = await fetch(`${url}/readyz`);
    t.is(response.status, 503);
    t.regex(response.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await response.json()) as Readiness;
    t.is(body.status, 'unavailable');
    t.regex(body.database, /^error: \S/);
    t.is(body.queue, null);
    // Liveness does not depend on the database.
    t.is((await fetch(`${url}/healthz`)).status, 200);
  });
}

test('postgres client: /readyz answers 503 when the database refuses connections', async (t) => {
  const dataDir = tempDir(t);
  // Port 1 on loopback: nothing listens there, so connecting fails at once.
  const db = openDatabase({ client: 'pg', connectionString: 'postgres://postgres@127.0.0.1:1/none' }, { poolMax: 1 });
  t.teardown(() => db.destroy());
  const url = await start(t, db, dataDir);
  const response = await fetch(`${url}/readyz`);
  t.is(response.status, 503);
  const body = (await response.json()) as Readiness;
  t.is(body.status, 'unavailable');
  t.regex(body.database, /^error: .*ECONNREFUSED/);
});

test('postgres client: /readyz answers 503 in time when the database never answers', async (t) => {
  // A TCP peer that accepts and then says nothing, like a blackholed database.
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => sockets.add(socket));
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  const { port } = silent.address() as { port: number };
  const db = openDatabase({ client: 'pg', connectionString: `postgres://postgres@127.0.0.1:${port}/none` }, { poolMax: 1 });
  t.teardown(async () => {
    // Hang up first so the pending connection attempt fails and the pool can close.
    for (const socket of sockets) socket.destroy();
    silent.close();
    await db.destroy();
  });
  const url = await start(t, db, tempDir(t));
  const body = (await (await fetch(`${url}/readyz`)).json()) as Readiness;
  t.is(body.status, 'unavailable');
  t.regex(body.database, /^error: timed out/);
});
