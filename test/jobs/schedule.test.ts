import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseTargets } from '../helpers/databases.ts';
import { openDatabase } from '../../server/db/knex.ts';
import { enqueue } from '../../server/jobs/queue.ts';
import { JobRegistry } from '../../server/jobs/registry.ts';
import { createWorker } from '../../server/jobs/worker.ts';
import { listJobs } from '../../server/jobs/admin.ts';
import { periodicJobs, registerMaintenanceJobs, startScheduler } from '../../server/jobs/schedule.ts';

async function until(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await sleep(20);
  }
}

const targets = await databaseTargets();

test('the periodic jobs include the maintenance jobs, each with a valid schedule', (t) => {
  const names = periodicJobs.map((job) => job.name);
  for (const name of ['db.checkpoint', 'jobs.purge-old-dead', 'kv.expire']) t.true(names.includes(name), name);
  t.is(new Set(names).size, names.length, 'names are unique');
  t.throws(() => startScheduler(null as never, [{ name: 'broken', cron: 'every minute', type: 'x' }]), { message: /broken "every minute"/ });
});

for (const target of targets) {
  test(`${target.name}: schedulers in two processes enqueue one job per pending tick`, async (t) => {
    const { db, config } = await target.create(t);
    const db2 = openDatabase(config, { poolMax: 2 });
    t.teardown(() => db2.destroy());
    const every = [{ name: 'tick', cron: '* * * * * *', type: 'tick', payload: { from: 'cron' } }];
    const schedulers = [startScheduler(db, every), startScheduler(db2, every)];
    t.teardown(() => schedulers.forEach((s) => s.stop()));

    await until(async () => (await listJobs(db)).length > 0);
    await sleep(1100); // both schedulers tick again while the job is pending
    const pending = await listJobs(db);
    t.is(pending.length, 1);
    t.like(pending[0], { type: 'tick', payload: { from: 'cron' } });
    t.is((await db('jobs').first('dedupe_key')).dedupe_key, 'cron:tick');

    let runs = 0;
    const registry = new JobRegistry();
    registry.register('tick', async () => {
      runs += 1;
    });
    await createWorker({ db, registry, concurrency: 1, pollMs: 20, leaseMs: 300 }).runUntilIdle();
    t.is(runs, 1);
    await until(async () => (await listJobs(db)).length > 0);
    t.pass('the next tick enqueues again once the job has run');
  });

  test(`${target.name}: maintenance jobs checkpoint the database and purge jobs dead for over 30 days`, async (t) => {
    const { db } = await target.create(t);
    const now = Date.now();
    const oldDead = (await enqueue(db, 'gone', {}))!;
    const newDead = (await enqueue(db, 'gone', {}))!;
    await db('jobs').where({ id: oldDead }).update({ state: 'dead', updated_at: now - 31 * 86_400_000 });
    await db('jobs').where({ id: newDead }).update({ state: 'dead', updated_at: now - 29 * 86_400_000 });
    await enqueue(db, 'db.checkpoint', null);
    await enqueue(db, 'jobs.purge-old-dead', null);

    const registry = new JobRegistry();
    registerMaintenanceJobs(registry, db);
    await createWorker({ db, registry, concurrency: 2, pollMs: 20, leaseMs: 300 }).runUntilIdle();
    t.deepEqual(
      (await listJobs(db)).map((job) => [job.id, job.state]),
      [[newDead, 'dead']],
      'both maintenance jobs succeeded and only the old dead job is gone',
    );
  });
}
