// bob (B) blocks alice (A): the Block reaches A, which hides bob's posts
// from alice and ends her follow; a Like alice's keys sign anyway is refused
// by B.
import test from 'ava';
import { Like } from '@fedify/vocab';
import { databaseTargets } from '../helpers/databases.ts';
import { photos, post, remoteId, settle } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';
import { sendSigned } from './signed-send.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: a remote block hides posts on the blocked side and the blocker's server refuses their likes`, async (t) => {
    const [a, b] = await Promise.all([startInstance(t, target), startInstance(t, target)]);
    const [alice, bob] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    const bobOnA = await remoteId(a, alice, bob, b);
    await alice.client.v1.accounts.$select(bobOnA).follow();
    await eventually('alice following bob', async () => (await alice.client.v1.accounts.relationships.fetch({ id: [bobOnA] }))[0]?.following);
    const original = await post(b, bob, { status: 'Before the block', media_ids: await photos(b, bob, ['a tree']) });
    const onA = await eventually('the post on A', async () => (await alice.client.v1.timelines.home.list())[0]);

    const aliceOnB = await remoteId(b, bob, alice, a);
    await bob.client.v1.accounts.$select(aliceOnB).block();
    // A applies the Block: no follow, no post in the feed, the post itself hidden from alice.
    await eventually('the Block on A', async () => !(await alice.client.v1.accounts.relationships.fetch({ id: [bobOnA] }))[0]?.following);
    await eventually('bob\'s post gone from alice\'s feed', async () => (await alice.client.v1.timelines.home.list()).length === 0);
    const hidden = await fetch(`${a.url}/api/v1/statuses/${onA.id}`, { headers: { Authorization: `Bearer ${alice.token}` } });
    t.is(hidden.status, 404);
    t.is((await fetch(`${a.url}/api/v1/statuses/${onA.id}/favourite`, { method: 'POST', headers: { Authorization: `Bearer ${alice.token}` } })).status, 404);

    // A Like signed with alice's own key, sent anyway: B refuses it.
    await sendSigned(a, 'alice', { actor: `${b.url}/users/bob`, inbox: `${b.url}/users/bob/inbox` }, new Like({ id: new URL(`${a.url}/users/alice#likes/1`), actor: new URL(`${a.url}/users/alice`), object: new URL(original.uri) }));
    await settle();
    t.is((await bob.client.v1.statuses.$select(original.id).fetch()).favouritesCount, 0);
    t.deepEqual(await bob.client.v1.notifications.list({ types: ['favourite'] }), []);
  });
}
