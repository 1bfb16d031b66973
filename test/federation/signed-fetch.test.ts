// Fetching posts the way servers do: a followers-only post is served to a
// signed fetch from a server where the author has a follower, and to no
// other; in authorized-fetch mode unsigned fetches of posts and collections
// are refused while actors stay readable.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { photos, post, remoteId } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';
import { signedGet } from './signed-send.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: followers-only posts go to followers' servers only; authorized fetch refuses unsigned reads`, async (t) => {
    const [a, b, c] = await Promise.all([startInstance(t, target), startInstance(t, target, { VIEWFINDER_AUTHORIZED_FETCH: 'on' }), startInstance(t, target)]);
    const [alice, bob] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    const bobOnA = await remoteId(a, alice, bob, b);
    await alice.client.v1.accounts.$select(bobOnA).follow();
    await eventually('alice following bob', async () => (await alice.client.v1.accounts.relationships.fetch({ id: [bobOnA] }))[0]?.following);
    const open = await post(b, bob, { status: 'Public', media_ids: await photos(b, bob, ['sky']) });
    const closed = await post(b, bob, { status: 'Followers only', visibility: 'private', media_ids: await photos(b, bob, ['sea']) });

    const accept = { Accept: 'application/activity+json' };
    t.is((await fetch(open.uri, { headers: accept })).status, 401, 'unsigned fetch of a post refused');
    t.is((await fetch(`${b.url}/users/bob/outbox`, { headers: accept })).status, 401, 'unsigned fetch of a collection refused');
    t.is((await fetch(`${b.url}/users/bob`, { headers: accept })).status, 200, 'actors stay readable');

    t.like(await signedGet(c, open.uri), { status: 200, body: { id: open.uri } });
    t.like(await signedGet(a, closed.uri), { status: 200, body: { id: closed.uri, type: 'Note' } });
    t.is((await signedGet(c, closed.uri)).status, 404, 'a server with no follower of bob gets nothing');
  });
}
