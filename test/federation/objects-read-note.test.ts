// Remote Notes as Mastodon, Pixelfed and GoToSocial send them
// (test/fixtures/federation) → IncomingNote, with nothing fetched: contexts
// come from Fedify's preloaded set (the fixtures need no other), objects are
// never loaded.
import test from 'ava';
import { Create, Note } from '@fedify/vocab';
import { readNote, type IncomingNote } from '../../federation/objects/post-from-note.ts';
import { loadFixture, parseOptions, type Json } from '../fixtures/federation/fixtures.ts';

const ALICE = 'https://mastodon.example/users/alice';
const ALICE_FOLLOWERS = `${ALICE}/followers`;
const CAROL = 'https://viewfinder.example/users/carol';
const DANA = 'https://pixelfed.example/users/dana';

async function parseNote(json: Json): Promise<Note> {
  const note = await Note.fromJsonLd(json, parseOptions);
  if (!(note instanceof Note)) throw new Error('not a Note');
  return note;
}

async function read(name: string, authorFollowersUri: string | null): Promise<IncomingNote> {
  return readNote(await parseNote(await loadFixture(name)), { authorFollowersUri, contextLoader: parseOptions.contextLoader });
}

test('a public Mastodon Note: content with its language, tags, and both attachments with blurhash and focal point', async (t) => {
  const json = await loadFixture('mastodon-note-public');
  const incoming = await readNote(await parseNote(json), { authorFollowersUri: ALICE_FOLLOWERS });
  t.deepEqual(incoming, {
    uri: `${ALICE}/statuses/113482137458211234`,
    url: 'https://mastodon.example/@alice/113482137458211234',
    authorUri: ALICE,
    contentHtml: json.content as string,
    summary: '',
    sensitive: false,
    language: 'en',
    published: Date.parse('2024-11-14T08:12:45Z'),
    updated: null,
    inReplyToUri: null,
    visibility: 'public',
    recipientUris: [CAROL],
    mentionUris: [CAROL],
    hashtags: ['birdphotography', 'estuary'],
    attachments: [
      {
        url: 'https://files.mastodon.example/media_attachments/files/113/482/130/184/731/902/original/5c1e0f2a9b7d3e44.jpg',
        mediaType: 'image/jpeg',
        kind: 'image',
        name: 'A grey heron standing in shallow water, mist over the far bank',
        width: 2048,
        height: 1365,
        blurhash: 'LHE3euqSfjsq3GWFfQWrw#jufQju',
        focus: { x: -0.42, y: 0.18 },
      },
      {
        url: 'https://files.mastodon.example/media_attachments/files/113/482/131/002/118/655/original/a8f03d6e21c94b07.mp4',
        mediaType: 'video/mp4',
        kind: 'video',
        name: null,
        width: 1280,
        height: 720,
        blurhash: 'LdK9ro|=wwxFt~oJjtj@g0fjfQfj',
        focus: null,
      },
    ],
    location: null,
    // Mastodon's quote policy says nothing about replies.
    commentsEnabled: true,
  });
});

test('a Mastodon direct Note to two actors, each mentioned, is direct with both as recipients', async (t) => {
  const incoming = await read('mastodon-note-direct', ALICE_FOLLOWERS);
  t.is(incoming.visibility, 'direct');
  t.deepEqual(incoming.recipientUris, [CAROL, DANA]);
  t.deepEqual(incoming.mentionUris, [CAROL, DANA]);
  t.deepEqual(
    { uri: incoming.uri, authorUri: incoming.authorUri, published: incoming.published, hashtags: incoming.hashtags, attachments: incoming.attachments },
    { uri: `${ALICE}/statuses/113490552016733012`, authorUri: ALICE, published: Date.parse('2024-11-15T19:47:03Z'), hashtags: [], attachments: [] },
  );
});

test('a Mastodon followers-only reply: private, with its content warning, edit time, language and parent', async (t) => {
  const json = await loadFixture('mastodon-note-private');
  const incoming = await readNote(await parseNote(json), { authorFollowersUri: ALICE_FOLLOWERS });
  t.deepEqual(incoming, {
    uri: `${ALICE}/statuses/113501874420015530`,
    url: 'https://mastodon.example/@alice/113501874420015530',
    authorUri: ALICE,
    contentHtml: json.content as string,
    summary: 'Spoilers for the ending',
    sensitive: true,
    language: 'de',
    published: Date.parse('2024-11-17T18:06:55Z'),
    updated: Date.parse('2024-11-17T18:20:12Z'),
    inReplyToUri: 'https://viewfinder.example/users/carol/statuses/4816203040522241',
    visibility: 'private',
    recipientUris: [CAROL],
    mentionUris: [CAROL],
    hashtags: [],
    attachments: [],
    location: null,
    commentsEnabled: true,
  });
});

test('a followers-only Note stays private when the author\'s followers URI is not known yet', async (t) => {
  const incoming = await read('mastodon-note-private', null);
  t.is(incoming.visibility, 'private');
  // Unrecognized, the followers collection counts as an addressee.
  t.deepEqual(incoming.recipientUris, [ALICE_FOLLOWERS, CAROL]);
});

