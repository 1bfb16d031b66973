// Fedify's KvStore on our own database (DESIGN.md rules 8 and 9), so caches,
// idempotence records and circuit-breaker state live with the rest of the data
// and need no Redis. Expired entries are invisible at once and deleted later by
// the periodic `kv.expire` job.
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from '@fedify/fedify';
import type { Db } from '../server/db/knex.ts';
import { casKv, deleteKv, getKv, listKv, setKv } from '../server/db/kv.repo.ts';

/** Epoch ms at which a value set now with this TTL expires; null without one. */
function expiresAt(options: KvStoreSetOptions | undefined): number | null {
  if (options?.ttl == null) return null;
  // Fedify passes Temporal durations of clock units (ttl rules are at most 30 days).
  return Date.now() + Math.max(0, options.ttl.total('millisecond'));
}

export function createKvStore(db: Db): KvStore {
  return {
    async get<T = unknown>(key: KvKey): Promise<T | undefined> {
      return (await getKv(db, key)) as T | undefined;
    },

    async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
      // Storing undefined reads back as absent anyway; JSON has no undefined.
      if (value === undefined) return deleteKv(db, key);
      await setKv(db, key, value, expiresAt(options));
    },

    delete(key: KvKey): Promise<void> {
      return deleteKv(db, key);
    },

    cas(key: KvKey, expectedValue: unknown, newValue: unknown, options?: KvStoreSetOptions): Promise<boolean> {
      return casKv(db, key, expectedValue, newValue, expiresAt(options));
    },

    async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
      for await (const entry of listKv(db, prefix)) yield { key: entry.key as unknown as KvKey, value: entry.value };
    },
  };
}
