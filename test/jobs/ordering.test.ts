// Ordering keys in claimJobs: a job with a key is claimed only once no earlier
// job of its key is left that is not dead, on both databases, and on Postgres
// also against a concurrent claimer that has locked the earlier job.
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseTargets } from '../helpers/databases.ts';
import { openDatabase, type Db } from '../../server/db/knex.ts';
import { ackJobs, buryJob, claimJobs, releaseJobs, rescheduleJob, type Claim, type JobRecord } from '../../server/db/jobs.repo.ts';
import { enqueue, enqueueMany, orderingKeyDigest } from '../../server/jobs/queue.ts';

const LEASE_MS = 600_000;

function claim(db: Db, workerId = 'me', options: { limit?: number; now?: number; leaseMs?: number } = {}): Promise<JobRecord[]> {
  return claimJobs(db, { types: ['deliver'], limit: options.limit ?? 20, leaseMs: options.leaseMs ?? LEASE_MS, workerId, now: options.now });
}

const names = (rows: JobRecord[]) => rows.map((row) => (JSON.parse(row.payload) as { name: string }).name).sort();
const claimOf = (row: JobRecord): Claim => ({ id: row.id, attempts: row.attempts, lockedBy: row.locked_by! });

for (const target of await databaseTargets()) {
  test(`${target.name}: a later job of a key is not claimed while an earlier one is queued (delayed or backing off), running or held elsewhere; a dead one no longer blocks`, async (t) => {
    const { db } = await target.create(t);
    const key = 'https://remote.example/users/bob/inbox';
    await enqueue(db, 'deliver', { name: 'a1' }, { orderingKey: key, delayMs: 60_000 });
    await enqueue(db, 'deliver', { name: 'a2' }, { orderingKey: key });
    await enqueue(db, 'deliver', { name: 'a3' }, { orderingKey: key });
    await enqueue(db, 'deliver', { name: 'b1' }, { orderingKey: 'https://other.example/inbox' });
    await enqueue(db, 'deliver', { name: 'plain' });

    t.deepEqual(names(await claim(db)), ['b1', 'plain'], 'a2 and a3 wait for the delayed a1; other keys and keyless jobs do not');

    const later = Date.now() + 61_000;
    const [a1, ...others] = await claim(db, 'other', { now: later });
    t.deepEqual(names([a1!, ...others]), ['a1'], 'once a1 is due, one claim takes a1 and nothing else of its key');
    t.deepEqual(await claim(db, 'me', { now: later }), [], 'a1 running (held by another worker) blocks a2');

    t.true(await rescheduleJob(db, claimOf(a1!), later + 60_000, 'remote down'));
    t.deepEqual(await claim(db, 'me', { now: later }), [], 'a1 backing off blocks a2');
    const runAts = await db('jobs').where('ordering_key', orderingKeyDigest(key)).orderBy('id').pluck('run_at');
    t.deepEqual(runAts.map(Number), [later + 60_000, later + 60_000, later + 60_000], 'its successors are due no earlier than its retry');

    const retried = await claim(db, 'other', { now: later + 60_000 });
    t.deepEqual(names(retried), ['a1'], 'once all are due, a1 is retried and its successors still wait');
    t.is(await releaseJobs(db, [claimOf(retried[0]!)]), 1);
    const [last, ...rest] = await claim(db, 'other', { now: later + 60_000 });
    t.deepEqual(names([last!, ...rest]), ['a1'], 'handed back, a1 keeps its place ahead of a2');

    t.true(await buryJob(db, claimOf(last!), 'gave up'));
    const next = await claim(db, 'me', { now: later + 60_000 });
    t.deepEqual(names(next), ['a2'], 'a dead a1 no longer blocks; a3 still waits for a2');
    t.is(await ackJobs(db, next.map(claimOf)), 1);
    t.deepEqual(names(await claim(db, 'me', { now: later + 60_000 })), ['a3'], 'a2 finished: a3 is next');
  });

  test(`${target.name}: one claim takes only the first job of each key, and a key's jobs are claimed in enqueue order`, async (t) => {
    const { db } = await target.create(t);
    const jobs = [];
    for (let n = 0; n < 4; n++) {
      for (const key of ['k1', 'k2', 'k3']) jobs.push({ type: 'deliver', payload: { name: `${key}-${n}` }, options: { orderingKey: key } });
      jobs.push({ type: 'deliver', payload: { name: `plain-${n}` } });
    }
    await enqueueMany(db, jobs);
    const stored = await db('jobs').where('payload', 'like', '%k1-0%').first('ordering_key');
    t.is(stored.ordering_key, orderingKeyDigest('k1'), 'the key is stored as its digest');
    t.is(stored.ordering_key.length, 43);

    const rounds: string[][] = [];
    for (let round = 0; round < 4; round++) {
      const rows = await claim(db, 'me', { limit: 100 });
      rounds.push(names(rows));
      await ackJobs(db, rows.map(claimOf));
    }
    t.deepEqual(rounds[0], ['k1-0', 'k2-0', 'k3-0', 'plain-0', 'plain-1', 'plain-2', 'plain-3']);
    for (let n = 1; n < 4; n++) t.deepEqual(rounds[n], [`k1-${n}`, `k2-${n}`, `k3-${n}`]);
    t.deepEqual(await claim(db), []);
  });

  test(`${target.name}: an expired lease is claimed again before the later jobs of its key`, async (t) => {
    const { db } = await target.create(t);
    await enqueueMany(db, [
      { type: 'deliver', payload: { name: 'first' }, options: { orderingKey: 'k' } },
      { type: 'deliver', payload: { name: 'second' }, options: { orderingKey: 'k' } },
    ]);
    t.deepEqual(names(await claim(db, 'dies', { leaseMs: 50 })), ['first']);
    await sleep(80);
    t.deepEqual(names(await claim(db)), ['first'], 'the expired first one again, not the second');
  });

  if (target.name !== 'postgres') continue;

  test(`${target.name}: a job locked by a claimer still in its transaction keeps the later ones of its key back (SKIP LOCKED skips it, NOT EXISTS still sees it)`, async (t) => {
    const { db, config } = await target.create(t);
    const other = openDatabase(config, { poolMax: 1 });
    t.teardown(() => other.destroy());
    await enqueueMany(db, [
      { type: 'deliver', payload: { name: 'k-1' }, options: { orderingKey: 'k' } },
      { type: 'deliver', payload: { name: 'k-2' }, options: { orderingKey: 'k' } },
      { type: 'deliver', payload: { name: 'plain' } },
    ]);
    const first = await db('jobs').where('payload', 'like', '%k-1%').first('id');
    let unlock = () => {};
    const unlocked = new Promise<void>((resolve) => (unlock = resolve));
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = other.transaction(async (tx) => {
      await tx('jobs').where('id', first.id).forUpdate().first('id');
      locked();
      await unlocked;
    });
    await isLocked;
    try {
      t.deepEqual(names(await claim(db)), ['plain'], 'k-1 is skipped as locked, k-2 is not taken in its place');
    } finally {
      unlock();
      await holder;
    }
    t.deepEqual(names(await claim(db)), ['k-1']);
  });

  test(`${target.name}: two claimers on two connections, in parallel, never hold two jobs of one key at once`, async (t) => {
    t.timeout(60_000);
    const { db, config } = await target.create(t);
    const second = openDatabase(config, { poolMax: 2 });
    t.teardown(() => second.destroy());
    const keys = 6;
    const perKey = 20;
    const jobs = [];
    for (let n = 0; n < perKey; n++) for (let k = 0; k < keys; k++) jobs.push({ type: 'deliver', payload: { name: `${k}:${n}` }, options: { orderingKey: `key-${k}` } });
    await enqueueMany(db, jobs);

    const held = new Map<number, string>();
    const seen = new Map<number, number[]>();
    const violations: string[] = [];
    let done = 0;
    async function claimer(conn: Db, workerId: string): Promise<void> {
      const deadline = Date.now() + 45_000;
      while (done < keys * perKey && Date.now() < deadline) {
        const rows = await claim(conn, workerId, { limit: 4 });
        for (const row of rows) {
          const [k, n] = (JSON.parse(row.payload) as { name: string }).name.split(':').map(Number) as [number, number];
          const holder = held.get(k);
          if (holder !== undefined) violations.push(`key ${k}: ${workerId} claimed ${n} while ${holder} held one`);
          held.set(k, workerId);
          seen.set(k, [...(seen.get(k) ?? []), n]);
        }
        if (rows.length === 0) {
          await sleep(1);
          continue;
        }
        await sleep(Math.random() * 3);
        // Forget them before the ack commits: the other claimer cannot see them gone any sooner.
        for (const row of rows) held.delete(Number((JSON.parse(row.payload) as { name: string }).name.split(':')[0]));
        const acked = await ackJobs(conn, rows.map(claimOf));
        done += acked;
      }
    }
    await Promise.all([claimer(db, 'a'), claimer(second, 'b')]);
    t.deepEqual(violations, []);
    t.is(done, keys * perKey, 'every job ran');
    for (let k = 0; k < keys; k++) t.deepEqual(seen.get(k), Array.from({ length: perKey }, (_, n) => n), `key ${k} in order`);
  });
}
