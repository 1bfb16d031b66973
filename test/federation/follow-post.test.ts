// Two real instances: alice on A follows bob on B (locked: a request he
// accepts), bob's carousel reaches alice's home feed with A's own copies of
// the photos, alice's like, comment and share reach bob as notifications,
// bob's new name, edit and delete reach A, and alice's unfollow reaches B.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { api, photos, post, remoteId } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: follow a locked remote account, see its carousel, like, comment, and follow its edit and delete`, async (t) => {
    const [a, b] = await Promise.all([startInstance(t, target), startInstance(t, target)]);
    const [alice, bob] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    await bob.client.v1.accounts.updateCredentials({ locked: true });

    // alice finds bob by handle (WebFinger) and asks to follow: a request, until bob says yes.
    const bobOnA = await remoteId(a, alice, bob, b);
    const asked = await alice.client.v1.accounts.$select(bobOnA).follow();
    t.true(asked.requested);
    t.false(asked.following);
    const request = await eventually('the follow request on B', async () => (await bob.client.v1.followRequests.list())[0]);
    t.is(request.acct, `alice@${a.domain}`);
    t.like((await bob.client.v1.notifications.list({ types: ['follow_request'] }))[0], { type: 'follow_request' });
    await bob.client.v1.followRequests.$select(request.id).authorize();
    await eventually('the Accept on A', async () => (await alice.client.v1.accounts.relationships.fetch({ id: [bobOnA] }))[0]?.following);
    t.is((await alice.client.v1.accounts.$select(bobOnA).fetch()).followersCount, 1);

    // bob's carousel: three photos with alt text, a hashtag and a place.
    const mediaIds = await photos(b, bob, ['A red boat', 'The harbour at dusk', 'Gulls on the pier']);
    const original = await post(b, bob, { status: 'Evening at the harbour #sailing', media_ids: mediaIds, location: { name: 'Harbour', lat: 54.32, lon: 10.14 } });
    const onA = await eventually('the carousel in alice\'s home feed', async () => (await alice.client.v1.timelines.home.list())[0]);
    t.is(onA.uri, original.uri);
    t.is(onA.account.acct, `bob@${b.domain}`);
    t.regex(onA.content, /Evening at the harbour/);
    t.deepEqual(onA.tags.map((tag) => tag.name), ['sailing']);
    t.like((onA as any).place, { name: 'Harbour', lat: 54.32, lon: 10.14 });
    t.is(onA.mediaAttachments.length, 3);
    for (const [i, media] of onA.mediaAttachments.entries()) {
      t.is(media.description, original.media_attachments[i].description);
      t.is(media.blurhash, original.media_attachments[i].blurhash);
      t.is(media.remoteUrl, original.media_attachments[i].url);
    }
    // A serves its own copies once fetched, not bob's server's files.
    const cached = await eventually('A to cache the photos', async () => {
      const status = await alice.client.v1.statuses.$select(onA.id).fetch();
      return status.mediaAttachments.every((m) => m.url?.startsWith(a.url)) ? status : null;
    });
    for (const media of cached.mediaAttachments) {
      const file = await fetch(media.url!);
      t.is(file.status, 200);
      t.is(file.headers.get('content-type'), 'image/jpeg');
    }

    // alice likes and comments; bob hears of both on B.
    await alice.client.v1.statuses.$select(onA.id).favourite();
    const reply = await post(a, alice, { status: `@bob@${b.domain} what a view`, in_reply_to_id: onA.id });
    t.truthy(reply.id);
    const notes = await eventually('both notifications on B', async () => {
      const list = await bob.client.v1.notifications.list({ types: ['favourite', 'mention'] });
      return list.length >= 2 ? list : null;
    });
    t.deepEqual(notes.map((n) => n.type).sort(), ['favourite', 'mention']);
    t.true(notes.every((n) => n.account.acct === `alice@${a.domain}` && n.status?.uri !== undefined));
    const onB = await bob.client.v1.statuses.$select(original.id).fetch();
    t.is(onB.favouritesCount, 1);
    t.is(onB.repliesCount, 1);
    const thread = await bob.client.v1.statuses.$select(original.id).context.fetch();
    t.regex(thread.descendants[0]!.content, /what a view/);

    // alice shares it: bob hears of that too, and the share counts on B.
    await alice.client.v1.statuses.$select(onA.id).reblog();
    await eventually('the reblog notification on B', async () => (await bob.client.v1.notifications.list({ types: ['reblog'] }))[0]);
    t.is((await bob.client.v1.statuses.$select(original.id).fetch()).reblogsCount, 1);
    await alice.client.v1.statuses.$select(onA.id).unreblog();
    await eventually('the share taken back on B', async () => (await bob.client.v1.statuses.$select(original.id).fetch()).reblogsCount === 0);

    // bob renames himself: A shows the new name.
    await bob.client.v1.accounts.updateCredentials({ displayName: 'Bob the Sailor' });
    await eventually('the profile update on A', async () => (await alice.client.v1.accounts.$select(bobOnA).fetch()).displayName === 'Bob the Sailor');

    // bob edits the caption: A shows the edit.
    await api(b, 'PUT', `/api/v1/statuses/${original.id}`, bob.token, { status: 'Evening at the harbour, edited #sailing', media_ids: mediaIds });
    await eventually('the edit on A', async () => /edited/.test((await alice.client.v1.statuses.$select(onA.id).fetch()).content));
    t.truthy((await alice.client.v1.statuses.$select(onA.id).fetch()).editedAt);

    // bob deletes it: gone from A.
    await bob.client.v1.statuses.$select(original.id).remove();
    await eventually('the delete on A', async () => (await api(a, 'GET', `/api/v1/statuses/${onA.id}`, alice.token)).status === 404);
    t.deepEqual((await alice.client.v1.timelines.home.list()).map((s) => s.id).filter((id) => id === onA.id), []);

    // alice unfollows: bob loses a follower on B.
    await alice.client.v1.accounts.$select(bobOnA).unfollow();
    await eventually('the Undo on B', async () => (await bob.client.v1.accounts.$select(String(bob.accountId)).fetch()).followersCount === 0);
  });
}
