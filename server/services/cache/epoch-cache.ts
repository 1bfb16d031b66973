// A small in-process cache for what request handling reads on every call.
// An entry is served while it is younger than ttlMs and no repository write in
// this process has happened since it was read (server/db/auth-changes.ts);
// writes by other processes show within ttlMs.
import { authEpoch } from '../../db/auth-changes.ts';

export interface EpochCache<K, V> {
  get(key: K, now: number): V | undefined;
  /** `epoch` is authEpoch() read BEFORE the database read the value came from. */
  set(key: K, value: V, epoch: number, now: number): void;
  delete(key: K): void;
}

export function createEpochCache<K, V>(options: { ttlMs: number; maxEntries: number }): EpochCache<K, V> {
  const entries = new Map<K, { value: V; epoch: number; storedAt: number }>();
  return {
    get(key, now) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.epoch !== authEpoch() || now - entry.storedAt >= options.ttlMs) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value, epoch, now) {
      if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { value, epoch, storedAt: now });
    },
    delete(key) {
      entries.delete(key);
    },
  };
}
