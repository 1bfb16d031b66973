// Reading extension keys that @fedify/vocab drops (blurhash, focalPoint,
// commentsEnabled, capabilities) from a document's own JSON. Mastodon and
// Pixelfed read these as plain keys of the compact document, whatever the
// @context says, and so do we; the prefixed (`toot:blurhash`) and full-IRI
// spellings are accepted too, with JSON-LD's `@value`/`@list` wrappers.

export type JsonObject = Record<string, unknown>;

export const TOOT = 'http://joinmastodon.org/ns#';
export const PIXELFED = 'http://pixelfed.org/ns#';

export function asObject(value: unknown): JsonObject | null {
  if (Array.isArray(value)) return value.length === 1 ? asObject(value[0]) : null;
  return typeof value === 'object' && value !== null ? (value as JsonObject) : null;
}

/** A JSON-LD value without its `@value` / `@list` wrapping. */
function unwrap(value: unknown): unknown {
  if (Array.isArray(value) && value.length === 1) {
    const only = asObject(value[0]);
    if (only && ('@value' in only || '@list' in only)) return unwrap(only);
  }
  const object = Array.isArray(value) ? null : asObject(value);
  if (object && '@value' in object) return object['@value'];
  if (object && '@list' in object && Array.isArray(object['@list'])) return object['@list'].map(unwrap);
  return value;
}

/**
 * The value under `key` (compact), `prefix:name` or the full IRI
 * `namespace + name`; `name` defaults to `key` (Pixelfed's `reply` is
 * `pixelfed:canReply`).
 */
export function extension(object: JsonObject, key: string, namespace: string, prefix: string, name = key): unknown {
  for (const spelling of [key, `${prefix}:${name}`, `${namespace}${name}`]) {
    if (object[spelling] !== undefined) return unwrap(object[spelling]);
  }
  return undefined;
}

/** The objects under a (compact) key that may hold one object or an array. */
export function objectsAt(object: JsonObject | null, key: string): JsonObject[] {
  const value = object?.[key];
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items.map(asObject).filter((item) => item !== null);
}

/** A URL in a JSON value that is a string, a Link object or an array of either. */
export function urlIn(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.length > 0 ? urlIn(value[0]) : null;
  const object = asObject(value);
  return object && typeof object.href === 'string' ? object.href : null;
}
