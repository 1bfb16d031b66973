// Mastodon's Like, Announce, their Undo, and Delete (a Tombstone), each as
// Mastodon sends it and where it sends it (likes and undos to the author's
// inbox, the rest to the shared inbox), change our counts and notifications
// as a local like, share or delete would; the same activity delivered twice
// changes nothing the second time.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { TestUser } from '../api/helpers.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { api, photos, post, settle } from './actions.ts';
import { eventually, startInstance, user, type Instance } from './instances.ts';
import { startStubPeer } from './stub-peer.ts';
import { createOf, ourPost, rewrite } from './stub-peer-fixtures.ts';

async function counts(instance: Instance, viewer: TestUser, id: string): Promise<{ favourites: number; reblogs: number; replies: number }> {
  const status = await api(instance, 'GET', `/api/v1/statuses/${id}`, viewer.token);
  return { favourites: status.body.favourites_count, reblogs: status.body.reblogs_count, replies: status.body.replies_count };
}

async function notificationsOf(viewer: TestUser, type: 'favourite' | 'reblog' | 'mention'): Promise<{ account: string; status: string | undefined }[]> {
  return (await viewer.client.v1.notifications.list({ types: [type] })).map((n) => ({ account: n.account.acct, status: n.status?.uri }));
}

/** Waits until `check` holds, then delivers the activity once more and checks nothing moved. */
async function deliveredTwice(t: ExecutionContext, what: string, deliver: () => Promise<void>, check: () => Promise<boolean>): Promise<void> {
  await deliver();
  await eventually(what, check);
  await deliver();
  await settle();
  t.true(await check(), `${what}, still, after the same activity came again`);
}

for (const target of await databaseTargets()) {
  test(`${target.name}: Mastodon Like, Announce, Undo and Delete change counts and notifications once`, async (t) => {
    const [instance, mastodon] = await Promise.all([startInstance(t, target), startStubPeer(t, 'mastodon')]);
    const carol = await user(instance, 'carol');
    const alice = await mastodon.person();
    const original = await post(instance, carol, { status: 'Fog over the estuary', visibility: 'public', media_ids: await photos(instance, carol, ['Fog over flat water']) });
    const mine = ourPost(instance, 'carol', original);
    const carolInbox = `${instance.url}/users/carol/inbox`;
    const sharedInbox = `${instance.url}/inbox`;
    const favourites = [{ account: alice.acct, status: original.uri }];
    const shares = [{ account: alice.acct, status: original.uri }];

    const like = await mastodon.fixture('mastodon-like', mine);
    await deliveredTwice(t, 'the like counted and notified', () => mastodon.deliver(like, carolInbox), async () => {
      const now = await counts(instance, carol, original.id);
      return now.favourites === 1 && JSON.stringify(await notificationsOf(carol, 'favourite')) === JSON.stringify(favourites);
    });
    t.deepEqual((await api(instance, 'GET', `/api/v1/statuses/${original.id}/favourited_by`, carol.token)).body.map((a: { acct: string }) => a.acct), [alice.acct]);

    const undoLike = await mastodon.fixture('mastodon-undo-like', mine);
    await deliveredTwice(t, 'the like undone', () => mastodon.deliver(undoLike, carolInbox), async () => {
      return (await counts(instance, carol, original.id)).favourites === 0 && (await notificationsOf(carol, 'favourite')).length === 0;
    });

    // alice likes it again (a new Like), and her server's retry races the first delivery.
    const again = rewrite(like, [[String(like.id), `${String(like.id)}1`]]);
    await Promise.all([mastodon.deliver(again, carolInbox), mastodon.deliver(again, carolInbox)]);
    await eventually('the second like counted', async () => (await counts(instance, carol, original.id)).favourites === 1);
    await settle();
    t.is((await counts(instance, carol, original.id)).favourites, 1);
    t.deepEqual(await notificationsOf(carol, 'favourite'), favourites);
    await mastodon.deliver(rewrite(undoLike, [[String(like.id), String(again.id)]]), carolInbox);
    await eventually('the second like undone', async () => (await counts(instance, carol, original.id)).favourites === 0);

    const announce = await mastodon.fixture('mastodon-announce', mine);
    await deliveredTwice(t, 'the share counted and notified', () => mastodon.deliver(announce, sharedInbox), async () => {
      const now = await counts(instance, carol, original.id);
      return now.reblogs === 1 && JSON.stringify(await notificationsOf(carol, 'reblog')) === JSON.stringify(shares);
    });
    t.deepEqual((await api(instance, 'GET', `/api/v1/statuses/${original.id}/reblogged_by`, carol.token)).body.map((a: { acct: string }) => a.acct), [alice.acct]);

    const undoAnnounce = await mastodon.fixture('mastodon-undo-announce', mine);
    await deliveredTwice(t, 'the share undone', () => mastodon.deliver(undoAnnounce, carolInbox), async () => {
      return (await counts(instance, carol, original.id)).reblogs === 0 && (await notificationsOf(carol, 'reblog')).length === 0;
    });

    // A public post mentioning carol, and a followers-only reply to her post; then Mastodon deletes both.
    const note = await mastodon.fixture('mastodon-note-public', mine);
    const reply = await mastodon.fixture('mastodon-note-private', mine);
    const aliceId = (await carol.client.v1.accounts.lookup({ acct: alice.acct })).id;
    await deliveredTwice(t, 'the post stored and notified once', () => mastodon.deliver(createOf(note), sharedInbox), async () => {
      const statuses = (await carol.client.v1.accounts.$select(aliceId).fetch()).statusesCount;
      return statuses === 1 && (await notificationsOf(carol, 'mention')).length === 1;
    });
    await mastodon.deliver(createOf(reply), sharedInbox);
    const mentions = await eventually('both mentions', async () => {
      const list = await notificationsOf(carol, 'mention');
      return list.length === 2 ? list : null;
    });
    t.deepEqual(mentions.map((m) => m.status).sort(), [note.id, reply.id].sort());
    t.is((await counts(instance, carol, original.id)).replies, 1);
    const noteId = (await api(instance, 'GET', `/api/v2/search?q=${encodeURIComponent(String(note.id))}&resolve=true`, carol.token)).body.statuses[0]?.id;
    t.truthy(noteId);
    t.is((await carol.client.v1.accounts.$select(aliceId).fetch()).statusesCount, 2);

    const deleteNote = await mastodon.fixture('mastodon-delete');
    await deliveredTwice(t, 'the post gone', () => mastodon.deliver(deleteNote, sharedInbox), async () => {
      return (await api(instance, 'GET', `/api/v1/statuses/${noteId}`, carol.token)).status === 404;
    });
    t.deepEqual((await notificationsOf(carol, 'mention')).map((m) => m.status), [reply.id], 'the deleted post\'s mention is gone');

    // The same Delete shape for the reply: carol's post counts one reply fewer.
    const deleteReply = rewrite(await mastodon.fixture('mastodon-delete'), [[String(note.id), String(reply.id)]]);
    await deliveredTwice(t, 'the reply gone', () => mastodon.deliver(deleteReply, sharedInbox), async () => {
      return (await counts(instance, carol, original.id)).replies === 0 && (await notificationsOf(carol, 'mention')).length === 0;
    });
    const context = await api(instance, 'GET', `/api/v1/statuses/${original.id}/context`, carol.token);
    t.deepEqual(context.body.descendants, []);
    t.is((await carol.client.v1.accounts.$select(aliceId).fetch()).statusesCount, 0);
  });
}
