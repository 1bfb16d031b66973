// Parsing Fedify repeats, done once (federation/vocab-memo.ts): a stored key
// document becomes a key once; an activity object parsed twice by Fedify's
// inbox is parsed once; an inbox POST parses only the activity's envelope.
// Checked on the wrapped parsers and through a real inbox.
import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { signRequest } from '@fedify/fedify';
import { Activity, CryptographicKey, Like } from '@fedify/vocab';
import { accountKeyPairs } from '../../federation/keys.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { memoizeVocabParsing, vocabMemoHits } from '../../federation/vocab-memo.ts';
import { photos, post } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';

const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

function keyDocument(owner: string): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    '@context': 'https://w3id.org/security/v1',
    id: `${owner}#main-key`,
    type: 'CryptographicKey',
    owner,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
  };
}

for (const target of await databaseTargets()) {
  test.serial(`${target.name}: Fedify's inbox goes through both memos`, async (t) => {
    const [a, b] = await Promise.all([startInstance(t, target), startInstance(t, target)]);
    const [alice, bob] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    const original = await post(b, bob, { status: 'boats', media_ids: await photos(b, bob, ['a boat']) });
    const actor = `${a.url}/users/alice`;
    const person = await (await fetch(actor, { headers: { Accept: 'application/activity+json' } })).json();
    const [rsa] = await accountKeyPairs(a.db, alice.accountId);
    const before = vocabMemoHits();
    // The first POST fetches alice's key and stores it; the second parses the
    // stored document; the third gets that parse again.
    for (const n of [1, 2, 3]) {
      // As Mastodon sends a Like: plain JSON, signed over HTTP only (no LD signature).
      const body = JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${actor}#likes/${n}`, type: 'Like', actor, object: original.uri });
      const signed = await signRequest(new Request(`${b.url}/users/bob/inbox`, { method: 'POST', headers: { 'Content-Type': 'application/activity+json' }, body }), rsa!.privateKey, new URL(person.publicKey.id));
      t.is((await fetch(signed)).status, 202);
    }
    await eventually('the Like on B', async () => (await bob.client.v1.statuses.$select(original.id).fetch()).favouritesCount === 1);
    const after = vocabMemoHits();
    t.true(after.activities >= before.activities + 3, 'each POST parsed once, not twice');
    t.true(after.keys > before.keys, "alice's stored key not parsed again");
  });

  test.serial(`${target.name}: an inbox POST parses only the envelope; the job parses the whole Create; a broken note is dropped there`, async (t) => {
    const [a, b] = await Promise.all([startInstance(t, target), startInstance(t, target)]);
    const [alice] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    const actor = `${a.url}/users/alice`;
    const person = await (await fetch(actor, { headers: { Accept: 'application/activity+json' } })).json();
    const [rsa] = await accountKeyPairs(a.db, alice.accountId);
    const send = async (note: Record<string, unknown>) => {
      const body = JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${note.id}/activity`, type: 'Create', actor, to: [PUBLIC], object: note });
      const signed = await signRequest(new Request(`${b.url}/inbox`, { method: 'POST', headers: { 'Content-Type': 'application/activity+json' }, body }), rsa!.privateKey, new URL(person.publicKey.id));
      return (await fetch(signed)).status;
    };
    const note = (n: number, extra: Record<string, unknown> = {}) => ({
      id: `${actor}/statuses/${n}`,
      type: 'Note',
      attributedTo: actor,
      to: [PUBLIC],
      published: '2026-12-01T10:00:00Z',
      content: `<p>harbour ${n}</p>`,
      attachment: [{ type: 'Image', mediaType: 'image/jpeg', url: `${a.url}/media/${n}.jpg`, name: `the harbour, take ${n}`, width: 64, height: 48 }],
      ...extra,
    });

    const before = vocabMemoHits();
    t.is(await send(note(1)), 202);
    t.true(vocabMemoHits().envelopes > before.envelopes, 'the embedded note was not parsed on the request');
    // The job had the whole note: caption and the attachment's alt text, without fetching the note.
    const stored = await eventually('the post on B', () => b.db('posts').where({ uri: `${actor}/statuses/1` }).first());
    t.regex(stored.caption_html ?? stored.caption, /harbour 1/);
    t.is((await b.db('media').where({ post_id: stored.id }).first())?.description, 'the harbour, take 1');

    // A note Fedify cannot read passes the request (only its envelope is read there) and is dropped by the job, not retried.
    t.is(await send(note(2, { published: 'yesterday at noon' })), 202);
    await eventually('the broken Create handled', async () => Number((await b.db('jobs').where({ type: 'fedify.inbox' }).count({ n: '*' }).first())?.n) === 0);
    t.is(await b.db('posts').where({ uri: `${actor}/statuses/2` }).first(), undefined);
  });
}

test.serial('the same stored key document gives the same key; a rotated one is parsed anew; a bad one is not remembered', async (t) => {
  memoizeVocabParsing();
  memoizeVocabParsing(); // idempotent: no second wrapper
  const doc = keyDocument('https://remote.example/users/a');
  const first = await CryptographicKey.fromJsonLd(doc);
  t.is(await CryptographicKey.fromJsonLd(structuredClone(doc)), first, 'parsed once');
  t.is(first.ownerId?.href, 'https://remote.example/users/a');

  const rotated = await CryptographicKey.fromJsonLd(keyDocument('https://remote.example/users/a'));
  t.not(rotated, first);
  t.notDeepEqual(await crypto.subtle.exportKey('spki', rotated.publicKey!), await crypto.subtle.exportKey('spki', first.publicKey!));

  const broken = { ...doc, publicKeyPem: 'not a key' };
  await t.throwsAsync(CryptographicKey.fromJsonLd(broken));
  await t.throwsAsync(CryptographicKey.fromJsonLd(broken), undefined, 'a failure is not served from memory as a key');
});

test.serial('an activity object parsed twice is parsed once; an equal but fresh object is parsed anew', async (t) => {
  memoizeVocabParsing();
  const json = { '@context': 'https://www.w3.org/ns/activitystreams', id: 'https://remote.example/likes/1', type: 'Like', actor: 'https://remote.example/users/a', object: 'https://photos.example/p/1' };
  const first = await Activity.fromJsonLd(json);
  t.true(first instanceof Like);
  t.is(await Activity.fromJsonLd(json), first);
  const fresh = await Activity.fromJsonLd(structuredClone(json));
  t.not(fresh, first);
  t.is(fresh.id?.href, first.id?.href);
});
