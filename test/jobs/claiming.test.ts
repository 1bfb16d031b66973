// How the worker claims: more jobs than it has free slots (one claim per
// batch of short jobs), and what that must not cost: a job waiting on the
// network is not held up by a stream of jobs that never leave the CPU,
// claimed jobs that cannot start soon go back for other workers, and a
// stopping worker keeps none of them. Jobs its own handlers enqueue are
// claimed once committed, without waiting for the next poll.
import test from 'ava';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseTargets } from '../helpers/databases.ts';
import { openDatabase } from '../../server/db/knex.ts';
import { enqueue, enqueueMany } from '../../server/jobs/queue.ts';
import { JobRegistry } from '../../server/jobs/registry.ts';
import { createWorker } from '../../server/jobs/worker.ts';
import { listJobs } from '../../server/jobs/admin.ts';

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

for (const target of await databaseTargets()) {
  test(`${target.name}: a job waiting for a network answer finishes while a stream of database-only jobs is still running`, async (t) => {
    const { db } = await target.create(t);
    // The "remote server": answers at once, on loopback.
    const server = createServer((_req, res) => res.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    const total = 400;
    let busyDone = 0;
    let busyDoneWhenAnswered = -1;
    const registry = new JobRegistry();
    registry.register('deliver', async () => {
      await (await fetch(url)).text();
      busyDoneWhenAnswered = busyDone;
    });
    // Each one a few statements: on SQLite they resolve without ever waiting
    // for the event loop, which once kept the delivery's answer unread until
    // the last of them was done.
    registry.register<{ i: number }>('index', async ({ i }) => {
      for (let k = 0; k < 3; k++) await db('jobs').where('id', -i).first('id');
      busyDone += 1;
    });
    await enqueue(db, 'deliver', {}, { priority: 10 });
    await enqueueMany(
      db,
      Array.from({ length: total }, (_, i) => ({ type: 'index', payload: { i } })),
    );

    const worker = createWorker({ db, registry, concurrency: 4, pollMs: 20, leaseMs: 30_000 });
    worker.start();
    t.teardown(() => worker.stop());
    await until('every job to finish', async () => busyDone === total && busyDoneWhenAnswered >= 0 && (await listJobs(db)).length === 0);
    t.true(busyDoneWhenAnswered < total, `the delivery finished after ${busyDoneWhenAnswered} of ${total} other jobs`);
  });

  test(`${target.name}: jobs claimed beyond the free slots go back after holdMs and another worker runs them, their attempt not counted`, async (t) => {
    const { db, config } = await target.create(t);
    const db2 = openDatabase(config, { poolMax: 2 });
    t.teardown(() => db2.destroy());
    await enqueue(db, 'transcode', {}, { priority: 10 });
    await enqueueMany(
      db,
      Array.from({ length: 5 }, (_, i) => ({ type: 'thumbnail', payload: { i } })),
    );

    const ranBy: Record<string, number[]> = { a: [], b: [] };
    const attempts: number[] = [];
    const registryFor = (name: 'a' | 'b') => {
      const registry = new JobRegistry();
      // Holds a's only slot until b has done every thumbnail (or a generous
      // timeout, so a broken hand-back fails the test instead of hanging it).
      registry.register('transcode', async () => {
        await until('the thumbnails', () => ranBy.b.length === 5, 20_000).catch(() => {});
      });
      registry.register<{ i: number }>('thumbnail', async ({ i }, ctx) => {
        ranBy[name].push(i);
        attempts.push(ctx.attempt);
      });
      return registry;
    };
    const a = createWorker({ db, registry: registryFor('a'), concurrency: 1, batchSize: 8, holdMs: 200, pollMs: 20, leaseMs: 30_000, workerId: 'a' });
    a.start();
    t.teardown(() => a.stop());
    // a took everything: the transcode runs, the thumbnails wait in a's hands.
    await until('a to claim all six', async () => (await listJobs(db)).every((job) => job.state === 'running'));
    const b = createWorker({ db: db2, registry: registryFor('b'), concurrency: 2, pollMs: 20, leaseMs: 30_000, workerId: 'b' });
    b.start();
    t.teardown(() => b.stop());
    await until('b to run the thumbnails', () => ranBy.b.length === 5);
    await until('the queue to drain', async () => (await listJobs(db)).length === 0);
    t.deepEqual(ranBy.a, [], 'a ran none of the thumbnails it had to give back');
    t.deepEqual([...ranBy.b].sort(), [0, 1, 2, 3, 4]);
    t.deepEqual(attempts, [1, 1, 1, 1, 1], 'a hand-back is not an attempt');
  });

  test(`${target.name}: a stopping worker hands back the jobs it claimed but had not started`, async (t) => {
    const { db } = await target.create(t);
    await enqueue(db, 'slow', {}, { priority: 10 });
    await enqueueMany(
      db,
      Array.from({ length: 3 }, (_, i) => ({ type: 'quick', payload: { i } })),
    );
    let started = false;
    const quick: number[] = [];
    const registry = new JobRegistry();
    registry.register('slow', async (_payload, ctx) => {
      started = true;
      await sleep(10_000, undefined, { signal: ctx.signal }).catch(() => {});
    });
    registry.register<{ i: number }>('quick', async ({ i }) => {
      quick.push(i);
    });
    const worker = createWorker({ db, registry, concurrency: 1, batchSize: 8, holdMs: 10_000, pollMs: 20, leaseMs: 60_000 });
    worker.start();
    await until('the slow job to start', () => started);
    await until('the quick ones to be claimed', async () => (await listJobs(db)).every((job) => job.state === 'running'));
    await worker.stop();
    t.deepEqual(quick, [], 'none of them ran');
    const left = (await listJobs(db)).filter((job) => job.type === 'quick');
    t.is(left.length, 3);
    t.true(
      left.every((job) => job.state === 'queued' && job.attempts === 0 && job.leaseUntil === null),
      'queued again, as if never claimed',
    );
  });

  test(`${target.name}: a job enqueued by a running job starts once committed, long before the next poll; a rolled-back one never`, async (t) => {
    const { db } = await target.create(t);
    const ran: string[] = [];
    const registry = new JobRegistry();
    registry.register('publish', async () => {
      ran.push('publish');
      await db.transaction(async (trx) => {
        await enqueue(trx, 'deliver', { to: 'committed' });
      });
      await db
        .transaction(async (trx) => {
          await enqueue(trx, 'deliver', { to: 'rolled back' });
          throw new Error('the write failed');
        })
        .catch(() => {});
    });
    registry.register<{ to: string }>('deliver', async ({ to }) => {
      ran.push(to);
    });
    // A poll a minute apart: only the commit can bring the delivery in time.
    const worker = createWorker({ db, registry, concurrency: 2, pollMs: 60_000, leaseMs: 30_000 });
    await enqueue(db, 'publish', {});
    worker.start();
    t.teardown(() => worker.stop());
    await until('the delivery, acknowledged', async () => ran.includes('committed') && (await listJobs(db)).length === 0);
    t.deepEqual(ran, ['publish', 'committed']);
  });
}
