// Deliveries survive a dead receiver: B is stopped, alice on A posts, B comes
// back on the same port and database, and the post arrives (A's queue retried).
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { photos, post, remoteId } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: a delivery to a stopped server arrives once it is back`, async (t) => {
    // Short retry waits, so the test sees the retry within seconds.
    const [a, b] = await Promise.all([startInstance(t, target, { VIEWFINDER_FEDERATION_RETRY_BASE_MS: '500' }), startInstance(t, target)]);
    const [alice, bob] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    const aliceOnB = await remoteId(b, bob, alice, a);
    await bob.client.v1.accounts.$select(aliceOnB).follow();
    await eventually('bob following alice', async () => (await bob.client.v1.accounts.relationships.fetch({ id: [aliceOnB] }))[0]?.following);

    await b.stop();
    const written = await post(a, alice, { status: 'Posted while B was down', media_ids: await photos(a, alice, ['rain']) });
    // A tried and failed: the delivery waits in A's queue.
    await eventually('a failed delivery attempt on A', async () => (await a.db('jobs').where({ type: 'fedify.outbox' }).where('attempts', '>', 0).first()) ?? null);
    await b.start();
    const arrived = await eventually('the post on B', async () => (await bob.client.v1.timelines.home.list())[0], 60_000);
    t.is(arrived.uri, written.uri);
  });
}
