// A Mastodon direct message to two of our users (Mastodon's own Note, sent
// once to our shared inbox as Mastodon does) is one group conversation that
// both see, with the other two people in it; a third user of ours sees
// nothing of it anywhere.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { api, post } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';
import { startStubPeer } from './stub-peer.ts';
import { createOf, FIXTURE_ACTORS, localAddress, renameActor } from './stub-peer-fixtures.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: a Mastodon group DM is one conversation for both addressees and invisible to anyone else`, async (t) => {
    const [instance, mastodon] = await Promise.all([startInstance(t, target), startStubPeer(t, 'mastodon')]);
    const [bob, carol, dave] = await Promise.all([user(instance, 'bob'), user(instance, 'carol'), user(instance, 'dave')]);
    const alice = await mastodon.person();

    // The fixture is addressed to carol on viewfinder.example and dana on pixelfed.example: here, bob and carol.
    const note = await mastodon.fixture('mastodon-note-direct', [
      ...renameActor(FIXTURE_ACTORS.viewfinderCarol, localAddress(instance, 'bob')),
      ...renameActor(FIXTURE_ACTORS.pixelfedDana, localAddress(instance, 'carol')),
    ]);
    await mastodon.deliver(createOf(note), `${instance.url}/inbox`);

    const seen: string[] = [];
    for (const [member, other] of [
      [bob, 'carol'],
      [carol, 'bob'],
    ] as const) {
      const conversations = await eventually(`the conversation of ${member.username}`, async () => {
        const list = await member.client.v1.conversations.list();
        return list.length > 0 ? list : null;
      });
      t.is(conversations.length, 1, 'one conversation, not one per addressee');
      const [conversation] = conversations;
      t.is(conversation!.lastStatus?.uri, String(note.id));
      t.is(conversation!.lastStatus?.visibility, 'direct');
      t.regex(conversation!.lastStatus!.content, /shall we shoot the old harbour on Saturday\?/);
      t.deepEqual(conversation!.accounts.map((a) => a.acct).sort(), [alice.acct, other].sort());
      const mention = (await member.client.v1.notifications.list({ types: ['mention'] }))[0];
      t.is(mention?.status?.uri, String(note.id));
      t.is(mention?.account.acct, alice.acct);
      seen.push(conversation!.lastStatus!.id);
    }
    t.is(seen[0], seen[1], 'one status for both');

    // dave was not addressed: nothing, anywhere.
    t.deepEqual(await dave.client.v1.timelines.home.list(), []);
    t.deepEqual(await dave.client.v1.conversations.list(), []);
    t.deepEqual(await dave.client.v1.notifications.list(), []);
    t.is((await api(instance, 'GET', `/api/v1/statuses/${seen[0]}`, dave.token)).status, 404);
    t.is((await api(instance, 'GET', `/api/v1/statuses/${seen[0]}`, undefined)).status, 404);
    const search = await api(instance, 'GET', `/api/v2/search?q=${encodeURIComponent(String(note.id))}&resolve=true`, dave.token);
    t.deepEqual(search.body.statuses, []);

    // bob answers in the thread: Mastodon gets a direct Note for alice, never a public or followers one.
    const answer = await post(instance, bob, { status: `@${alice.acct} Saturday works, 7am?`, visibility: 'direct', in_reply_to_id: seen[0] });
    const delivered = await mastodon.receivedWhere('bob\'s answer', (r) => r.activity.type === 'Create' && (r.activity.object as { id?: string }).id === answer.uri);
    const reply = delivered.activity.object as { to: string[]; cc?: string[]; inReplyTo: string };
    t.is(reply.inReplyTo, String(note.id));
    t.true(reply.to.includes(alice.id));
    const audience = [...reply.to, ...(reply.cc ?? [])];
    t.false(audience.some((uri) => uri.endsWith('#Public') || uri === 'as:Public' || uri.endsWith('/followers')), `addressed to people only: ${audience.join(' ')}`);
    t.is((await bob.client.v1.conversations.list()).length, 1, 'the answer joins the same conversation');
  });
}
