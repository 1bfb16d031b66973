// Three real instances: a direct message from alice (A) to bob (B) and carol
// (C) reaches exactly them, as one group conversation on each side; a
// followers-only post of alice's reaches her follower's server and never a
// server where nobody follows her.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { api, photos, post, remoteId, settle } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: a group DM reaches only its addressees; followers-only posts only followers' servers`, async (t) => {
    const [a, b, c] = await Promise.all([startInstance(t, target), startInstance(t, target), startInstance(t, target)]);
    const [alice, bob, carol, dave] = await Promise.all([user(a, 'alice'), user(b, 'bob'), user(c, 'carol'), user(c, 'dave')]);
    // Each side knows the others' accounts, as after a search.
    await remoteId(a, alice, bob, b);
    await remoteId(a, alice, carol, c);

    const dm = await post(a, alice, { status: `@bob@${b.domain} @carol@${c.domain} dinner on friday?`, visibility: 'direct' });
    for (const member of [bob, carol]) {
      const conversation = await eventually(`the conversation on ${member.username}'s server`, async () => (await member.client.v1.conversations.list())[0]);
      t.is(conversation.lastStatus?.uri, dm.uri);
      t.regex(conversation.lastStatus!.content, /dinner on friday/);
      t.is(conversation.lastStatus?.visibility, 'direct');
      // One group conversation: the other two members, never split in 1:1 threads.
      t.deepEqual(conversation.accounts.map((acct) => acct.acct).sort(), [`alice@${a.domain}`, member === bob ? `carol@${c.domain}` : `bob@${b.domain}`].sort());
      t.is((await member.client.v1.notifications.list({ types: ['mention'] }))[0]?.status?.uri, dm.uri);
    }
    // dave shares carol's server but was not addressed: nothing anywhere.
    t.deepEqual(await dave.client.v1.conversations.list(), []);
    t.deepEqual(await dave.client.v1.notifications.list(), []);
    const byUrl = await api(c, 'GET', `/api/v2/search?q=${encodeURIComponent(dm.uri)}&resolve=true`, dave.token);
    t.deepEqual(byUrl.body.statuses, []);

    // Followers-only: bob follows alice, nobody on C does.
    const aliceOnB = await remoteId(b, bob, alice, a);
    await bob.client.v1.accounts.$select(aliceOnB).follow();
    await eventually('bob following alice', async () => (await bob.client.v1.accounts.relationships.fetch({ id: [aliceOnB] }))[0]?.following);
    const privatePost = await post(a, alice, { status: 'followers only, please', visibility: 'private', media_ids: await photos(a, alice, ['a quiet street']) });
    const onB = await eventually('the followers-only post on B', async () => (await bob.client.v1.timelines.home.list())[0]);
    t.is(onB.uri, privatePost.uri);
    t.is(onB.visibility, 'private');
    await settle();
    const onC = await c.db('posts').where({ uri: privatePost.uri }).first();
    t.is(onC, undefined, 'C never received it');
  });
}
