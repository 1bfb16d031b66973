import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Temporal } from '@js-temporal/polyfill';
import { createFederation, generateCryptoKeyPair } from '@fedify/fedify';
import { Create, Note } from '@fedify/vocab';
import { testMessageQueue } from '@fedify/testing';
import { databaseTargets } from '../helpers/databases.ts';
import { createKvStore } from '../../federation/kv-store.ts';
import { createMessageQueue, type DbMessageQueue } from '../../federation/message-queue.ts';
import { openDatabase, type Db } from '../../server/db/knex.ts';
import { newId } from '../../server/db/ids.ts';
import * as orderingMigration from '../../migrations/20261202000700_job_ordering.ts';
import { listJobs } from '../../server/jobs/admin.ts';
import { JobRegistry } from '../../server/jobs/registry.ts';
import { createWorker, type Worker } from '../../server/jobs/worker.ts';

const fast = { concurrency: 4, pollMs: 20, leaseMs: 5000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Fedify hands us polyfilled Temporal durations; tests use the same.
const ms = (milliseconds: number) => Temporal.Duration.from({ milliseconds }) as unknown as globalThis.Temporal.Duration;

function worker(t: ExecutionContext, db: Db, registry: JobRegistry): Worker {
  const w = createWorker({ db, registry, ...fast });
  t.teardown(() => w.stop());
  return w;
}

/** Starts listening; the returned controller stops it (also at the end of the test). */
function listen(t: ExecutionContext, mq: DbMessageQueue, handler: (message: any) => Promise<void> | void) {
  const controller = new AbortController();
  const done = mq.listen(handler, { signal: controller.signal });
  t.teardown(() => controller.abort());
  return { controller, done };
}

async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const messageJobs = (db: Db) => listJobs(db, { type: 'fedify.message' });
type MessageJob = { message: unknown };

for (const target of await databaseTargets()) {
  test(`${target.name}: an enqueued message reaches the listener once, deep-equal, and listen ends when its signal aborts`, async (t) => {
    const { db } = await target.create(t);
    const registry = new JobRegistry();
    const mq = createMessageQueue({ db, registry });
    t.true(mq.nativeRetrial);
    const message = {
      type: 'outbox',
      id: '0f5c5a4e-8d0b-4c47-9d4b-6c9c8a0e2f11',
      activity: { '@context': 'https://www.w3.org/ns/activitystreams', type: 'Create', object: { tags: ['a', null, true, 1.5, { x: [] }] } },
      headers: {},
      attempt: 0,
    };
    await mq.enqueue(message);
    await mq.enqueueMany(['b', 'c']);

    const received: unknown[] = [];
    const { controller, done } = listen(t, mq, (m) => {
      received.push(m);
    });
    await t.throwsAsync(mq.listen(() => {}), { message: /already registered/ }, 'a second listener in the same registry is refused');
    const w = worker(t, db, registry);
    await w.runUntilIdle();
    await w.runUntilIdle();
    const byJson = (list: unknown[]) => list.map((m) => JSON.stringify(m)).sort();
    t.deepEqual(byJson(received), byJson([message, 'b', 'c']));
    t.deepEqual(received.find((m) => typeof m === 'object'), message);
    t.deepEqual(await messageJobs(db), [], 'finished messages leave no job behind');

    controller.abort();
    await done;
    t.is(registry.get('fedify.message'), undefined, 'unregistered on abort');
    await mq.enqueue('after abort');
    await w.runUntilIdle();
    t.is(received.length, 3, 'no longer delivered to the stopped listener');
    t.is((await messageJobs(db)).length, 1, 'it waits in the queue for the next listener');
  });

  test(`${target.name}: a delayed message does not run before its delay`, async (t) => {
    const { db } = await target.create(t);
    const registry = new JobRegistry();
    const mq = createMessageQueue({ db, registry });
    await t.throwsAsync(mq.enqueue('bad', { delay: ms(-1) }), { instanceOf: RangeError });
    const enqueuedAt = Date.now();
    await mq.enqueue('later', { delay: ms(1500) });
    let receivedAt = 0;
    listen(t, mq, () => {
      receivedAt = Date.now();
    });
    const w = worker(t, db, registry);
    await w.runUntilIdle();
    // On a slow machine the delay may pass before the worker first looks; either way never early.
    t.true(receivedAt === 0 || receivedAt - enqueuedAt >= 1500, 'not run before it is due');
    w.start();
    await waitFor('the delayed message', () => receivedAt > 0);
    t.true(receivedAt - enqueuedAt >= 1500, `ran after ${receivedAt - enqueuedAt} ms`);
  });

  test(`${target.name}: a throwing handler makes the job fail and our queue retry it`, async (t) => {
    const { db } = await target.create(t);
    const registry = new JobRegistry();
    // Equal jitter waits at least half the base: the retry cannot sneak into the first runUntilIdle.
    const mq = createMessageQueue({ db, registry, backoffBaseMs: 1000, backoffMaxMs: 1000 });
    let calls = 0;
    listen(t, mq, () => {
      calls++;
      if (calls === 1) throw new Error('remote down');
    });
    await mq.enqueue({ n: 1 });
    const w = worker(t, db, registry);
    await w.runUntilIdle();
    t.is(calls, 1);
    const [job, ...rest] = await messageJobs(db);
    t.deepEqual(rest, [], 'one job: nothing was re-enqueued beside it');
    t.like(job, { state: 'queued', attempts: 1 });
    t.regex(job!.lastError ?? '', /remote down/);
    w.start();
    await waitFor('the retry to succeed', async () => calls === 2 && (await messageJobs(db)).length === 0);
    t.is(calls, 2);
  });

  test(`${target.name}: with Fedify, a failed delivery is retried by our queue only (nativeRetrial)`, async (t) => {
    const { db } = await target.create(t);
    // Fedify knocks twice (two signature specs) per attempt: the inbox fails
    // every request until we let it recover.
    const statuses: number[] = [];
    let down = true;
    const inboxServer = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const status = down ? 500 : 202;
        statuses.push(status);
        res.writeHead(status).end();
      });
    });
    inboxServer.listen(0, '127.0.0.1');
    await once(inboxServer, 'listening');
    t.teardown(() => new Promise<void>((resolve) => inboxServer.close(() => resolve())));
    const remote = `http://127.0.0.1:${(inboxServer.address() as AddressInfo).port}`;

    const registry = new JobRegistry();
    // Equal jitter waits at least half the base: the retry cannot sneak into the first runUntilIdle.
    const queue = createMessageQueue({ db, registry, backoffBaseMs: 1000, backoffMaxMs: 1000 });
    const federation = createFederation<void>({ kv: createKvStore(db), queue, manuallyStartQueue: true });
    const controller = new AbortController();
    t.teardown(() => controller.abort());
    const queueDone = federation.startQueue(undefined, { signal: controller.signal });

    const { privateKey } = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
    const ctx = federation.createContext(new URL('https://local.example/'), undefined);
    const alice = new URL('https://local.example/users/alice');
    await ctx.sendActivity(
      [{ privateKey, keyId: new URL('https://local.example/users/alice#main-key') }],
      { id: new URL(`${remote}/users/bob`), inboxId: new URL(`${remote}/inbox`) },
      new Create({ id: new URL('https://local.example/activities/1'), actor: alice, object: new Note({ id: new URL('https://local.example/notes/1'), attribution: alice, content: 'hi' }) }),
    );
    const w = worker(t, db, registry);
    await w.runUntilIdle();
    t.true(statuses.length > 0 && statuses.every((status) => status === 500), 'the first attempt failed');
    const jobs = await messageJobs(db);
    t.is(jobs.length, 1, 'Fedify enqueued no retry message of its own');
    t.like(jobs[0], { state: 'queued', attempts: 1 });
    t.regex(jobs[0]!.lastError ?? '', /500/);

    down = false;
    w.start();
    await waitFor('the retried delivery', async () => statuses.includes(202) && (await messageJobs(db)).length === 0);
    t.is(statuses.filter((status) => status === 202).length, 1, 'delivered once');
    controller.abort();
    await queueDone;
  });

  test(`${target.name}: in-flight, waiting and queued messages survive a restart`, async (t) => {
    const { db, config } = await target.create(t);
    // First "process": its own connection and worker. It stops while
    // handling "ordered 1", with "ordered 2" waiting behind it.
    const dbA = openDatabase(config);
    const registryA = new JobRegistry();
    const mqA = createMessageQueue({ db: dbA, registry: registryA });
    const receivedA: string[] = [];
    let interrupt = () => {};
    const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
    let started = false;
    const a = listen(t, mqA, async (m: string) => {
      if (m === 'ordered 1') {
        started = true;
        await interrupted;
        throw new Error('interrupted by shutdown');
      }
      receivedA.push(m);
    });
    const workerA = createWorker({ db: dbA, registry: registryA, ...fast });
    workerA.start();
    await mqA.enqueue('ordered 1', { orderingKey: 'https://local.example/notes/1' });
    await mqA.enqueue('ordered 2', { orderingKey: 'https://local.example/notes/1' });
    await waitFor('ordered 1 to start', () => started);
    await sleep(100);
    t.deepEqual(
      (await messageJobs(db)).map((job) => `${(job.payload as MessageJob).message}: ${job.state}`).sort(),
      ['ordered 1: running', 'ordered 2: queued'],
      'ordered 2 is not taken while ordered 1 runs',
    );
    const stopped = workerA.stop();
    interrupt();
    await stopped;
    a.controller.abort();
    await a.done;
    await mqA.enqueue('queued while stopped');
    await dbA.destroy();
    t.deepEqual(receivedA, []);

    // Second "process": a new connection and worker.
    const dbB = openDatabase(config);
    t.teardown(() => dbB.destroy());
    const registryB = new JobRegistry();
    const mqB = createMessageQueue({ db: dbB, registry: registryB });
    const receivedB: string[] = [];
    listen(t, mqB, (m: string) => {
      receivedB.push(m);
    });
    worker(t, dbB, registryB).start();
    await waitFor('all three messages', () => receivedB.length === 3);
    t.deepEqual([...receivedB].sort(), ['ordered 1', 'ordered 2', 'queued while stopped']);
    t.true(receivedB.indexOf('ordered 1') < receivedB.indexOf('ordered 2'), 'still in order');
  });

  test(`${target.name}: messages with one ordering key run one at a time, in order, past failures and dead ones`, async (t) => {
    const { db } = await target.create(t);
    const registry = new JobRegistry();
    const mq = createMessageQueue({ db, registry, maxAttempts: 2, backoffBaseMs: 20, backoffMaxMs: 20 });
    const done: string[] = [];
    const active = new Map<string, number>();
    let overlaps = 0;
    let b2Failed = false;
    listen(t, mq, async (m: { key: string | null; n: number }) => {
      const key = m.key ?? 'none';
      const running = (active.get(key) ?? 0) + 1;
      active.set(key, running);
      if (m.key && running > 1) overlaps++;
      try {
        await sleep(5);
        if (m.key === 'a' && m.n === 1) throw new Error('a1 always fails');
        if (m.key === 'b' && m.n === 2 && !b2Failed) {
          b2Failed = true;
          throw new Error('b2 fails once');
        }
        done.push(`${key}${m.n}`);
      } finally {
        active.set(key, active.get(key)! - 1);
      }
    });
    for (const n of [1, 2, 3]) await mq.enqueue({ key: 'a', n }, { orderingKey: 'a' });
    await mq.enqueueMany([1, 2, 3].map((n) => ({ key: 'b', n })), { orderingKey: 'b' });
    await mq.enqueueMany([1, 2].map((n) => ({ key: null, n })));
    worker(t, db, registry).start();

    await waitFor('every message but the dead one', async () => done.length === 7 && (await messageJobs(db)).length === 1);
    t.deepEqual(done.filter((d) => d.startsWith('a')), ['a2', 'a3'], 'a dead message does not block its key');
    t.deepEqual(done.filter((d) => d.startsWith('b')), ['b1', 'b2', 'b3'], 'b3 waited for b2 to succeed on its retry');
    t.is(overlaps, 0, 'never two messages of one key at once');
    const jobs = await messageJobs(db);
    t.is(jobs.length, 1);
    t.like(jobs[0], { state: 'dead', attempts: 2, payload: { message: { key: 'a', n: 1 } } });
    await mq.enqueue({ key: 'b', n: 4 }, { orderingKey: 'b' });
    await mq.enqueue({ key: 'a', n: 4 }, { orderingKey: 'a' });
    await waitFor('a message of each drained key', () => done.length === 9);
    t.deepEqual(done.slice(7).sort(), ['a4', 'b4'], 'a drained key, or one whose only job is dead, takes new messages at once');
  });

  test(`${target.name}: hundreds of enqueue calls at once, as Fedify's fan-out makes them, each run once; calls sharing a key run in call order`, async (t) => {
    const { db } = await target.create(t);
    const registry = new JobRegistry();
    const mq = createMessageQueue({ db, registry });
    // One delivery per inbox, all enqueued before any resolves (Fedify awaits
    // them together); the first 50 inboxes get a second message (an Update
    // after the Create), which must not overtake the first.
    const inboxes = 250;
    const calls: Promise<void>[] = [];
    for (let i = 0; i < inboxes + 50; i++) calls.push(mq.enqueue({ inbox: i % inboxes, n: i }, { orderingKey: `https://remote.example/inbox/${i % inboxes}` }));
    for (let i = 0; i < 20; i++) calls.push(mq.enqueue({ inbox: null, n: 1000 + i }));
    await Promise.all(calls);
    t.is((await listJobs(db, { type: 'fedify.message', limit: 1000 })).length, inboxes + 50 + 20, 'every call wrote its job');

    const order = new Map<number, number[]>();
    const received: number[] = [];
    listen(t, mq, (m: { inbox: number | null; n: number }) => {
      received.push(m.n);
      if (m.inbox !== null) order.set(m.inbox, [...(order.get(m.inbox) ?? []), m.n]);
    });
    await worker(t, db, registry).runUntilIdle();
    t.deepEqual(
      [...received].sort((a, b) => a - b),
      [...Array.from({ length: inboxes + 50 }, (_, i) => i), ...Array.from({ length: 20 }, (_, i) => 1000 + i)],
      'every message once',
    );
    for (let i = 0; i < 50; i++) t.deepEqual(order.get(i), [i, i + inboxes], `inbox ${i} in enqueue order`);
  });

  test(`${target.name}: messages parked by an older version run after the migration, in their old order`, async (t) => {
    const { db } = await target.create(t);
    // The state the old kv-counter queue left: m1 is its key's head, m2 and
    // m4 were claimed before their turn and parked in kv, m3 not claimed yet.
    await orderingMigration.down(db);
    const key = 'https://remote.example/users/bob/inbox';
    const hex = createHash('sha256').update(key).digest('hex');
    const gen = newId();
    const now = Date.now();
    const message = (name: string, seq?: number) => (seq === undefined ? { message: name } : { message: name, ordering: { key, gen, seq } });
    const job = (name: string, seq?: number) => ({ id: newId(), type: 'fedify.message', payload: JSON.stringify(message(name, seq)), state: 'queued', priority: 0, attempts: 0, run_at: now, created_at: now, updated_at: now });
    const kv = (path: string[], value: unknown) => ({ key: JSON.stringify(path), value: JSON.stringify(value), expires_at: null });
    const mq = ['_viewfinder', 'mq', 'fedify.message'];
    await db('jobs').insert([job('m1', 1), job('m3', 3), job('unordered')]);
    await db('kv').insert([
      kv([...mq, 'order', hex], { gen, next: 1, last: 4 }),
      kv([...mq, 'parked', hex, String(gen), '2'], message('m2', 2)),
      kv([...mq, 'parked', hex, String(gen), '4'], message('m4', 4)),
      kv(['_viewfinder', 'instance-actor', 'keys'], { kept: true }),
    ]);
    await orderingMigration.up(db);

    t.deepEqual(
      (await db('kv').select('key')).map((row: { key: string }) => row.key),
      [JSON.stringify(['_viewfinder', 'instance-actor', 'keys'])],
      "the old queue's counters and parked messages are gone from kv, nothing else",
    );
    const registry = new JobRegistry();
    const mqNew = createMessageQueue({ db, registry });
    const received: string[] = [];
    listen(t, mqNew, async (m: string) => {
      await sleep(5);
      received.push(m);
    });
    worker(t, db, registry).start();
    await waitFor('all five messages', () => received.length === 5);
    t.deepEqual(
      received.filter((m) => m !== 'unordered'),
      ['m1', 'm2', 'm3', 'm4'],
    );
    t.true(received.includes('unordered'));
  });

  test(`${target.name}: enqueueIn writes with the caller's transaction`, async (t) => {
    const { db } = await target.create(t);
    const registry = new JobRegistry();
    const mq = createMessageQueue({ db, registry });
    await t.throwsAsync(
      db.transaction(async (tx) => {
        await mq.enqueueIn(tx, 'rolled back', { orderingKey: 'k' });
        await mq.enqueueManyIn(tx, ['rolled back too']);
        throw new Error('the write failed');
      }),
      { message: 'the write failed' },
    );
    await db.transaction((tx) => mq.enqueueIn(tx, 'committed', { orderingKey: 'k' }));
    const received: string[] = [];
    listen(t, mq, (m: string) => {
      received.push(m);
    });
    await worker(t, db, registry).runUntilIdle();
    t.deepEqual(received, ['committed'], 'the rolled-back enqueue did not stall the key');
  });

  test(`${target.name}: passes @fedify/testing's MessageQueue conformance suite, ordering keys included`, async (t) => {
    t.timeout(60_000);
    const { db, config } = await target.create(t);
    // Two listeners sharing one queue, each with its own registry and worker.
    // On Postgres each gets its own pool; on SQLite they share the connection,
    // as two SQLite connections in one thread would block each other.
    const connections = [db, target.name === 'sqlite' ? db : openDatabase(config)];
    if (connections[1] !== db) t.teardown(() => connections[1]!.destroy());
    let made = 0;
    await testMessageQueue(
      () => {
        const conn = connections[made++ % 2]!;
        const registry = new JobRegistry();
        worker(t, conn, registry).start();
        return createMessageQueue({ db: conn, registry });
      },
      ({ controller }) => controller.abort(),
      { testOrderingKey: true },
    );
    t.pass();
  });

}
