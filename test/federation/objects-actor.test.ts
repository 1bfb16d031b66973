// Actors both ways: our accounts as the Person (or Service) other servers
// fetch, and Mastodon's and Pixelfed's actor documents as account data.
import test from 'ava';
import { CryptographicKey, Multikey, Object as ASObject, Person, Service, isActor, type Actor } from '@fedify/vocab';
import { generateCryptoKeyPair } from '@fedify/fedify';
import type { Account } from '../../server/db/accounts.repo.ts';
import { readActor } from '../../federation/objects/account-from-actor.ts';
import { personFromAccount, type LocalActorInput } from '../../federation/objects/actor-from-account.ts';
import { createLocalUrls } from '../../federation/objects/local-urls.ts';
import { loadFixture, parseOptions, type Json } from '../fixtures/federation/fixtures.ts';

const BASE = 'http://127.0.0.1:3001';
const urls = createLocalUrls(BASE);
const CREATED = Date.parse('2025-01-20T16:00:00Z');

const account = {
  id: 7, username: 'carol', domain: null, displayName: 'Carol Duarte', note: 'Harbours.', noteHtml: '<p>Harbours and <a href="http://127.0.0.1:3001/tags/fog">#fog</a></p>',
  locked: true, discoverable: true, bot: false, alsoKnownAs: JSON.stringify(['https://mastodon.example/users/carol']), createdAt: CREATED,
} as Account;

async function keys(): Promise<Pick<LocalActorInput, 'publicKeys' | 'assertionMethods'>> {
  const rsa = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
  const ed = await generateCryptoKeyPair('Ed25519');
  const actor = urls.actor('carol');
  return {
    publicKeys: [new CryptographicKey({ id: new URL(`${actor.href}#main-key`), owner: actor, publicKey: rsa.publicKey })],
    assertionMethods: [new Multikey({ id: new URL(`${actor.href}#ed25519-key`), controller: actor, publicKey: ed.publicKey })],
  };
}

async function localActor(changes: Partial<LocalActorInput> = {}): Promise<Person | Service> {
  return personFromAccount(
    {
      account,
      avatarUrl: `${BASE}/media/12/34/avatar.png`,
      headerUrl: `${BASE}/media/56/78/header.jpg`,
      fields: [{ name: 'Site', value: '<a href="https://carol.example" rel="me nofollow noopener noreferrer" target="_blank">carol.example</a>' }],
      ...(await keys()),
      ...changes,
    },
    urls,
  );
}

async function parseActor(json: Json): Promise<Actor> {
  const actor = await ASObject.fromJsonLd(json, parseOptions);
  if (!isActor(actor)) throw new Error('not an actor');
  return actor;
}

test('a local account as its Person: profile, approval, fields as PropertyValue, collections, shared inbox, keys', async (t) => {
  const json = (await (await localActor()).toJsonLd()) as Json;
  const actor = `${BASE}/users/carol`;
  t.like(json, {
    id: actor, type: 'Person', preferredUsername: 'carol', name: 'Carol Duarte', summary: account.noteHtml, url: `${BASE}/@carol`,
    manuallyApprovesFollowers: true, discoverable: true, published: '2025-01-20T16:00:00Z',
    inbox: `${actor}/inbox`, outbox: `${actor}/outbox`, followers: `${actor}/followers`, following: `${actor}/following`, featured: `${actor}/collections/featured`,
    endpoints: { sharedInbox: `${BASE}/inbox` },
    icon: { type: 'Image', mediaType: 'image/png', url: `${BASE}/media/12/34/avatar.png` },
    image: { type: 'Image', mediaType: 'image/jpeg', url: `${BASE}/media/56/78/header.jpg` },
    attachment: { type: 'PropertyValue', name: 'Site', value: '<a href="https://carol.example" rel="me nofollow noopener noreferrer" target="_blank">carol.example</a>' },
    alsoKnownAs: 'https://mastodon.example/users/carol',
    publicKey: { id: `${actor}#main-key`, type: 'CryptographicKey', owner: actor },
  });
  t.regex(String((json.publicKey as Json).publicKeyPem), /^-----BEGIN PUBLIC KEY-----/);
  t.like((json.assertionMethod as Json[])[0], { id: `${actor}#ed25519-key`, type: 'Multikey', controller: actor });
});

test('a bot account is a Service; a moved account names its successor', async (t) => {
  const bot = await localActor({ account: { ...account, bot: true }, movedToUri: 'https://mastodon.example/users/carol' });
  t.true(bot instanceof Service);
  const json = (await bot.toJsonLd()) as Json;
  t.is(json.type, 'Service');
  t.is(json.movedTo, 'https://mastodon.example/users/carol');
});

