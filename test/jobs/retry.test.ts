import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseTargets } from '../helpers/databases.ts';
import { enqueue } from '../../server/jobs/queue.ts';
import { JobRegistry } from '../../server/jobs/registry.ts';
import { createWorker } from '../../server/jobs/worker.ts';
import { listJobs, purgeDeadJobs, queueStats, retryJobs } from '../../server/jobs/admin.ts';
import { backoffDelay } from '../../server/jobs/backoff.ts';

const targets = await databaseTargets();

test('backoff doubles per attempt within equal-jitter bounds and stops at the cap', (t) => {
  const options = { baseMs: 1000, maxMs: 10_000 };
  t.is(backoffDelay(1, options, () => 0), 500);
  t.is(backoffDelay(1, options, () => 0.5), 750);
  t.is(backoffDelay(3, options, () => 0), 2000);
  t.is(backoffDelay(4, options, () => 0.5), 6000);
  t.is(backoffDelay(5, options, () => 0.5), 7500);
  t.is(backoffDelay(500, options, () => 0), 5000);
  t.is(backoffDelay(1, {}, () => 0), 500, 'default base 1 s');
  t.is(backoffDelay(60, {}, () => 0.5), 2_700_000, 'default cap 1 h');
});

for (const target of targets) {
  test(`${target.name}: a failing job is retried with growing delays, ends dead with its error, and runs again after retryJobs`, async (t) => {
    const { db } = await target.create(t);
    const id = await enqueue(db, 'flaky', { url: 'https://down.example/inbox' }, { dedupeKey: 'flaky:1' });

    let healthy = false;
    const attempts: number[] = [];
    const registry = new JobRegistry();
    registry.register('flaky', {
      maxAttempts: 4,
      // Long enough that the next attempt is never due within one runUntilIdle on a loaded machine.
      backoffBaseMs: 400,
      backoffMaxMs: 10_000,
      handler: async (_payload, ctx) => {
        attempts.push(ctx.attempt);
        t.is(ctx.maxAttempts, 4);
        if (!healthy) throw new Error(`connection refused (attempt ${ctx.attempt})`);
      },
    });
    const worker = createWorker({ db, registry, concurrency: 1, pollMs: 20, leaseMs: 300 });

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      await worker.runUntilIdle();
      const row = await db('jobs').where({ id }).first();
      t.is(row.attempts, attempt);
      if (attempt < 4) {
        t.is(row.state, 'queued');
        t.is(row.last_error, `Error: connection refused (attempt ${attempt})`);
        delays.push(row.run_at - row.updated_at);
        await sleep(row.run_at - Date.now() + 5);
      }
    }
    t.deepEqual(attempts, [1, 2, 3, 4]);
    t.true(delays[0]! >= 200 && delays[0]! <= 400, `first delay ${delays[0]}`);
    t.true(delays[1]! > delays[0]! && delays[2]! > delays[1]!, `delays grow: ${delays.join(', ')}`);

    const [dead] = await listJobs(db, { state: 'dead' });
    t.like(dead, { id: id!, state: 'dead', attempts: 4, lastError: 'Error: connection refused (attempt 4)' });
    t.like(await queueStats(db), { dead: 1, queued: 0, due: 0, oldestDueAgeMs: null });
    t.is(typeof (await enqueue(db, 'flaky', {}, { dedupeKey: 'flaky:1' })), 'number', 'a dead job frees its dedupe key');
    await db('jobs').where({ state: 'queued' }).delete();

    healthy = true;
    t.is(await retryJobs(db, { ids: [id!] }), 1);
    t.like((await listJobs(db))[0], { state: 'queued', attempts: 0 });
    await worker.runUntilIdle();
    t.deepEqual(attempts, [1, 2, 3, 4, 1]);
    t.deepEqual(await listJobs(db), []);
  });

  test(`${target.name}: a long error message is stored truncated`, async (t) => {
    const { db } = await target.create(t);
    await enqueue(db, 'noisy', {}, { maxAttempts: 1 });
    const registry = new JobRegistry();
    registry.register('noisy', async () => {
      throw new Error('x'.repeat(10_000));
    });
    await createWorker({ db, registry, concurrency: 1, pollMs: 20, leaseMs: 300 }).runUntilIdle();
    const [dead] = await listJobs(db, { state: 'dead' });
    t.is(dead!.lastError!.length, 2000);
    t.true(dead!.lastError!.startsWith('Error: xxx'));
  });

  test(`${target.name}: queueStats counts states and the age of the oldest due job; retry and purge act on dead jobs`, async (t) => {
    const { db } = await target.create(t);
    const now = Date.now();
    await enqueue(db, 'a', {}, { runAt: now - 5000 });
    await enqueue(db, 'a', {}, { runAt: now - 1000 });
    await enqueue(db, 'a', {}, { delayMs: 60_000 });
    const deadIds: number[] = [];
    for (const diedAt of [now - 40 * 86_400_000, now - 1000]) {
      const id = (await enqueue(db, 'b', {}))!;
      await db('jobs').where({ id }).update({ state: 'dead', attempts: 10, updated_at: diedAt });
      deadIds.push(id);
    }

    const stats = await queueStats(db);
    t.like(stats, { queued: 3, running: 0, dead: 2, due: 2 });
    t.true(stats.oldestDueAgeMs! >= 5000 && stats.oldestDueAgeMs! < 15_000, `oldestDueAgeMs ${stats.oldestDueAgeMs}`);
    t.deepEqual((await listJobs(db, { type: 'b' })).map((job) => job.id).sort(), [...deadIds].sort());
    t.is((await listJobs(db, { state: 'queued', limit: 2 })).length, 2);

    t.is(await purgeDeadJobs(db, { olderThanMs: 30 * 86_400_000 }), 1, 'only the job dead for 40 days');
    t.is(await retryJobs(db, { allDead: true }), 1);
    t.is(await retryJobs(db, {}), 0, 'nothing selected, nothing retried');
    t.like(await queueStats(db), { queued: 4, dead: 0, due: 3 });
    t.is(await purgeDeadJobs(db), 0);
  });
}

for (const target of await databaseTargets()) {
  test(`${target.name}: a job's own maxAttempts beats its type's, which beats the default`, async (t) => {
    const { db } = await target.create(t);
    const registry = new JobRegistry();
    const seen: Record<string, number[]> = { own: [], typed: [] };
    registry.register<{ tag: 'own' | 'typed' }>('limited', {
      maxAttempts: 3,
      backoffBaseMs: 1,
      backoffMaxMs: 1,
      handler: async ({ tag }, ctx) => {
        seen[tag]!.push(ctx.maxAttempts);
        throw new Error('always fails');
      },
    });
    await enqueue(db, 'limited', { tag: 'own' }, { maxAttempts: 1 });
    await enqueue(db, 'limited', { tag: 'typed' });
    const worker = createWorker({ db, registry, concurrency: 2, pollMs: 5, leaseMs: 5000 });
    for (let i = 0; i < 50 && (await listJobs(db, { state: 'dead' })).length < 2; i++) {
      await worker.runUntilIdle();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await worker.stop();
    t.deepEqual(seen.own, [1]);
    t.deepEqual(seen.typed, [3, 3, 3]);
  });
}
