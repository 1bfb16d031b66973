import test from 'ava';
import { Worker } from 'node:worker_threads';
import { Temporal } from '@js-temporal/polyfill';
import type { KvKey, KvStore } from '@fedify/fedify';
import { databaseTargets } from '../helpers/databases.ts';
import { createKvStore } from '../../federation/kv-store.ts';
import { deleteExpired } from '../../server/db/kv.repo.ts';
import { enqueue } from '../../server/jobs/queue.ts';
import { JobRegistry } from '../../server/jobs/registry.ts';
import { createWorker } from '../../server/jobs/worker.ts';
import { registerKvExpireJob } from '../../server/jobs/kv-expire.job.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Fedify hands us polyfilled Temporal durations; tests use the same.
const ttl = (milliseconds: number) => ({ ttl: Temporal.Duration.from({ milliseconds }) as unknown as globalThis.Temporal.Duration });

async function keysOf(kv: KvStore, prefix?: KvKey): Promise<string[][]> {
  const keys: string[][] = [];
  for await (const entry of kv.list(prefix)) keys.push([...entry.key]);
  return keys.sort(compareKeys);
}

/** Element by element, a key before its extensions. */
function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

async function increment(kv: KvStore, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    for (;;) {
      const current = (await kv.get<number>(['counter']))!;
      if (await kv.cas!(['counter'], current, current + 1)) break;
    }
  }
}