test('our Person reads back as the account; the domain keeps the port', async (t) => {
  const json = (await (await localActor()).toJsonLd()) as Json;
  const actor = `${BASE}/users/carol`;
  t.deepEqual(await readActor(await parseActor(json)), {
    uri: actor, username: 'carol', domain: '127.0.0.1:3001', displayName: 'Carol Duarte', noteHtml: account.noteHtml, url: `${BASE}/@carol`,
    avatarUrl: `${BASE}/media/12/34/avatar.png`, headerUrl: `${BASE}/media/56/78/header.jpg`, locked: true, discoverable: true, bot: false, actorType: 'Person',
    fields: [{ name: 'Site', value: '<a href="https://carol.example" rel="me nofollow noopener noreferrer" target="_blank">carol.example</a>' }],
    inbox: `${actor}/inbox`, sharedInbox: `${BASE}/inbox`, outbox: `${actor}/outbox`, followers: `${actor}/followers`, following: `${actor}/following`,
    featured: `${actor}/collections/featured`, alsoKnownAs: ['https://mastodon.example/users/carol'], movedTo: null, published: CREATED,
  });
});

test('a Mastodon Person: fields with their HTML, featured collection, avatar and header, aliases', async (t) => {
  const json = await loadFixture('mastodon-person');
  const alice = 'https://mastodon.example/users/alice';
  t.deepEqual(await readActor(await parseActor(json)), {
    uri: alice, username: 'alice', domain: 'mastodon.example', displayName: 'Alice Heron',
    noteHtml: '<p>Birds, fog and long lenses. Based on the estuary.</p>', url: 'https://mastodon.example/@alice',
    avatarUrl: 'https://files.mastodon.example/accounts/avatars/109/285/633/917/540/112/original/e8b1f9c3a2d4.png',
    headerUrl: 'https://files.mastodon.example/accounts/headers/109/285/633/917/540/112/original/7aa04c95f1b3.jpg',
    locked: false, discoverable: true, bot: false, actorType: 'Person',
    fields: (json.attachment as Json[]).map((f) => ({ name: f.name as string, value: f.value as string })),
    inbox: `${alice}/inbox`, sharedInbox: 'https://mastodon.example/inbox', outbox: `${alice}/outbox`,
    followers: `${alice}/followers`, following: `${alice}/following`, featured: `${alice}/collections/featured`,
    alsoKnownAs: ['https://old.example/users/aliceheron'], movedTo: null, published: Date.parse('2022-11-04T00:00:00Z'),
  });
});

test('a Pixelfed Person: locked, no fields, no featured collection, its /f/inbox shared inbox', async (t) => {
  const dana = 'https://pixelfed.example/users/dana';
  t.deepEqual(await readActor(await parseActor(await loadFixture('pixelfed-person'))), {
    uri: dana, username: 'dana', domain: 'pixelfed.example', displayName: 'Dana Okafor', noteHtml: 'Film, mostly. Lisbon / Lagos.',
    url: 'https://pixelfed.example/dana',
    avatarUrl: 'https://pixelfed.example/storage/avatars/321/493/203/015/480/960/0/R4pGqC2mWz9xTb7Lk1sd_avatar.jpg?v=4',
    headerUrl: null, locked: true, discoverable: false, bot: false, actorType: 'Person', fields: [],
    inbox: `${dana}/inbox`, sharedInbox: 'https://pixelfed.example/f/inbox', outbox: `${dana}/outbox`,
    followers: `${dana}/followers`, following: `${dana}/following`, featured: null,
    alsoKnownAs: ['https://mastodon.example/users/dana'], movedTo: null, published: null,
  });
});

test('Pixelfed\'s instance actor is an Application, read as a bot', async (t) => {
  const data = await readActor(await parseActor(await loadFixture('pixelfed-instance-actor')));
  t.like(data, { uri: 'https://pixelfed.example/i/actor', username: 'pixelfed.example', actorType: 'Application', bot: true, sharedInbox: null });
  // Its only context, ActivityStreams, has no manuallyApprovesFollowers term,
  // so as JSON-LD the document does not say it (Mastodon reads the bare key).
  t.false(data.locked);
});

test('an actor without preferredUsername is refused with a 422', async (t) => {
  const json = await loadFixture('pixelfed-person');
  delete json.preferredUsername;
  const error = await t.throwsAsync(readActor(await parseActor(json)));
  t.is((error as Error & { status?: number }).status, 422);
});
