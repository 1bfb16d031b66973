// What Fedify's vocabulary cannot say, added to our outgoing Create and Update
// of Notes on their way into the queue: Mastodon's blurhash and focal point,
// Pixelfed's commentsEnabled and capabilities, and the wire form those servers
// parse (arrays, Public spelled out). `sendActivity` serializes from typed
// fields only, so the send job registers the extras for the activity's id and
// the outbox and fan-out queues patch each message carrying that activity.
//
// The patched document is no longer the one Fedify's Linked Data signature and
// integrity proof covered, so both are dropped from it; the delivery is still
// authenticated by its HTTP signature, computed over the patched body when it
// is sent (which is all Mastodon and Pixelfed require).
import { withExtras, type JsonLdExtras, type JsonObject } from '../objects/json-ld-extras.ts';

// Registered extras by activity id; counted, so that two runs registering the
// same activity (a retried fan-out beside its first try) do not end each other's.
const pending = new Map<string, { extras: JsonLdExtras; holders: number }>();

/** Registers the extras for an activity about to be sent; the returned function forgets them. */
export function registerExtras(activityId: string, extras: JsonLdExtras): () => void {
  const entry = pending.get(activityId);
  if (entry) {
    entry.extras = extras;
    entry.holders += 1;
  } else pending.set(activityId, { extras, holders: 1 });
  let held = true;
  return () => {
    const current = pending.get(activityId);
    if (!held || !current) return;
    held = false;
    if (--current.holders === 0) pending.delete(activityId);
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function patchActivity(activity: JsonObject, extras: JsonLdExtras): JsonObject {
  const { signature: _signature, proof: _proof, ...rest } = activity;
  const contexts = rest['@context'] === undefined ? [] : Array.isArray(rest['@context']) ? rest['@context'] : [rest['@context']];
  const patched: JsonObject = { ...withExtras(rest, { context: extras.context, properties: {}, attachments: [] }), '@context': [...contexts, extras.context] };
  if (isObject(rest.object)) patched.object = withExtras(rest.object, { ...extras, context: {} });
  return patched;
}

// Fedify hands every delivery of one fan-out the very same activity object:
// patched once, shared by all (the queue only serializes it).
const patchedActivities = new WeakMap<JsonObject, { extras: JsonLdExtras; patched: JsonObject }>();

function patchedOnce(activity: JsonObject, extras: JsonLdExtras): JsonObject {
  const known = patchedActivities.get(activity);
  if (known?.extras === extras) return known.patched;
  const patched = patchActivity(activity, extras);
  patchedActivities.set(activity, { extras, patched });
  return patched;
}

// The field of a queued fan-out message that carries the extras: Fedify's
// fan-out job parses the activity into its vocabulary (which drops them) and
// serializes it again for each delivery, in a later job, maybe on another
// thread, long after the send job forgot them.
const EXTRAS_FIELD = 'viewfinderExtras';

/** The queues' hook: a Fedify outbox or fan-out message whose activity has registered extras gets them. */
export function withRegisteredExtras(message: unknown): unknown {
  if (!isObject(message) || (message.type !== 'outbox' && message.type !== 'fanout')) return message;
  const id = typeof message.activityId === 'string' ? message.activityId : undefined;
  const extras = id === undefined ? undefined : pending.get(id)?.extras;
  if (!extras || !isObject(message.activity)) return message;
  const patched = { ...message, activity: patchedOnce(message.activity, extras) };
  return message.type === 'fanout' ? { ...patched, [EXTRAS_FIELD]: extras } : patched;
}

/** The fan-out queue's `around`: while a fan-out message runs, its deliveries get the extras it carries. */
export async function withFanoutExtras(message: unknown, handle: () => Promise<void>): Promise<void> {
  const extras = isObject(message) ? (message[EXTRAS_FIELD] as JsonLdExtras | undefined) : undefined;
  const id = isObject(message) && typeof message.activityId === 'string' ? message.activityId : undefined;
  if (!extras || id === undefined) return handle();
  const forget = registerExtras(id, extras);
  try {
    await handle();
  } finally {
    forget();
  }
}
