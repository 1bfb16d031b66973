// Expansion of already-expanded JSON-LD as a copy (federation/expanded-passthrough.ts):
// on every expansion Fedify makes while parsing the real-world fixtures, the
// copy is what jsonld.js makes; inputs outside the plain expanded form go to
// jsonld.js; installed, Fedify's parses are the same and cheaper.
import test from 'ava';
import { readdir } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { Object as ASObject } from '@fedify/vocab';
import jsonld from '@fedify/vocab-runtime/jsonld';
import { expansionOfExpanded, expansionsPassedThrough, passExpandedThrough } from '../../federation/expanded-passthrough.ts';
import { loadFixture, parseOptions, type Json } from '../fixtures/federation/fixtures.ts';

type Expand = (input: unknown, options?: Json) => Promise<unknown[]>;
const api = jsonld as unknown as { expand: Expand };
const FEDIFY = { documentLoader: parseOptions.contextLoader, keepFreeFloatingNodes: true };
const AS = 'https://www.w3.org/ns/activitystreams#';

async function fixtures(): Promise<{ name: string; json: Json }[]> {
  const names = (await readdir(new URL('../fixtures/federation/', import.meta.url))).filter((f) => f.endsWith('.json'));
  return Promise.all(names.map(async (file) => ({ name: file, json: await loadFixture(file.replace(/\.json$/, '')) })));
}

/** Each fixture parsed by Fedify into its vocabulary, as its canonical expanded JSON-LD. */
async function parseAll(docs: { json: Json }[]): Promise<string[]> {
  const out: string[] = [];
  for (const { json } of docs) {
    const object = await ASObject.fromJsonLd(structuredClone(json), parseOptions);
    out.push(JSON.stringify(await object.toJsonLd({ format: 'expand', contextLoader: parseOptions.contextLoader })));
  }
  return out;
}

test.serial("on every expansion Fedify makes of the Mastodon, Pixelfed and GoToSocial fixtures, the copy is jsonld.js's expansion", async (t) => {
  const expand = api.expand;
  let compared = 0;
  const differing: string[] = [];
  api.expand = async function (this: unknown, input: unknown, options?: Json) {
    const real = await expand.call(this, input, options);
    const copy = expansionOfExpanded(structuredClone(input), options);
    if (copy !== null) {
      compared++;
      if (!isDeepStrictEqual(copy, real)) differing.push(JSON.stringify(input));
    }
    return real;
  };
  try {
    const docs = await fixtures();
    t.true(docs.length >= 20);
    await parseAll(docs);
  } finally {
    api.expand = expand;
  }
  t.deepEqual(differing, []);
  t.true(compared > 100, `the copy applied to ${compared} expansions`);
});

test.serial('inputs outside the plain expanded form, or other options, are left to jsonld.js', async (t) => {
  const note = { '@id': 'https://a.example/notes/1', '@type': [`${AS}Note`], [`${AS}content`]: [{ '@value': 'hi' }] };
  t.deepEqual(expansionOfExpanded(note, FEDIFY), await api.expand(note, FEDIFY), 'expanded form: the same');
  const refused: [string, unknown, Json?][] = [
    ['a compact document', { '@context': 'https://www.w3.org/ns/activitystreams', id: 'https://a.example/1', type: 'Note' }],
    ['terms that are not IRIs', { '@id': 'https://a.example/1', content: ['hi'] }],
    ['a relative id', { ...note, '@id': '/notes/1' }],
    ['a relative type', { ...note, '@type': ['Note'] }],
    ['a value not in an array', { ...note, [`${AS}content`]: { '@value': 'hi' } }],
    ['an empty array', { ...note, [`${AS}tag`]: [] }],
    ['a plain string value', { ...note, [`${AS}content`]: ['hi'] }],
    ['a null value', { ...note, [`${AS}content`]: [{ '@value': null }] }],
    ['an upper-case language tag', { ...note, [`${AS}content`]: [{ '@value': 'hi', '@language': 'en-US' }] }],
    ['a JSON literal', { ...note, [`${AS}content`]: [{ '@value': { a: 1 }, '@type': '@json' }] }],
    ['a value with an index', { ...note, [`${AS}content`]: [{ '@value': 'hi', '@index': 'x' }] }],
    ['a graph', { ...note, '@graph': [{ '@id': 'https://a.example/2' }] }],
    ['a reverse property', { ...note, '@reverse': { [`${AS}object`]: [{ '@id': 'https://a.example/2' }] } }],
    ['a nested context', { ...note, [`${AS}attachment`]: [{ '@context': {}, '@id': 'https://a.example/2' }] }],
    ['a list of lists', { ...note, [`${AS}items`]: [{ '@list': [{ '@list': [] }] }] }],
    ['an empty node', {}],
    ['an array', [note]],
    ['a base URL', note, { ...FEDIFY, base: 'https://a.example/' }],
    ['free-floating nodes dropped', note, { documentLoader: FEDIFY.documentLoader }],
  ];
  for (const [what, input, options] of refused) t.is(expansionOfExpanded(input, options ?? FEDIFY), null, what);

  // The copy is Fedify's to change: nothing of the input is shared.
  const copy = expansionOfExpanded(note, FEDIFY)![0] as Json;
  delete copy['@type'];
  (copy[`${AS}content`] as Json[])[0]!['@value'] = 'changed';
  t.deepEqual(note['@type'], [`${AS}Note`]);
  t.is(note[`${AS}content`][0]!['@value'], 'hi');
});

test.serial("installed, Fedify's parses of every fixture are the same, with expansions copied", async (t) => {
  const docs = await fixtures();
  const before = await parseAll(docs);
  passExpandedThrough();
  passExpandedThrough(); // idempotent
  const copies = expansionsPassedThrough();
  const after = await parseAll(docs);
  t.deepEqual(after, before);
  t.true(expansionsPassedThrough() > copies);
});
