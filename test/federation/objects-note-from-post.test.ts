// Our posts as Notes: what Mastodon and Pixelfed get when they fetch one
// (noteFromPost → toJsonLd → withExtras, the document an object dispatcher
// serves), and that reading it back gives the post we started from.
import test from 'ava';
import { Note, Tombstone } from '@fedify/vocab';
import jsonld from '@fedify/vocab-runtime/jsonld';
import type { Account } from '../../server/db/accounts.repo.ts';
import type { Media } from '../../server/db/media.repo.ts';
import type { Post, PostVisibility } from '../../server/db/posts.repo.ts';
import { withExtras, type JsonObject } from '../../federation/objects/json-ld-extras.ts';
import { createLocalUrls } from '../../federation/objects/local-urls.ts';
import { extraJsonLd, noteWithExtras } from '../../federation/objects/note-extras.ts';
import { noteFromPost, tombstoneForPost, type LocalNoteInput } from '../../federation/objects/note-from-post.ts';
import { readNote } from '../../federation/objects/post-from-note.ts';
import { offlineContextLoader, parseOptions } from '../fixtures/federation/fixtures.ts';

const BASE = 'https://viewfinder.example';
const urls = createLocalUrls(BASE);
const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
const CAROL = `${BASE}/users/carol`;
const FOLLOWERS = `${CAROL}/followers`;
const ALICE = 'https://mastodon.example/users/alice';
const DANA = 'https://pixelfed.example/users/dana';
const CREATED = Date.parse('2025-03-02T10:15:00Z');

const author = { id: 7, username: 'carol', domain: null, displayName: 'Carol', bot: false } as Account;

function post(changes: Partial<Post> = {}): Post {
  return {
    id: 4816203040522241, accountId: 7, kind: 'carousel', caption: 'Harbour at dawn #harbour',
    captionHtml: '<p>Harbour at dawn <a href="https://viewfinder.example/tags/harbour" class="mention hashtag" rel="tag">#harbour</a></p>',
    spoilerText: '', sensitive: false, visibility: 'public', language: 'en',
    locationName: 'Porto, Ribeira', latitude: 41.1406, longitude: -8.6132,
    inReplyToId: null, inReplyToAccountId: null, inReplyToUri: null, reblogOfId: null, conversationId: null, applicationId: null,
    commentsEnabled: true, hideLikeCount: false, likesCount: 0, commentsCount: 0, reblogsCount: 0,
    uri: null, url: null, pinnedAt: null, archivedAt: null, editedAt: null, deletedAt: null, createdAt: CREATED, updatedAt: CREATED,
    ...changes,
  };
}

function image(position: number, key: string, alt: string | null, blurhash: string, focus: [number, number]): Media {
  const variant = (suffix: string, width: number, height: number) => ({ key: `${key}-${suffix}.jpg`, width, height });
  return {
    id: 100 + position, accountId: 7, postId: 4816203040522241, position, kind: 'image', state: 'ready', error: null,
    mimeType: 'image/heic', fileSize: 3_000_000, uploadKey: null, keepCameraInfo: false,
    variants: { original: variant('o', 4032, 3024), large: variant('l', 1440, 1080), small: variant('s', 640, 480) },
    remoteUrl: null, width: 4032, height: 3024, duration: null, blurhash, focusX: focus[0], focusY: focus[1], description: alt,
    processedAt: CREATED, createdAt: CREATED, updatedAt: CREATED,
  };
}

function video(position: number): Media {
  return {
    ...image(position, 'vv/ww/clip', 'Waves on the pier', 'LdK9ro|=wwxFt~oJjtj@g0fjfQfj', [0, 0]),
    kind: 'video', mimeType: 'video/quicktime',
    variants: { original: { key: 'vv/ww/clip.mp4', width: 1920, height: 1080, duration: 12.5 }, poster: { key: 'vv/ww/clip-poster.jpg', width: 1920, height: 1080 } },
  };
}

const media = [
  image(1, 'ab/cd/boats', 'Fishing boats moored three deep', 'LHE3euqSfjsq3GWFfQWrw#jufQju', [0.25, -0.5]),
  image(0, 'ef/01/bridge', 'The iron bridge in fog', 'LdATm]Fko5bKESwgWqjbo1WpjtfQ', [0, 0]),
  video(2),
  image(3, 'ff/ee/late', null, 'L6D-}zz5g0$,%*ixfjj;fZfSfQfS', [0, 0]),
  image(4, 'aa/bb/extra', 'A fifth photo (Mastodon shows four; every one is sent)', 'LfE1m;msg0n+|xn*fjo1$5jtfQjt', [-1, 1]),
];

function input(changes: Partial<LocalNoteInput> = {}, postChanges: Partial<Post> = {}): LocalNoteInput {
  return {
    post: post(postChanges), author, media, hashtags: ['harbour'],
    mentions: [{ uri: ALICE, acct: 'alice@mastodon.example' }], inReplyToUri: null, directRecipients: [], ...changes,
  };
}

