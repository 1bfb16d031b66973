// Parsing Fedify repeats, done once (federation/vocab-memo.ts): a stored key
// document becomes a key once; an activity object parsed twice by Fedify's
// inbox is parsed once. Checked on the wrapped parsers and through a real inbox.
import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { signRequest } from '@fedify/fedify';
import { Activity, CryptographicKey, Like } from '@fedify/vocab';
import { accountKeyPairs } from '../../federation/keys.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { memoizeVocabParsing, vocabMemoHits } from '../../federation/vocab-memo.ts';
import { photos, post } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';

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
