// A short in-process memory in front of the KvStore for the state Fedify reads
// and rewrites on every delivery and every inbox POST: the signature spec a
// server accepted, its circuit-breaker state, cached public keys and remote
// documents. Without it each delivery costs four or five kv statements on the
// job thread, most of them reading back what this process wrote a moment ago,
// and rewriting the same spec value (docs/decisions/0009).
//
// Writes go through to the database at once (other processes see them as
// before); only reads are answered from memory, for at most `ttlMs`. So a
// change made by another process (another worker opened a circuit) is seen
// here within that time, which suits state that is advisory anyway. A `set`
// of the value already stored, without a ttl, is skipped.
import type { KvKey, KvStore, KvStoreSetOptions } from '@fedify/fedify';

export interface KvMemoOptions {
  /** Key prefixes whose entries are remembered; other keys pass straight through. */
  prefixes: readonly (readonly string[])[];
  /** How long a read is answered from memory (default 5 s). */
  ttlMs?: number;
  /** Most entries remembered (default 10,000; the oldest go first). */
  maxEntries?: number;
}

interface Memo {
  /** The value as JSON text (undefined: known absent). */
  json: string | undefined;
  /** When the stored value itself expires (its kv ttl), epoch ms. */
  storedUntil: number | null;
  /** When this memory of it must be read again. */
  memoUntil: number;
}

const DEFAULT_TTL_MS = 5000;
const DEFAULT_MAX_ENTRIES = 10_000;

export function withKvMemo(store: KvStore, options: KvMemoOptions): KvStore {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const memos = new Map<string, Memo>();

  const covered = (key: KvKey) => options.prefixes.some((prefix) => prefix.length <= key.length && prefix.every((part, i) => key[i] === part));
  const idOf = (key: KvKey) => JSON.stringify(key);

  function remember(id: string, value: unknown, storedUntil: number | null): void {
    memos.delete(id); // re-inserted last: the map's order is the eviction order
    memos.set(id, { json: value === undefined ? undefined : JSON.stringify(value), storedUntil, memoUntil: Date.now() + ttlMs });
    if (memos.size > maxEntries) memos.delete(memos.keys().next().value!);
  }

  function fresh(id: string): Memo | undefined {
    const memo = memos.get(id);
    if (!memo) return undefined;
    const now = Date.now();
    if (memo.memoUntil <= now || (memo.storedUntil !== null && memo.storedUntil <= now)) {
      memos.delete(id);
      return undefined;
    }
    return memo;
  }

  const storedUntilOf = (setOptions?: KvStoreSetOptions) => (setOptions?.ttl == null ? null : Date.now() + Math.max(0, setOptions.ttl.total('millisecond')));

  const memoized: KvStore = {
    async get<T = unknown>(key: KvKey): Promise<T | undefined> {
      if (!covered(key)) return store.get<T>(key);
      const id = idOf(key);
      const memo = fresh(id);
      // A fresh copy each time: callers may change what they get.
      if (memo) return memo.json === undefined ? undefined : (JSON.parse(memo.json) as T);
      const value = await store.get<T>(key);
      // The stored ttl is unknown here; memoUntil bounds how long this copy is trusted.
      remember(id, value, null);
      return value;
    },

    async set(key: KvKey, value: unknown, setOptions?: KvStoreSetOptions): Promise<void> {
      if (!covered(key)) return store.set(key, value, setOptions);
      const id = idOf(key);
      const memo = fresh(id);
      if (memo && setOptions?.ttl == null && memo.storedUntil === null && value !== undefined && memo.json === JSON.stringify(value)) return;
      memos.delete(id); // a failed write must not leave the old memory trusted
      await store.set(key, value, setOptions);
      remember(id, value, storedUntilOf(setOptions));
    },

    async delete(key: KvKey): Promise<void> {
      if (!covered(key)) return store.delete(key);
      const id = idOf(key);
      memos.delete(id);
      await store.delete(key);
      remember(id, undefined, null);
    },

    list: store.list ? (prefix?: KvKey) => store.list!(prefix) : undefined,
  } as KvStore;

  if (store.cas) {
    const cas = store.cas.bind(store);
    memoized.cas = async (key, expectedValue, newValue, setOptions) => {
      if (!covered(key)) return cas(key, expectedValue, newValue, setOptions);
      const id = idOf(key);
      memos.delete(id);
      const swapped = await cas(key, expectedValue, newValue, setOptions);
      // Lost: the stored value is someone else's, read it next time.
      if (swapped) remember(id, newValue, storedUntilOf(setOptions));
      return swapped;
    };
  }
  return memoized;
}
