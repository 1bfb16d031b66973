// JSON-LD expansion of what is already expanded, done as a copy. Fedify's
// vocabulary parses a document by expanding it at every class of the type
// hierarchy and every level of nesting: a Create with one Note and one Image
// is expanded 11 times, and 9 of those inputs are already in expanded form
// (a subclass hands its parent the expansion it just made; an embedded object
// arrives expanded). Expanding expanded form changes nothing, but jsonld.js
// still walks it through its whole algorithm: 0.35 of the 0.53 ms a parse
// costs (bench/federation, docs/decisions/0009).
//
// So jsonld.expand, as Fedify calls it, first checks whether its input is a
// node object in the plain expanded form Fedify produces: absolute IRIs as
// keys, arrays as values, value objects with @value (and @type or a
// lower-case @language), @list objects, nested node objects, @id and @type
// absolute or blank. Such an input is copied (Fedify deletes keys of what it
// gets) and returned as the expansion; anything else, and any call with
// options other than Fedify's, goes to jsonld.js unchanged. Every feature
// this does not know (@graph, @reverse, @index, @context, @json, empty
// arrays, relative IRIs) falls back. test/federation/expanded-passthrough
// compares both on the fixtures and on inputs made to differ.
import jsonld from '@fedify/vocab-runtime/jsonld';

type Json = Record<string, unknown>;
type Expand = (input: unknown, options?: Json) => Promise<unknown[]>;

// A scheme, then a colon: what jsonld.js takes for an absolute IRI when no context defines a prefix.
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const NOT_EXPANDED = Symbol('not expanded');
const FEDIFY_OPTIONS = new Set(['documentLoader', 'keepFreeFloatingNodes']);

let installed = false;
let passedThrough = 0;

const isIri = (value: unknown): value is string => typeof value === 'string' && (ABSOLUTE.test(value) || value.startsWith('_:'));

function copyValueObject(value: Json): Json | typeof NOT_EXPANDED {
  const literal = value['@value'];
  if (literal === null || typeof literal === 'object') return NOT_EXPANDED;
  for (const key in value) if (key !== '@value' && key !== '@type' && key !== '@language') return NOT_EXPANDED;
  const type = value['@type'];
  const language = value['@language'];
  if (type !== undefined && (language !== undefined || typeof type !== 'string' || !ABSOLUTE.test(type))) return NOT_EXPANDED;
  if (language !== undefined && (typeof language !== 'string' || language !== language.toLowerCase())) return NOT_EXPANDED;
  return { ...value };
}

function copyItem(item: unknown, inList: boolean): unknown {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return NOT_EXPANDED;
  const object = item as Json;
  if ('@value' in object) return copyValueObject(object);
  if ('@list' in object) {
    const list = object['@list'];
    if (inList || Object.keys(object).length !== 1 || !Array.isArray(list)) return NOT_EXPANDED;
    const items: unknown[] = [];
    for (const entry of list) {
      const copy = copyItem(entry, true);
      if (copy === NOT_EXPANDED) return NOT_EXPANDED;
      items.push(copy);
    }
    return { '@list': items };
  }
  return copyNode(object);
}

function copyNode(node: Json): Json | typeof NOT_EXPANDED {
  const copy: Json = {};
  let keys = 0;
  for (const key in node) {
    keys++;
    const value = node[key];
    if (key === '@id') {
      if (!isIri(value)) return NOT_EXPANDED;
      copy[key] = value;
    } else if (key === '@type') {
      if (!Array.isArray(value) || value.length === 0 || !value.every(isIri)) return NOT_EXPANDED;
      copy[key] = [...value];
    } else {
      if (key.startsWith('_:') || !ABSOLUTE.test(key) || !Array.isArray(value) || value.length === 0) return NOT_EXPANDED;
      const items: unknown[] = [];
      for (const entry of value) {
        const item = copyItem(entry, false);
        if (item === NOT_EXPANDED) return NOT_EXPANDED;
        items.push(item);
      }
      copy[key] = items;
    }
  }
  return keys === 0 ? NOT_EXPANDED : copy;
}

/**
 * The expansion of `input` when it is a node object already in expanded form
 * and the options are Fedify's (free-floating nodes kept), else null.
 */
export function expansionOfExpanded(input: unknown, options: Json = {}): unknown[] | null {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return null;
  if (options.keepFreeFloatingNodes !== true || !Object.keys(options).every((key) => FEDIFY_OPTIONS.has(key))) return null;
  const copy = copyNode(input as Json);
  return copy === NOT_EXPANDED ? null : [copy];
}

/** Wraps jsonld.expand (the one instance Fedify imports) once. */
export function passExpandedThrough(): void {
  if (installed) return;
  installed = true;
  const api = jsonld as unknown as { expand: Expand };
  const expand = api.expand;
  api.expand = function (this: unknown, input: unknown, options?: Json) {
    const expanded = expansionOfExpanded(input, options);
    if (expanded === null) return expand.call(this, input, options);
    passedThrough++;
    return Promise.resolve(expanded);
  };
}

/** How many expansions were copies in this thread so far (tests). */
export function expansionsPassedThrough(): number {
  return passedThrough;
}
