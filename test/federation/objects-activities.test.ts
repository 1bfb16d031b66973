// The Mastodon activities in test/fixtures/federation parse offline, with the
// contexts Mastodon sends, into what the inbox listeners read: actor, object
// and addressing. (Their handling is tested with the listeners.)
import test from 'ava';
import { Announce, Delete, Like, PUBLIC_COLLECTION, Tombstone } from '@fedify/vocab';
import { loadFixture, parseOptions } from '../fixtures/federation/fixtures.ts';

const ALICE = 'https://mastodon.example/users/alice';
const CAROLS_POST = 'https://viewfinder.example/users/carol/statuses/4816203040522241';

test('a Mastodon Like names its actor and the liked post', async (t) => {
  const like = await Like.fromJsonLd(await loadFixture('mastodon-like'), parseOptions);
  t.is(like.id?.href, `${ALICE}#likes/98765432`);
  t.is(like.actorId?.href, ALICE);
  t.is(like.objectId?.href, CAROLS_POST);
});

test('a Mastodon Announce: the shared post, public, copied to its author and the sharer\'s followers', async (t) => {
  const announce = await Announce.fromJsonLd(await loadFixture('mastodon-announce'), parseOptions);
  t.is(announce.actorId?.href, ALICE);
  t.is(announce.objectId?.href, CAROLS_POST);
  t.deepEqual(announce.toIds.map((u) => u.href), [PUBLIC_COLLECTION.href]);
  t.deepEqual(announce.ccIds.map((u) => u.href), ['https://viewfinder.example/users/carol', `${ALICE}/followers`]);
  t.is(announce.published?.toString(), '2024-11-20T23:08:31Z');
});

test('a Mastodon Delete carries a Tombstone with the deleted post\'s id (its LD signature is no obstacle)', async (t) => {
  const activity = await Delete.fromJsonLd(await loadFixture('mastodon-delete'), parseOptions);
  t.is(activity.actorId?.href, ALICE);
  const object = await activity.getObject({ ...parseOptions, suppressError: true });
  t.true(object instanceof Tombstone);
  t.is(object?.id?.href, `${ALICE}/statuses/113482137458211234`);
});
