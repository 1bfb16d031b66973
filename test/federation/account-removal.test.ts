// An account suspended on its own server is deleted everywhere: the actor's
// Delete reaches B, which drops the follow, the posts and the account.
import test from 'ava';
import { suspend } from '../../server/services/accounts/admin-accounts.service.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { api, photos, post, remoteId } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: a suspended account's Delete removes it, its posts and its follows on other servers`, async (t) => {
    const [a, b] = await Promise.all([startInstance(t, target), startInstance(t, target)]);
    const [alice, bob] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    const aliceOnB = await remoteId(b, bob, alice, a);
    await bob.client.v1.accounts.$select(aliceOnB).follow();
    await eventually('bob following alice', async () => (await bob.client.v1.accounts.relationships.fetch({ id: [aliceOnB] }))[0]?.following);
    await post(a, alice, { status: 'Soon gone', media_ids: await photos(a, alice, ['a leaf']) });
    const onB = await eventually('the post on B', async () => (await bob.client.v1.timelines.home.list())[0]);

    t.true(await suspend(a.db, 'alice'));
    await eventually('the post gone on B', async () => (await api(b, 'GET', `/api/v1/statuses/${onB.id}`, bob.token)).status === 404);
    t.false((await bob.client.v1.accounts.relationships.fetch({ id: [aliceOnB] }))[0]!.following);
    t.is((await bob.client.v1.accounts.$select(String(bob.accountId)).fetch()).followingCount, 0);
    t.deepEqual(await bob.client.v1.timelines.home.list(), []);
  });
}
