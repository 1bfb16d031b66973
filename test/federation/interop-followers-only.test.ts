// Followers-only posts from Mastodon: our user follows a Mastodon account the
// way an app does (lookup by handle, follow; Mastodon answers Accept), its
// followers-only post reaches that follower's home feed and nobody else; its
// followers-only reply to one of our public posts shows in the thread to our
// author (mentioned) and to its followers, never to anyone else.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { api, photos, post } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';
import { startStubPeer } from './stub-peer.ts';
import { followStubActor } from './stub-peer-actions.ts';
import { createOf, ourPost } from './stub-peer-fixtures.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: Mastodon followers-only posts and replies reach followers and the mentioned author only`, async (t) => {
    const [instance, mastodon] = await Promise.all([startInstance(t, target), startStubPeer(t, 'mastodon')]);
    const [bob, carol, dave] = await Promise.all([user(instance, 'bob'), user(instance, 'carol'), user(instance, 'dave')]);
    const alice = await mastodon.person();

    const aliceId = await followStubActor(instance, bob, mastodon, alice);
    t.like((await bob.client.v1.accounts.$select(aliceId).fetch()), { acct: alice.acct, displayName: 'Alice Heron' });
    const follow = mastodon.received.find((r) => r.activity.type === 'Follow')!;
    t.is(follow.signedBy, `${instance.url}/users/bob`);
    t.is(follow.path, '/inbox', 'delivered to the shared inbox the actor names');

    // A followers-only post: bob's home feed, nobody else's.
    const create = await mastodon.fixture('mastodon-create-private');
    const noteUri = (create.object as { id: string }).id;
    await mastodon.deliver(create, `${instance.url}/inbox`);
    const inFeed = await eventually('the followers-only post in bob\'s home feed', async () => (await bob.client.v1.timelines.home.list()).find((s) => s.uri === noteUri));
    t.is(inFeed.visibility, 'private');
    t.is(inFeed.account.acct, alice.acct);
    t.regex(inFeed.content, /Nest box camera is live again/);
    t.deepEqual(await dave.client.v1.timelines.home.list(), []);
    t.is((await api(instance, 'GET', `/api/v1/statuses/${inFeed.id}`, dave.token)).status, 404);
    t.is((await api(instance, 'GET', `/api/v1/statuses/${inFeed.id}`, undefined)).status, 404);
    const asDave = await api(instance, 'GET', `/api/v1/accounts/${aliceId}/statuses`, dave.token);
    t.is(asDave.status, 200);
    t.false(asDave.body.some((s: { uri: string }) => s.uri === noteUri), 'not in the profile for a non-follower');

    // A followers-only reply to carol's public post, mentioning her.
    const original = await post(instance, carol, { status: 'The lighthouse at the end of the film', visibility: 'public', media_ids: await photos(instance, carol, ['A lighthouse on a cliff at dusk']) });
    const reply = await mastodon.fixture('mastodon-note-private', ourPost(instance, 'carol', original));
    await mastodon.deliver(createOf(reply), `${instance.url}/inbox`);
    const mention = await eventually('carol\'s mention notification', async () => (await carol.client.v1.notifications.list({ types: ['mention'] }))[0]);
    t.is(mention.status?.uri, String(reply.id));
    t.like(mention.status, { visibility: 'private', spoilerText: 'Spoilers for the ending', sensitive: true, inReplyToId: original.id });

    const thread = async (token: string | undefined) => {
      const context = await api(instance, 'GET', `/api/v1/statuses/${original.id}/context`, token);
      t.is(context.status, 200);
      return (context.body.descendants as { uri: string }[]).map((s) => s.uri);
    };
    t.deepEqual(await thread(carol.token), [reply.id], 'the mentioned author sees it');
    t.deepEqual(await thread(bob.token), [reply.id], 'a follower sees it');
    t.deepEqual(await thread(dave.token), [], 'anyone else does not');
    t.deepEqual(await thread(undefined), [], 'nor does a visitor');
    t.is((await api(instance, 'GET', `/api/v1/statuses/${mention.status!.id}`, dave.token)).status, 404);
    t.deepEqual(await dave.client.v1.notifications.list(), []);
  });
}