/** The served document: Fedify's JSON-LD with the extras merged. */
async function served(noteInput: LocalNoteInput): Promise<JsonObject> {
  return withExtras(await noteFromPost(noteInput, urls).toJsonLd(), extraJsonLd(noteInput, urls));
}

const mediaUrl = (key: string) => `${BASE}/media/${key}`;

test('a public carousel post: ids, content with its language, audience, tags, place and replies', async (t) => {
  const json = await served(input());
  t.is(json.id, `${BASE}/users/carol/statuses/4816203040522241`);
  t.is(json.type, 'Note');
  t.is(json.url, `${BASE}/@carol/4816203040522241`);
  t.is(json.attributedTo, CAROL);
  t.is(json.content, post().captionHtml);
  t.deepEqual(json.contentMap, { en: post().captionHtml });
  t.is(json.summary, undefined);
  t.false(json.sensitive);
  t.is(json.published, '2025-03-02T10:15:00Z');
  t.is(json.updated, undefined);
  t.deepEqual(json.to, [PUBLIC]);
  t.deepEqual(json.cc, [FOLLOWERS, ALICE]);
  t.deepEqual(json.tag, [
    { type: 'Hashtag', href: `${BASE}/tags/harbour`, name: '#harbour' },
    { type: 'Mention', href: ALICE, name: '@alice@mastodon.example' },
  ]);
  t.deepEqual(json.location, { type: 'Place', name: 'Porto, Ribeira', latitude: 41.1406, longitude: -8.6132 });
  t.is(json.replies, `${BASE}/users/carol/statuses/4816203040522241/replies`);
  t.is(json.inReplyTo, undefined);
  t.is(json.commentsEnabled, true);
});

test('every carousel item is attached in order: largest rendered file, type, size, alt text, blurhash, focal point', async (t) => {
  const json = await served(input());
  t.deepEqual(json.attachment, [
    { type: 'Image', mediaType: 'image/jpeg', url: mediaUrl('ef/01/bridge-o.jpg'), width: 4032, height: 3024, name: 'The iron bridge in fog', blurhash: 'LdATm]Fko5bKESwgWqjbo1WpjtfQ', focalPoint: [0, 0] },
    { type: 'Image', mediaType: 'image/jpeg', url: mediaUrl('ab/cd/boats-o.jpg'), width: 4032, height: 3024, name: 'Fishing boats moored three deep', blurhash: 'LHE3euqSfjsq3GWFfQWrw#jufQju', focalPoint: [0.25, -0.5] },
    {
      type: 'Video', mediaType: 'video/mp4', url: mediaUrl('vv/ww/clip.mp4'), width: 1920, height: 1080, name: 'Waves on the pier', blurhash: 'LdK9ro|=wwxFt~oJjtj@g0fjfQfj', focalPoint: [0, 0],
      icon: { type: 'Image', mediaType: 'image/jpeg', url: mediaUrl('vv/ww/clip-poster.jpg'), width: 1920, height: 1080 },
    },
    { type: 'Image', mediaType: 'image/jpeg', url: mediaUrl('ff/ee/late-o.jpg'), width: 4032, height: 3024, blurhash: 'L6D-}zz5g0$,%*ixfjj;fZfSfQfS', focalPoint: [0, 0] },
    { type: 'Image', mediaType: 'image/jpeg', url: mediaUrl('aa/bb/extra-o.jpg'), width: 4032, height: 3024, name: 'A fifth photo (Mastodon shows four; every one is sent)', blurhash: 'LfE1m;msg0n+|xn*fjo1$5jtfQjt', focalPoint: [-1, 1] },
  ]);
});

test('media still processing is left out; a single attachment is still a list', async (t) => {
  const pending: Media = { ...media[0]!, state: 'processing', variants: {} };
  const json = await served(input({ media: [pending, media[1]!] }));
  t.deepEqual((json.attachment as JsonObject[]).map((a) => a.url), [mediaUrl('ef/01/bridge-o.jpg')]);
});

const addressing: [PostVisibility, string[], string[]][] = [
  ['public', [PUBLIC], [FOLLOWERS, ALICE]],
  ['unlisted', [FOLLOWERS], [PUBLIC, ALICE]],
  ['private', [FOLLOWERS], [ALICE]],
  ['direct', [ALICE, DANA], []],
];
for (const [visibility, to, cc] of addressing) {
  test(`a ${visibility} post is addressed as Mastodon addresses it, and read back as ${visibility}`, async (t) => {
    const noteInput = input({ directRecipients: visibility === 'direct' ? [ALICE, DANA] : [], mentions: [{ uri: ALICE, acct: 'alice@mastodon.example' }, ...(visibility === 'direct' ? [{ uri: DANA, acct: 'dana@pixelfed.example' }] : [])] }, { visibility });
    const json = await served(noteInput);
    t.deepEqual(json.to, to);
    t.deepEqual(json.cc ?? [], cc);
    const incoming = await readNote(await Note.fromJsonLd(json, parseOptions), { authorFollowersUri: FOLLOWERS });
    t.is(incoming.visibility, visibility);
    const shareable = visibility === 'public' || visibility === 'unlisted';
    t.deepEqual(json.capabilities, { announce: shareable ? PUBLIC : [], like: PUBLIC, reply: PUBLIC });
  });
}

