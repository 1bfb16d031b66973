import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { enqueue, enqueueMany } from '../../server/jobs/queue.ts';
import { JobRegistry } from '../../server/jobs/registry.ts';
import { createWorker } from '../../server/jobs/worker.ts';
import { listJobs } from '../../server/jobs/admin.ts';

const fast = { concurrency: 4, pollMs: 20, leaseMs: 300 };

for (const target of await databaseTargets()) {
  test(`${target.name}: a job enqueued in a rolled-back transaction never runs; a committed one runs once`, async (t) => {
    const { db } = await target.create(t);
    await t.throwsAsync(
      db.transaction(async (trx) => {
        await enqueue(trx, 'note', { which: 'rolled back' });
        throw new Error('the write failed');
      }),
      { message: 'the write failed' },
    );
    await db.transaction(async (trx) => {
      await enqueue(trx, 'note', { which: 'committed' });
    });

    const ran: string[] = [];
    const registry = new JobRegistry();
    registry.register<{ which: string }>('note', async (payload) => {
      ran.push(payload.which);
    });
    const worker = createWorker({ db, registry, ...fast });
    await worker.runUntilIdle();
    await worker.runUntilIdle();
    t.deepEqual(ran, ['committed']);
    t.deepEqual(await listJobs(db), [], 'the finished job is deleted');
  });

  test(`${target.name}: dedupeKey allows one unfinished job per key, and the key is free again once it ends`, async (t) => {
    const { db } = await target.create(t);
    const first = await enqueue(db, 'fetch', { n: 1 }, { dedupeKey: 'fetch:alice' });
    t.is(typeof first, 'number');
    t.is(await enqueue(db, 'fetch', { n: 2 }, { dedupeKey: 'fetch:alice' }), null);
    await db.transaction(async (trx) => {
      t.is(await enqueue(trx, 'fetch', { n: 3 }, { dedupeKey: 'fetch:alice' }), null, 'also inside a transaction');
      t.is(typeof (await enqueue(trx, 'fetch', { n: 4 }, { dedupeKey: 'fetch:bob' })), 'number');
    });
    await enqueueMany(db, [
      { type: 'fetch', payload: { n: 5 }, options: { dedupeKey: 'fetch:alice' } },
      { type: 'fetch', payload: { n: 6 }, options: { dedupeKey: 'fetch:carol' } },
      { type: 'fetch', payload: { n: 7 }, options: { dedupeKey: 'fetch:carol' } },
      { type: 'fetch', payload: { n: 8 } },
    ]);

    const ran: number[] = [];
    const registry = new JobRegistry();
    registry.register<{ n: number }>('fetch', async (payload) => {
      ran.push(payload.n);
    });
    const worker = createWorker({ db, registry, ...fast });
    await worker.runUntilIdle();
    t.deepEqual(ran.sort(), [1, 4, 6, 8]);

    t.is(typeof (await enqueue(db, 'fetch', { n: 9 }, { dedupeKey: 'fetch:alice' })), 'number', 'key reusable after success');
  });

  test(`${target.name}: higher priority runs first, then earlier run_at`, async (t) => {
    const { db } = await target.create(t);
    const now = Date.now();
    await enqueue(db, 'step', 'late normal', { runAt: now - 1000 });
    await enqueue(db, 'step', 'early normal', { runAt: now - 2000 });
    await enqueue(db, 'step', 'urgent', { priority: 10 });
    await enqueue(db, 'step', 'background', { priority: -5, runAt: now - 5000 });
    await enqueue(db, 'step', 'future', { delayMs: 60_000, priority: 100 });

    const order: string[] = [];
    const registry = new JobRegistry();
    registry.register<string>('step', async (payload) => {
      order.push(payload);
    });
    const worker = createWorker({ db, registry, ...fast, concurrency: 1 });
    await worker.runUntilIdle();
    t.deepEqual(order, ['urgent', 'early normal', 'late normal', 'background']);
    const left = await listJobs(db);
    t.deepEqual(
      left.map((job) => [job.payload, job.state, job.attempts]),
      [['future', 'queued', 0]],
      'a job due later is left for later',
    );
  });

  test(`${target.name}: a worker leaves job types it has no handler for alone`, async (t) => {
    const { db } = await target.create(t);
    await enqueue(db, 'media.process', { mediaId: 1 });
    await enqueue(db, 'known', {});
    let known = 0;
    const registry = new JobRegistry();
    registry.register('known', async () => {
      known += 1;
    });
    const worker = createWorker({ db, registry, ...fast });
    await worker.runUntilIdle();
    t.is(known, 1);
    const [left] = await listJobs(db);
    t.like(left, { type: 'media.process', state: 'queued', attempts: 0, payload: { mediaId: 1 } });
  });

  test(`${target.name}: enqueue rejects malformed options`, async (t) => {
    const { db } = await target.create(t);
    await t.throwsAsync(enqueue(db, '', {}), { instanceOf: RangeError });
    await t.throwsAsync(enqueue(db, 'x', {}, { priority: 1.5 }), { instanceOf: RangeError });
    await t.throwsAsync(enqueue(db, 'x', {}, { maxAttempts: 0 }), { instanceOf: RangeError });
    t.deepEqual(await listJobs(db), []);
  });
}
