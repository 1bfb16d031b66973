// Parsing Fedify does more than once, done once. Parsing JSON-LD into
// Fedify's vocabulary expands the document at every level of nesting, about
// 0.7 ms for a Create with one image; on every signed inbox POST Fedify's
// inbox parses the same activity object twice on the HTTP thread (once
// looking for integrity proofs, once after the HTTP signature verifies) and
// turns the remote actor's stored key document back into a key (an expansion
// and a PEM import) for a key that has not changed (docs/decisions/0009).
// Fedify has no option for either, so two parsers are wrapped, once, at start:
//
// - CryptographicKey.fromJsonLd remembers its result per document text: the
//   same stored key gives the same (immutable) key object; a rotated key is a
//   different text and is parsed anew.
// - Activity.fromJsonLd remembers its result per input object (a WeakMap, so
//   nothing outlives the request's JSON): a second parse of the very same
//   object gets the first one's activity. A fresh JSON object (the next
//   request, a queued message) is parsed as before.
//
// Parses that fail are not remembered. A base URL changes how relative ids
// resolve, so calls with one are not shared. Fedify is pinned exactly
// (package.json); test/federation/vocab-memo.test.ts checks that Fedify's
// inbox calls the wrapped methods.
import { Activity, CryptographicKey } from '@fedify/vocab';

const MAX_KEYS = 2000;
const parsedKeys = new Map<string, Promise<CryptographicKey>>();
const parsedActivities = new WeakMap<object, Promise<Activity>>();
const hits = { keys: 0, activities: 0 };
let installed = false;

type Options = { baseUrl?: URL | null } | undefined;

/** Installs both memos; idempotent. */
export function memoizeVocabParsing(): void {
  if (installed) return;
  installed = true;

  // Subclasses inherit these statics and call them with themselves as
  // `this` (Like.fromJsonLd is Activity's): only calls on the class itself
  // are memoized, every other passes through unchanged.
  const parseKey = CryptographicKey.fromJsonLd;
  CryptographicKey.fromJsonLd = function (this: unknown, json: unknown, options?: Options) {
    if (this !== CryptographicKey || json === null || typeof json !== 'object' || options?.baseUrl != null) return parseKey.call(this as never, json, options as never);
    const text = JSON.stringify(json);
    const hit = parsedKeys.get(text);
    if (hit) return (hits.keys++, hit);
    const parsing = parseKey.call(CryptographicKey, json, options as never);
    parsedKeys.set(text, parsing);
    if (parsedKeys.size > MAX_KEYS) parsedKeys.delete(parsedKeys.keys().next().value!);
    parsing.catch(() => parsedKeys.delete(text));
    return parsing;
  } as typeof CryptographicKey.fromJsonLd;

  const parseActivity = Activity.fromJsonLd;
  Activity.fromJsonLd = function (this: unknown, json: unknown, options?: Options) {
    if (this !== Activity || json === null || typeof json !== 'object' || options?.baseUrl != null) return parseActivity.call(this as never, json, options as never);
    const hit = parsedActivities.get(json);
    if (hit) return (hits.activities++, hit);
    const parsing = parseActivity.call(Activity, json, options as never);
    parsedActivities.set(json, parsing);
    parsing.catch(() => parsedActivities.delete(json));
    return parsing;
  } as typeof Activity.fromJsonLd;
}

/** How many parses each memo has saved so far in this thread (tests). */
export function vocabMemoHits(): { keys: number; activities: number } {
  return { ...hits };
}
