import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseTargets } from '../helpers/databases.ts';
import { openDatabase } from '../../server/db/knex.ts';
import { ackJobs, claimJobs } from '../../server/db/jobs.repo.ts';
import { enqueue, enqueueMany } from '../../server/jobs/queue.ts';
import { JobRegistry } from '../../server/jobs/registry.ts';
import { createWorker } from '../../server/jobs/worker.ts';
import { listJobs, queueStats } from '../../server/jobs/admin.ts';

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await sleep(10);
  }
}

for (const target of await databaseTargets()) {
  test(`${target.name}: a job whose worker died runs again once its lease expires, exactly once`, async (t) => {
    const { db } = await target.create(t);
    await enqueue(db, 'deliver', { to: 'remote.example' });
    // The "killed" worker: claims with a short lease and never finishes.
    // A lease long enough that a loaded machine still checks within it.
    const [claimed] = await claimJobs(db, { types: ['deliver'], limit: 10, leaseMs: 1500, workerId: 'killed' });
    t.like(claimed, { state: 'running', attempts: 1, locked_by: 'killed' });

    let runs = 0;
    const registry = new JobRegistry();
    registry.register('deliver', async (_payload, ctx) => {
      runs += 1;
      t.is(ctx.attempt, 2);
    });
    const worker = createWorker({ db, registry, concurrency: 2, pollMs: 20, leaseMs: 300 });
    await worker.runUntilIdle();
    t.is(runs, 0, 'not taken while the lease holds');

    await sleep(claimed!.lease_until! - Date.now() + 20);
    await worker.runUntilIdle();
    t.is(runs, 1);
    await worker.runUntilIdle();
    t.is(runs, 1, 'and not again');
    t.deepEqual(await listJobs(db), []);
  });

  test(`${target.name}: a late acknowledgement from a worker that lost its lease deletes nothing`, async (t) => {
    const { db } = await target.create(t);
    await enqueue(db, 'deliver', {});
    const [first] = await claimJobs(db, { types: ['deliver'], limit: 1, leaseMs: 50, workerId: 'slow' });
    await sleep(80);
    const [second] = await claimJobs(db, { types: ['deliver'], limit: 1, leaseMs: 10_000, workerId: 'other' });
    t.is(second!.id, first!.id);

    t.is(await ackJobs(db, [{ id: first!.id, attempts: first!.attempts, lockedBy: 'slow' }]), 0);
    const [row] = await listJobs(db);
    t.like(row, { state: 'running', attempts: 2 });
    t.is(await ackJobs(db, [{ id: second!.id, attempts: second!.attempts, lockedBy: 'other' }]), 1);
    t.deepEqual(await listJobs(db), []);
  });

  test(`${target.name}: a job running longer than its lease keeps it (renewed) and runs once`, async (t) => {
    const { db } = await target.create(t);
    await enqueue(db, 'transcode', {});
    let runs = 0;
    const registry = new JobRegistry();
    registry.register('transcode', async () => {
      runs += 1;
      await sleep(1600); // outlives three leases
    });
    // Renewal runs every leaseMs/2: 250 ms of slack for timers on a loaded machine.
    const worker = createWorker({ db, registry, concurrency: 1, pollMs: 20, leaseMs: 500 });
    const thief = createWorker({ db, registry, concurrency: 1, pollMs: 20, leaseMs: 500, workerId: 'thief' });
    const running = worker.runUntilIdle();
    await until(() => runs === 1);
    for (let i = 0; i < 8; i++) {
      await sleep(180);
      await thief.runUntilIdle();
    }
    await running;
    t.is(runs, 1);
    t.deepEqual(await listJobs(db), []);
  });

  test(`${target.name}: two workers with their own connections never run the same job twice or at once`, async (t) => {
    const { db, config } = await target.create(t);
    const db2 = openDatabase(config, { poolMax: 4 });
    t.teardown(() => db2.destroy());
    const total = 300;
    await enqueueMany(
      db,
      Array.from({ length: total }, (_, i) => ({ type: 'fan-out', payload: { i } })),
    );

    const runs = new Map<number, number>();
    const active = new Set<number>();
    let overlaps = 0;
    const byWorker = { a: 0, b: 0 };
    const registryFor = (name: 'a' | 'b') => {
      const registry = new JobRegistry();
      registry.register<{ i: number }>('fan-out', async ({ i }) => {
        if (active.has(i)) overlaps += 1;
        active.add(i);
        await sleep(Math.random() * 4);
        active.delete(i);
        runs.set(i, (runs.get(i) ?? 0) + 1);
        byWorker[name] += 1;
      });
      return registry;
    };
    const a = createWorker({ db, registry: registryFor('a'), concurrency: 4, pollMs: 20, leaseMs: 2000, batchSize: 8, workerId: 'a' });
    const b = createWorker({ db: db2, registry: registryFor('b'), concurrency: 4, pollMs: 20, leaseMs: 2000, batchSize: 8, workerId: 'b' });
    a.start();
    b.start();
    await until(async () => runs.size === total && (await queueStats(db)).queued + (await queueStats(db)).running === 0);
    await Promise.all([a.stop(), b.stop()]);

    t.is(overlaps, 0);
    t.is(runs.size, total);
    t.true([...runs.values()].every((n) => n === 1), 'every job ran exactly once');
    t.true(byWorker.a > 0 && byWorker.b > 0, `both workers took part (a ${byWorker.a}, b ${byWorker.b})`);
  });

  test(`${target.name}: stop() signals running jobs and waits for them to finish`, async (t) => {
    const { db } = await target.create(t);
    await enqueue(db, 'slow', {});
    let started = false;
    let finished = false;
    let sawAbort = false;
    const registry = new JobRegistry();
    registry.register('slow', async (_payload, ctx) => {
      started = true;
      await sleep(200);
      sawAbort = ctx.signal.aborted;
      finished = true;
    });
    const worker = createWorker({ db, registry, concurrency: 2, pollMs: 20, leaseMs: 1000 });
    worker.start();
    await until(() => started);
    await worker.stop();
    t.true(finished, 'stop() resolved only after the job finished');
    t.true(sawAbort, 'the job was told to stop');
    t.deepEqual(await listJobs(db), [], 'and its success was recorded');

    await enqueue(db, 'slow', {});
    await sleep(60);
    t.is((await listJobs(db)).length, 1, 'a stopped worker claims nothing');
  });

  test(`${target.name}: a job that gives up because the worker stops is handed back without using an attempt`, async (t) => {
    const { db } = await target.create(t);
    await enqueue(db, 'cancellable', {}, { maxAttempts: 1 });
    let started = false;
    const registry = new JobRegistry();
    registry.register('cancellable', async (_payload, ctx) => {
      started = true;
      await sleep(5000, undefined, { signal: ctx.signal });
    });
    const worker = createWorker({ db, registry, concurrency: 1, pollMs: 20, leaseMs: 1000 });
    worker.start();
    await until(() => started);
    await worker.stop();
    const [job] = await listJobs(db);
    t.like(job, { state: 'queued', attempts: 0, leaseUntil: null });
  });
}
