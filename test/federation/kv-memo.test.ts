// The in-process memory in front of Fedify's kv state (federation/kv-memo.ts):
// writes reach the database at once, another process's writes are seen within
// the memory's ttl, and rewriting an unchanged value costs no statement.
import test from 'ava';
import { Temporal } from '@js-temporal/polyfill';
import type { KvKey, KvStore } from '@fedify/fedify';
import { databaseTargets } from '../helpers/databases.ts';
import { createKvStore } from '../../federation/kv-store.ts';
import { withKvMemo } from '../../federation/kv-memo.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ttl = (milliseconds: number) => ({ ttl: Temporal.Duration.from({ milliseconds }) as unknown as globalThis.Temporal.Duration });
const SPEC: KvKey = ['_fedify', 'httpMessageSignaturesSpec', 'https://remote.example'];

/** The database store, counting the statements the memory lets through. */
function counted(store: KvStore) {
  const calls = { get: 0, set: 0 };
  const wrapped: KvStore = {
    ...store,
    get: (key) => (calls.get++, store.get(key)),
    set: (key, value, options) => (calls.set++, store.set(key, value, options)),
    delete: (key) => store.delete(key),
    cas: store.cas!.bind(store),
    list: store.list!.bind(store),
  };
  return { wrapped, calls };
}

for (const target of await databaseTargets()) {
  test(`${target.name}: writes reach the database at once; repeated reads and unchanged rewrites cost nothing`, async (t) => {
    const { db } = await target.create(t);
    const plain = createKvStore(db); // what another process sees
    const { wrapped, calls } = counted(createKvStore(db));
    const kv = withKvMemo(wrapped, { prefixes: [['_fedify', 'httpMessageSignaturesSpec']], ttlMs: 60_000 });

    t.is(await kv.get(SPEC), undefined);
    t.is(await kv.get(SPEC), undefined, 'absence is remembered too');
    await kv.set(SPEC, 'draft-cavage-http-signatures-12');
    t.is(await plain.get(SPEC), 'draft-cavage-http-signatures-12', 'another process sees the write at once');
    for (let i = 0; i < 5; i++) {
      t.is(await kv.get(SPEC), 'draft-cavage-http-signatures-12');
      await kv.set(SPEC, 'draft-cavage-http-signatures-12');
    }
    t.deepEqual(calls, { get: 1, set: 1 }, 'one read and one write for six deliveries');

    await kv.set(SPEC, 'rfc9421');
    t.is(await plain.get(SPEC), 'rfc9421', 'a changed value is written');
    await kv.delete(SPEC);
    t.is(await plain.get(SPEC), undefined);
    t.is(await kv.get(SPEC), undefined);

    // Keys outside the prefixes are not remembered.
    await plain.set(['_fedify', 'activityIdempotence', 'x'], true);
    t.is(await kv.get(['_fedify', 'activityIdempotence', 'x']), true);
    await plain.delete(['_fedify', 'activityIdempotence', 'x']);
    t.is(await kv.get(['_fedify', 'activityIdempotence', 'x']), undefined, 'read from the database every time');
  });

  test(`${target.name}: another process's change is seen once the memory's ttl has passed; a value's own ttl still ends it`, async (t) => {
    const { db } = await target.create(t);
    const plain = createKvStore(db);
    const kv = withKvMemo(createKvStore(db), { prefixes: [['_fedify']], ttlMs: 200 });
    const circuit: KvKey = ['_fedify', 'circuit', 'remote.example'];

    t.is(await kv.get(circuit), undefined);
    await plain.set(circuit, { state: 'open' });
    t.is(await kv.get(circuit), undefined, 'within the ttl the remembered value answers');
    await sleep(250);
    t.deepEqual(await kv.get(circuit), { state: 'open' }, 'after it the database does');

    await kv.set(['_fedify', 'remoteDocument', 'a'], { doc: 1 }, ttl(50));
    t.deepEqual(await kv.get(['_fedify', 'remoteDocument', 'a']), { doc: 1 });
    await sleep(80);
    t.is(await kv.get(['_fedify', 'remoteDocument', 'a']), undefined, 'expired with its own ttl, not the memory\'s');

    const got = (await kv.get<{ state: string }>(circuit))!;
    got.state = 'changed by the caller';
    t.deepEqual(await kv.get(circuit), { state: 'open' }, 'callers get copies');
  });

  test(`${target.name}: cas writes through; a lost cas forgets the remembered value`, async (t) => {
    const { db } = await target.create(t);
    const plain = createKvStore(db);
    const kv = withKvMemo(createKvStore(db), { prefixes: [['_fedify', 'circuit']], ttlMs: 60_000 });
    const key: KvKey = ['_fedify', 'circuit', 'remote.example'];

    t.true(await kv.cas!(key, undefined, { failures: 1 }));
    t.deepEqual(await plain.get(key), { failures: 1 });
    await plain.set(key, { failures: 7 }); // another process
    t.false(await kv.cas!(key, { failures: 1 }, { failures: 2 }));
    t.deepEqual(await kv.get(key), { failures: 7 }, 'after a lost cas the stored value is read');
    t.true(await kv.cas!(key, { failures: 7 }, undefined));
    t.is(await plain.get(key), undefined);
    t.is(await kv.get(key), undefined);
  });
}