// The same loop as `increment`, in a worker thread with its own connection.
// It waits for "go" once loaded, so both loops really run at the same time.
const incrementSource = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const { openDatabase } = await import(workerData.knexUrl);
  const { createKvStore } = await import(workerData.storeUrl);
  const db = openDatabase(workerData.config, { poolMax: 2 });
  const kv = createKvStore(db);
  try {
    await kv.get(['counter']);
    await new Promise((resolve) => { parentPort.once('message', resolve); parentPort.postMessage('ready'); });
    for (let i = 0; i < workerData.rounds; i++) {
      for (;;) {
        const current = await kv.get(['counter']);
        if (await kv.cas(['counter'], current, current + 1)) break;
      }
    }
  } finally {
    await db.destroy();
    parentPort.close();
  }
})().catch((error) => { process.exitCode = 1; throw error; });
`;

/** Starts `source` in a worker thread; resolves once it is ready, with a function that lets it go and waits for its end. */
function startThread(source: string, workerData: unknown): Promise<() => Promise<void>> {
  return new Promise((resolveReady, reject) => {
    const worker = new Worker(source, { eval: true, workerData });
    const done = new Promise<void>((resolve, fail) => {
      worker.once('exit', (code) => (code === 0 ? resolve() : fail(new Error(`worker thread exited with ${code}`))));
    });
    worker.once('error', reject);
    worker.once('message', () =>
      resolveReady(() => {
        worker.postMessage('go');
        return done;
      }),
    );
    done.catch(reject);
  });
}

for (const target of await databaseTargets()) {
  test(`${target.name}: get, set and delete round-trip JSON values`, async (t) => {
    const { db } = await target.create(t);
    const kv = createKvStore(db);
    const value = { id: 'https://remote.example/notes/1', n: 3.5, tags: ['a', null, true], nested: { deep: [{}] } };
    t.is(await kv.get(['doc', 'missing']), undefined);
    await kv.set(['doc', 'https://remote.example/notes/1'], value);
    t.deepEqual(await kv.get(['doc', 'https://remote.example/notes/1']), value);
    t.is(await kv.get(['doc']), undefined, 'a prefix is not the key');

    await kv.set(['flag'], null);
    t.is(await kv.get(['flag']), null, 'null is a value, unlike absence');
    await kv.set(['flag'], false);
    t.is(await kv.get(['flag']), false, 'set overwrites');

    await kv.delete(['flag']);
    t.is(await kv.get(['flag']), undefined);
    await t.notThrowsAsync(kv.delete(['flag']), 'deleting a missing key is fine');

    await t.throwsAsync(kv.set(['x'.repeat(2100)], 1), { instanceOf: RangeError }, 'over-long keys fail the same way on both databases');
  });

  test(`${target.name}: values expire after their ttl and kv.expire removes them`, async (t) => {
    const { db } = await target.create(t);
    const kv = createKvStore(db);
    await kv.set(['cache', 'short'], 'soon gone', ttl(150));
    await kv.set(['cache', 'long'], 'stays', ttl(60_000));
    await kv.set(['cache', 'forever'], 'stays');
    await kv.set(['cache', 'renewed'], 'v1', ttl(150));
    await kv.set(['cache', 'renewed'], 'v2'); // a later set without ttl never expires
    t.is(await kv.get(['cache', 'long']), 'stays', 'a value with a ttl reads back until it expires');

    await sleep(200);
    t.is(await kv.get(['cache', 'short']), undefined);
    t.deepEqual(await keysOf(kv, ['cache']), [
      ['cache', 'forever'],
      ['cache', 'long'],
      ['cache', 'renewed'],
    ]);
    t.is(await kv.get(['cache', 'renewed']), 'v2');

    // The periodic job, run by a real worker, deletes the expired row.
    const registry = new JobRegistry();
    registerKvExpireJob(registry, db);
    await enqueue(db, 'kv.expire', null);
    await createWorker({ db, registry, concurrency: 1, pollMs: 20, leaseMs: 5000 }).runUntilIdle();
    t.is(await deleteExpired(db), 0, 'nothing left to delete');
    t.is(await kv.get(['cache', 'long']), 'stays');

    await kv.set(['cache', 'short'], 'back');
    t.is(await kv.get(['cache', 'short']), 'back');
  });

  test(`${target.name}: cas swaps only when the current value matches`, async (t) => {
    const { db } = await target.create(t);
    const kv = createKvStore(db);
    const key = ['lock', 'inbox'] as const;
    t.true(await kv.cas!(key, undefined, { owner: 'a', n: 1 }), 'absent → set');
    t.false(await kv.cas!(key, undefined, { owner: 'b', n: 1 }), 'no longer absent');
    t.false(await kv.cas!(key, { owner: 'b', n: 1 }, { owner: 'b', n: 2 }));
    t.deepEqual(await kv.get(key), { owner: 'a', n: 1 }, 'a failed cas changes nothing');
    t.true(await kv.cas!(key, { n: 1, owner: 'a' }, { owner: 'a', n: 2 }), 'object key order does not matter');
    t.deepEqual(await kv.get(key), { owner: 'a', n: 2 });
    t.true(await kv.cas!(key, { owner: 'a', n: 2 }, undefined), 'swapping to undefined deletes');
    t.is(await kv.get(key), undefined);

    await kv.set(['lock', 'expiring'], 'old', ttl(50));
    await sleep(80);
    t.false(await kv.cas!(['lock', 'expiring'], 'old', 'new'), 'an expired value is not there');
    t.true(await kv.cas!(['lock', 'expiring'], undefined, 'new', ttl(60_000)), 'an expired value counts as absent');
    t.is(await kv.get(['lock', 'expiring']), 'new');
    t.deepEqual(await keysOf(kv, ['lock']), [['lock', 'expiring']], 'failed cas calls leave no rows behind');
  });

  test(`${target.name}: concurrent cas on one key: exactly one wins, also against another thread's connection`, async (t) => {
    const { db, config } = await target.create(t);
    const kv = createKvStore(db);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => kv.cas!(['race'], undefined, i)));
    t.is(results.filter(Boolean).length, 1);
    t.is(await kv.get(['race']), results.indexOf(true));

    // The production shape: the HTTP thread and the job worker thread each
    // have a connection. (Two SQLite connections in one thread would block
    // each other: better-sqlite3 waits for a lock synchronously.)
    await kv.set(['counter'], 0);
    const rounds = 60;
    const go = await startThread(incrementSource, {
      config,
      rounds,
      storeUrl: new URL('../../federation/kv-store.ts', import.meta.url).href,
      knexUrl: new URL('../../server/db/knex.ts', import.meta.url).href,
    });
    await Promise.all([go(), increment(kv, rounds)]);
    t.is(await kv.get(['counter']), 2 * rounds, 'no increment was lost');
  });

  test(`${target.name}: list yields the entries under a key prefix, not under a textual one`, async (t) => {
    const { db } = await target.create(t);
    const kv = createKvStore(db);
    const keys: string[][] = [
      ['a'],
      ['a', 'b'],
      ['a', 'b', 'c'],
      ['a', 'bc'],
      ['a', 'b%'],
      ['a', 'b_'],
      ['ab'],
      ['A', 'b'],
      ['a%'],
      ['a%', 'x'],
      ['a_', 'x'],
      ['q"uote\\', 'x'],
      ['ünï😀', 'x'],
      ['ünï😀x'],
    ];
    for (const key of keys) await kv.set(key as unknown as KvKey, key.join('/'));
    await kv.set(['a', 'b', 'gone'], 'expired', ttl(1));
    await sleep(10);

    t.deepEqual(await keysOf(kv, ['a', 'b']), [
      ['a', 'b'],
      ['a', 'b', 'c'],
    ]);
    t.deepEqual(await keysOf(kv, ['a']), [['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b%'], ['a', 'b_'], ['a', 'bc']]);
    t.deepEqual(await keysOf(kv, ['a%']), [['a%'], ['a%', 'x']], "'%' is not a wildcard");
    t.deepEqual(await keysOf(kv, ['a_']), [['a_', 'x']], "'_' is not a wildcard");
    t.deepEqual(await keysOf(kv, ['A']), [['A', 'b']], 'case matters');
    t.deepEqual(await keysOf(kv, ['q"uote\\']), [['q"uote\\', 'x']], 'JSON escapes are handled');
    t.deepEqual(await keysOf(kv, ['ünï😀']), [['ünï😀', 'x']], 'non-ASCII prefixes have the right length');
    t.deepEqual(await keysOf(kv, ['zzz']), []);
    t.is((await keysOf(kv)).length, keys.length, 'no prefix: every live entry');

    const entries: { key: KvKey; value: unknown }[] = [];
    for await (const entry of kv.list(['a', 'b'])) entries.push(entry);
    t.deepEqual(entries.sort((x, y) => compareKeys([...x.key], [...y.key])), [
      { key: ['a', 'b'], value: 'a/b' },
      { key: ['a', 'b', 'c'], value: 'a/b/c' },
    ]);
  });

  test(`${target.name}: list pages through many entries`, async (t) => {
    const { db } = await target.create(t);
    const kv = createKvStore(db);
    const count = 520; // more than one page
    await Promise.all(Array.from({ length: count }, (_, i) => kv.set(['many', String(i).padStart(4, '0')], i)));
    await kv.set(['manyx'], 'not under the prefix');
    const seen: number[] = [];
    for await (const entry of kv.list(['many'])) seen.push(entry.value as number);
    t.deepEqual(seen, Array.from({ length: count }, (_, i) => i));
  });
}
