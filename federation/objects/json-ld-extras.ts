// JSON-LD that @fedify/vocab cannot express, merged into a document after
// `toJsonLd()`: Mastodon's `blurhash` and `focalPoint` on attachments,
// Pixelfed's `commentsEnabled` and `capabilities` on the Note. Each addition
// brings its @context terms, appended after Fedify's own contexts so the
// document still expands to the same IRIs for JSON-LD processors, while
// Mastodon and Pixelfed (which read plain keys) find the keys they expect.
//
// The result is also put in the wire form those servers parse: `to`, `cc`,
// `tag` and `attachment` as arrays (Fedify writes a single value bare, and
// Pixelfed validates `attachment.*`), and Public as its full URI in the
// audience and in GoToSocial's interaction rules (Fedify compacts it to
// `as:Public`, which Pixelfed does not recognize). Both are the same JSON-LD.
//
// Fedify keeps the JSON of an object it parsed, and serves exactly that from
// `toJsonLd()` without a format: `Note.fromJsonLd(withExtras(...))` therefore
// yields a Note an object dispatcher can return with the extras intact. A
// `format: 'compact'` serialization (what `sendActivity` does) rebuilds the
// document from typed fields and loses them.
import { urlIn, type JsonObject } from './raw-json.ts';

export type { JsonObject };

export interface AttachmentExtras {
  /** Matches the attachment whose `url` is this. */
  url: string;
  properties: JsonObject;
}

export interface JsonLdExtras {
  /** Term definitions for the added keys. */
  context: JsonObject;
  /** Keys added to the object itself. */
  properties: JsonObject;
  attachments: AttachmentExtras[];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ARRAY_KEYS = ['to', 'cc', 'tag', 'attachment'] as const;
const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** Audience values with Fedify's `as:Public` CURIE spelled out (arrays kept as they are). */
function fullPublic(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fullPublic);
  return value === 'as:Public' ? PUBLIC : value;
}

/** GoToSocial's rules name Public as an audience too; their approvals are lists, as GoToSocial writes them. */
function policyWithFullPublic(policy: JsonObject): JsonObject {
  const rules = Object.entries(policy).map(([name, rule]) => {
    if (!isObject(rule)) return [name, rule];
    return [name, Object.fromEntries(Object.entries(rule).map(([key, value]) => [key, asArray(fullPublic(value))]))];
  });
  return Object.fromEntries(rules);
}

/**
 * A copy of `jsonLd` (a compact JSON-LD object, as `toJsonLd()` returns) with
 * the extras merged in, in wire form. Attachments are matched by URL, so the
 * order Fedify writes them in does not matter.
 */
export function withExtras(jsonLd: unknown, extras: JsonLdExtras): JsonObject {
  if (!isObject(jsonLd)) throw new TypeError('withExtras needs a JSON-LD object');
  const result: JsonObject = { ...jsonLd, ...extras.properties };
  const own = jsonLd['@context'];
  const contexts = own === undefined ? [] : asArray(own);
  if (Object.keys(extras.context).length > 0) result['@context'] = [...contexts, extras.context];

  for (const key of ARRAY_KEYS) {
    if (result[key] !== undefined) result[key] = asArray(result[key]);
  }
  for (const key of ['to', 'cc'] as const) {
    if (result[key] !== undefined) result[key] = fullPublic(result[key]);
  }
  if (isObject(result.interactionPolicy)) result.interactionPolicy = policyWithFullPublic(result.interactionPolicy);

  const byUrl = new Map(extras.attachments.map((a) => [a.url, a.properties]));
  if (Array.isArray(result.attachment)) {
    result.attachment = result.attachment.map((item) => {
      if (!isObject(item)) return item;
      const url = urlIn(item.url);
      const more = url === null ? undefined : byUrl.get(url);
      return more ? { ...item, ...more } : item;
    });
  }
  return result;
}