test('comments disabled: Pixelfed\'s commentsEnabled and capabilities, GoToSocial\'s canReply for the author only', async (t) => {
  const json = await served(input({}, { commentsEnabled: false }));
  t.is(json.commentsEnabled, false);
  t.deepEqual(json.capabilities, { announce: PUBLIC, like: PUBLIC, reply: [] });
  t.deepEqual(json.interactionPolicy, { canReply: { automaticApproval: [CAROL] } });
  const open = await served(input());
  t.deepEqual(open.interactionPolicy, { canReply: { automaticApproval: [PUBLIC] } });
});

test('a reply with a content warning, edited: inReplyTo, summary, sensitive, updated', async (t) => {
  const edited = Date.parse('2025-03-02T11:00:30Z');
  const parent = 'https://mastodon.example/users/alice/statuses/113482137458211234';
  const json = await served(input({ inReplyToUri: parent }, { spoilerText: 'Heights', sensitive: true, editedAt: edited, language: null }));
  t.is(json.inReplyTo, parent);
  t.is(json.summary, 'Heights');
  t.true(json.sensitive);
  t.is(json.updated, '2025-03-02T11:00:30Z');
  t.is(json.contentMap, undefined);
});

test('the served document expands to the Mastodon and Pixelfed IRIs for its extra keys', async (t) => {
  const json = await served(input({}, { commentsEnabled: false }));
  const [expanded] = (await jsonld.expand(json, { documentLoader: offlineContextLoader() })) as JsonObject[];
  t.deepEqual(expanded!['http://pixelfed.org/ns#commentsEnabled'], [{ '@value': false, '@type': 'http://schema.org/Boolean' }]);
  const attachments = expanded!['https://www.w3.org/ns/activitystreams#attachment'] as JsonObject[];
  t.deepEqual(attachments[1]!['http://joinmastodon.org/ns#blurhash'], [{ '@value': 'LHE3euqSfjsq3GWFfQWrw#jufQju' }]);
  t.deepEqual(attachments[1]!['http://joinmastodon.org/ns#focalPoint'], [{ '@list': [{ '@value': 0.25 }, { '@value': -0.5 }] }]);
});

test('round trip: the served Note reads back as the post, carousel, place and comment setting included', async (t) => {
  const noteInput = input({}, { commentsEnabled: false });
  const json = await served(noteInput);
  const note = await Note.fromJsonLd(json, parseOptions);
  // Fedify keeps the document it parsed: this Note serves the extras as they are.
  t.deepEqual(await note.toJsonLd(), json);
  const incoming = await readNote(note, { authorFollowersUri: FOLLOWERS });
  t.like(incoming, {
    uri: `${BASE}/users/carol/statuses/4816203040522241`, url: `${BASE}/@carol/4816203040522241`, authorUri: CAROL,
    contentHtml: noteInput.post.captionHtml, summary: '', sensitive: false, language: 'en', published: CREATED, updated: null,
    visibility: 'public', recipientUris: [ALICE], mentionUris: [ALICE], hashtags: ['harbour'],
    location: { name: 'Porto, Ribeira', latitude: 41.1406, longitude: -8.6132 }, commentsEnabled: false,
  });
  t.deepEqual(
    incoming.attachments.map((a) => [a.kind, a.name, a.width, a.height, a.blurhash, a.focus]),
    [...media].sort((a, b) => a.position - b.position).map((m) => [m.kind, m.description, m.kind === 'video' ? 1920 : 4032, m.kind === 'video' ? 1080 : 3024, m.blurhash, { x: m.focusX, y: m.focusY }]),
  );
});

test('noteWithExtras: the Note a dispatcher returns serves the merged document as it is', async (t) => {
  const noteInput = input({}, { commentsEnabled: false });
  const note = await noteWithExtras(noteInput, urls, { contextLoader: parseOptions.contextLoader });
  t.deepEqual(await note.toJsonLd(), await served(noteInput));
});

test('a deleted post is a Tombstone of a Note at the same id', async (t) => {
  const deletedAt = Date.parse('2025-03-05T08:00:00Z');
  const tombstone = tombstoneForPost(post({ deletedAt }), author, urls);
  t.true(tombstone instanceof Tombstone);
  const json = (await tombstone.toJsonLd()) as JsonObject;
  t.like(json, { id: `${BASE}/users/carol/statuses/4816203040522241`, type: 'Tombstone', formerType: 'as:Note', deleted: '2025-03-05T08:00:00Z' });
});
