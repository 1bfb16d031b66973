// `viewfinder jobs …` run as a child process on a dead job made the real way:
// enqueued through the queue, failed by a worker on its last attempt.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { cliFor } from '../helpers/cli.ts';
import { enqueue } from '../../server/jobs/queue.ts';
import { JobRegistry } from '../../server/jobs/registry.ts';
import { createWorker } from '../../server/jobs/worker.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: jobs list shows a dead job, retry requeues it, purge-dead deletes it`, async (t) => {
    const database = await target.create(t);
    const { db } = database;
    const cli = cliFor(database);
    const registry = new JobRegistry();
    registry.register('test.explode', async () => {
      throw new Error('the remote server is gone');
    });
    const worker = createWorker({ db, registry, concurrency: 1, pollMs: 20, leaseMs: 5000 });
    const id = (await enqueue(db, 'test.explode', { n: 1 }, { maxAttempts: 1 }))!;
    const laterId = (await enqueue(db, 'test.later', {}, { delayMs: 3600_000 }))!;
    await worker.runUntilIdle();

    const dead = await cli('jobs', 'list', '--state', 'dead');
    t.is(dead.code, 0, dead.stderr);
    const [header, ...rows] = dead.stdout.trim().split('\n');
    t.regex(header!, /^id\s+type\s+state\s+attempts/);
    t.is(rows.length, 1, 'only the dead job');
    t.regex(rows[0]!, new RegExp(`^${id}\\s+test\\.explode\\s+dead\\s+1/1 .*the remote server is gone`));

    const retry = await cli('jobs', 'retry', String(id), String(laterId));
    t.is(retry.code, 0, retry.stderr);
    t.regex(retry.stdout, /Requeued 1 job\(s\)/);
    t.regex(retry.stderr, /1 of the given id\(s\) were not dead/);
    t.like(await db('jobs').where({ id }).first(), { state: 'queued', attempts: 0 });

    await worker.runUntilIdle();
    t.is((await db('jobs').where({ id }).first()).state, 'dead', 'dead again after its one attempt');
    const [recent, all] = [await cli('jobs', 'purge-dead', '--older-than-days', '1'), await cli('jobs', 'purge-dead')];
    t.regex(recent.stdout, /Deleted 0 dead job\(s\)/, 'a job dead for seconds is not a day old');
    t.regex(all.stdout, /Deleted 1 dead job\(s\)/);
    t.deepEqual(await db('jobs').pluck('id'), [laterId], 'the queued job is untouched');
  });
}
