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
// - While Fedify verifies an inbox POST (parsingInboxEnvelopes, around the
//   koa adapter's federation.fetch), an activity's embedded object is not
//   parsed: the object becomes its id. Fedify's inbox on that path reads only
//   the envelope (id, type, actor, proofs) and queues the raw JSON; the job
//   that runs the listener parses all of it. An embedded object is most of the
//   parse (a Note with its attachments), and skipping it on the HTTP thread
//   took about a fifth off the server's CPU per inbox activity
//   (bench/federation, ADR 0009). A malformed embedded object is then found
//   by the job, which drops it as Fedify drops any activity it cannot parse,
//   where the POST used to get 400.
//
// Parses that fail are not remembered. A base URL changes how relative ids
// resolve, so calls with one are not shared. Fedify is pinned exactly
// (package.json); test/federation/vocab-memo.test.ts checks that Fedify's
// inbox calls the wrapped methods.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Activity, CryptographicKey } from '@fedify/vocab';

const MAX_KEYS = 2000;
const parsedKeys = new Map<string, Promise<CryptographicKey>>();
const parsedActivities = new WeakMap<object, Promise<Activity>>();
const parsedEnvelopes = new WeakMap<object, Promise<Activity>>();
const verifyingInbox = new AsyncLocalStorage<true>();
const hits = { keys: 0, activities: 0, envelopes: 0 };
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
    const envelope = verifyingInbox.getStore() === true ? envelopeOf(json as Record<string, unknown>) : null;
    const memo = envelope ? parsedEnvelopes : parsedActivities;
    const hit = memo.get(json);
    if (hit) return (hits.activities++, hit);
    if (envelope) hits.envelopes++;
    const parsing = parseActivity.call(Activity, envelope ?? json, options as never);
    memo.set(json, parsing);
    parsing.catch(() => memo.delete(json));
    return parsing;
  } as typeof Activity.fromJsonLd;
}

/**
 * The activity with its embedded object replaced by the object's id, or null
 * when there is nothing to leave out (the object is a link already, a list,
 * or has no id to stand for it).
 */
function envelopeOf(json: Record<string, unknown>): Record<string, unknown> | null {
  const object = json.object;
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return null;
  const id = (object as Record<string, unknown>).id ?? (object as Record<string, unknown>)['@id'];
  return typeof id === 'string' ? { ...json, object: id } : null;
}

/** Runs `verify` (Fedify's handling of one inbox POST) with activities parsed as envelopes only. */
export function parsingInboxEnvelopes<T>(verify: () => Promise<T>): Promise<T> {
  return verifyingInbox.run(true, verify);
}

/** Runs `work` (a queued message's listener) with activities parsed whole, even if started from an inbox POST's context. */
export function parsingWholeActivities<T>(work: () => Promise<T>): Promise<T> {
  return verifyingInbox.exit(work);
}

/** How many parses each memo has saved so far in this thread, and how many were envelopes only (tests). */
export function vocabMemoHits(): { keys: number; activities: number; envelopes: number } {
  return { ...hits };
}
