// Mastodon's account migration: alice moves from one Mastodon server to
// another (the new account lists the old in alsoKnownAs, the old one gets
// movedTo) and sends Move to her followers' servers. Our user who followed
// the old account asks to follow the new one (the new server receives our
// Follow) and no longer follows the old. A Move to an account that does not
// name the old one is ignored.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { settle } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';
import { startStubPeer } from './stub-peer.ts';
import { acceptFollow, followStubActor } from './stub-peer-actions.ts';
import { FIXTURE_MOVE_TARGET, rewrite } from './stub-peer-fixtures.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: a Mastodon Move takes our follower to the new account, and only when the new account names the old`, async (t) => {
    const [instance, before, after] = await Promise.all([startInstance(t, target), startStubPeer(t, 'mastodon'), startStubPeer(t, 'mastodon')]);
    const bob = await user(instance, 'bob');
    const old = await before.person();
    const impostor = await after.person({ username: 'notalice' });
    const moved = await after.person({ alsoKnownAs: [old.id] });
    const oldId = await followStubActor(instance, bob, before, old);
    const sharedInbox = `${instance.url}/inbox`;
    const relationship = async (acct: string) => {
      const account = await bob.client.v1.accounts.lookup({ acct });
      return (await bob.client.v1.accounts.relationships.fetch({ id: [account.id] }))[0]!;
    };

    // A Move to an account that never named alice: nothing changes.
    const hijack = rewrite(await before.fixture('mastodon-move'), [[FIXTURE_MOVE_TARGET, impostor.id]]);
    await before.deliver(hijack, sharedInbox);
    await settle(2000);
    t.true((await bob.client.v1.accounts.relationships.fetch({ id: [oldId] }))[0]?.following, 'still following alice');
    t.false(after.received.some((r) => r.activity.type === 'Follow'), 'no Follow sent to the impostor');

    // The real move: the old account says where it went, then sends Move.
    old.update({ movedTo: moved.id });
    const move = rewrite(await before.fixture('mastodon-move'), [
      [FIXTURE_MOVE_TARGET, moved.id],
      ['#moves/1187', '#moves/1188'],
    ]);
    await before.deliver(move, sharedInbox);
    await after.receivedWhere('our Follow of the new account', (r) => r.activity.type === 'Follow' && r.activity.object === moved.id);
    t.like(await relationship(moved.acct), { requested: true, following: false }, 'a follow request to the new account until it accepts');
    const follow = await acceptFollow(instance, after, moved, 'bob');
    t.is(follow.signedBy, `${instance.url}/users/bob`);
    const unfollow = await before.receivedWhere('the Undo of the old Follow', (r) => r.activity.type === 'Undo' && (r.activity.object as { type?: string }).type === 'Follow');
    t.is((unfollow.activity.object as { object?: string }).object, old.id);

    const toNew = await eventually('bob following the new account', async () => {
      const now = await relationship(moved.acct);
      return now.following ? now : null;
    });
    t.true(toNew.following);
    t.false((await bob.client.v1.accounts.relationships.fetch({ id: [oldId] }))[0]!.following, 'no longer following the old account');
    t.false((await relationship(impostor.acct)).following);
    t.false((await relationship(impostor.acct)).requested);
    // As Mastodon shows a moved account: `moved` names the new one.
    const oldAccount = await bob.client.v1.accounts.$select(oldId).fetch();
    t.is(oldAccount.moved?.acct, moved.acct, 'the old account shows where it moved');
  });
}