test('a Pixelfed Note: every carousel image with alt text and blurhash, the place from decimal strings, comments off', async (t) => {
  const json = await loadFixture('pixelfed-note');
  const incoming = await readNote(await parseNote(json), { authorFollowersUri: `${DANA}/followers` });
  const storage = 'https://pixelfed.example/storage/m/_v2/704215536918749185/2c5e8f0d1-b7a9e4';
  t.deepEqual(incoming, {
    uri: 'https://pixelfed.example/p/dana/812345678901234567',
    url: 'https://pixelfed.example/p/dana/812345678901234567',
    authorUri: DANA,
    contentHtml: json.content as string,
    summary: '',
    sensitive: false,
    language: null,
    published: Date.parse('2025-05-01T09:30:00Z'),
    updated: null,
    inReplyToUri: null,
    visibility: 'public',
    recipientUris: [],
    mentionUris: [],
    hashtags: ['filmphotography', 'lisboa'],
    attachments: [
      { url: `${storage}/Qm3nV7sLkT2pXw9aRf4b.jpg`, mediaType: 'image/jpeg', kind: 'image', name: 'Tram 28 turning a corner on a steep street', width: 1080, height: 1350, blurhash: 'LfE1m;msg0n+|xn*fjo1$5jtfQjt', focus: null },
      { url: `${storage}/Hc8wZq1yUe5rTm6nJd0s.jpg`, mediaType: 'image/jpeg', kind: 'image', name: 'Laundry drying between two tiled facades', width: 1080, height: 1350, blurhash: 'L6D-}zz5g0$,%*ixfjj;fZfSfQfS', focus: null },
      { url: `${storage}/Vb2kLp9oWx4sYt7eGa3h.jpg`, mediaType: 'image/jpeg', kind: 'image', name: null, width: 1350, height: 1080, blurhash: null, focus: null },
    ],
    location: { name: 'Lisbon', latitude: 38.722252, longitude: -9.139337 },
    commentsEnabled: false,
  });
});

test('Pixelfed capabilities alone (reply naming nobody) also turn comments off', async (t) => {
  const json = await loadFixture('pixelfed-note');
  delete json.commentsEnabled;
  const note = await parseNote(json);
  t.false((await readNote(note, { authorFollowersUri: null })).commentsEnabled);
  const open = { ...json, capabilities: { ...(json.capabilities as Json), reply: 'https://www.w3.org/ns/activitystreams#Public' } };
  t.true((await readNote(await parseNote(open), { authorFollowersUri: null })).commentsEnabled);
});

test('a GoToSocial Note whose canReply approves only the author has comments off; single values read as lists', async (t) => {
  const incoming = await read('gotosocial-note-replies-off', 'https://gts.example/users/erin/followers');
  t.false(incoming.commentsEnabled);
  t.is(incoming.visibility, 'public');
  t.deepEqual(incoming.recipientUris, []);
  t.deepEqual(incoming.attachments, [
    {
      url: 'https://gts.example/fileserver/01H8XZ4KQ0M2N3P4R5S6T7V8W9/attachment/original/01JD3K6ZB4C5D6E7F8G9H0J1K2.webp',
      mediaType: 'image/webp',
      kind: 'image',
      name: 'Three wet prints hanging from a line under a red safelight',
      width: 1920,
      height: 1280,
      blurhash: 'LHE3euqSfjsq3GWFfQWrw#jufQju',
      focus: { x: 0.1, y: -0.3 },
    },
  ]);
});

test('a Note inside a Create: unlisted, and its blurhash and focal point read from the activity\'s JSON', async (t) => {
  const create = await Create.fromJsonLd(await loadFixture('mastodon-create-unlisted'), parseOptions);
  const note = await create.getObject(parseOptions);
  if (!(note instanceof Note)) return t.fail('no embedded Note');
  const activityJson = (await create.toJsonLd()) as Json;
  const incoming = await readNote(note, { authorFollowersUri: ALICE_FOLLOWERS, json: activityJson.object });
  t.is(incoming.visibility, 'unlisted');
  t.deepEqual(incoming.recipientUris, []);
  t.deepEqual(incoming.hashtags, ['film']);
  t.deepEqual(incoming.attachments, [
    {
      url: 'https://files.mastodon.example/media_attachments/files/113/512/988/406/338/120/original/0d9b6e3a51f27c88.png',
      mediaType: 'image/png',
      kind: 'image',
      name: 'Twelve small frames of a beach in black and white',
      width: 1600,
      height: 1200,
      blurhash: 'LdATm]Fko5bKESwgWqjbo1WpjtfQ',
      focus: { x: 0, y: 1 },
    },
  ]);
  // Without the JSON, an embedded Note keeps what the vocabulary holds only.
  const bare = await readNote(note, { authorFollowersUri: ALICE_FOLLOWERS });
  t.deepEqual(
    bare.attachments.map((a) => [a.url, a.width, a.blurhash, a.focus]),
    [[incoming.attachments[0]!.url, 1600, null, null]],
  );
});

test('attachments and places given only by URL are skipped, never fetched', async (t) => {
  const json = await loadFixture('pixelfed-note');
  json.attachment = ['https://pixelfed.example/storage/m/elsewhere.jpg', ...(json.attachment as Json[]).slice(0, 1)];
  json.location = 'https://pixelfed.example/places/123';
  const incoming = await readNote(await parseNote(json), { authorFollowersUri: null });
  t.deepEqual(incoming.attachments.map((a) => a.name), ['Tram 28 turning a corner on a steep street']);
  t.is(incoming.location, null);
});

test('a Note addressed to an actor it does not mention is private, not direct', async (t) => {
  const json = await loadFixture('mastodon-note-direct');
  json.to = [CAROL, 'https://mastodon.example/users/alice/lists/7'];
  const incoming = await readNote(await parseNote(json), { authorFollowersUri: ALICE_FOLLOWERS });
  t.is(incoming.visibility, 'private');
});

test('a Note without id or attributedTo is refused with a 422', async (t) => {
  const json = await loadFixture('mastodon-note-direct');
  delete json.attributedTo;
  const error = await t.throwsAsync(readNote(await parseNote(json), { authorFollowersUri: null }));
  t.is((error as Error & { status?: number }).status, 422);
});
