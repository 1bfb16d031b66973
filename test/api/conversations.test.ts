// Direct messages through `masto` on each database: a three-person group DM
// (alice writes to @bob and @carol; bob and carol answer in the thread), what
// each member's conversation list shows, read and delete, 1:1 DMs kept apart
// from the group, and a fourth account (dave) who sees nothing of any of it
// on any read path.
import test, { type ExecutionContext } from 'ava';
import type { mastodon } from 'masto';
import { newId } from '../../server/db/ids.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { createUser, getJson, startApiServer, type ApiServer, type TestUser } from './helpers.ts';

const dm = (user: TestUser, status: string, inReplyToId?: string) => user.client.v1.statuses.create({ status, visibility: 'direct', inReplyToId });

const conversationsOf = async (user: TestUser, params: mastodon.DefaultPaginationParams = {}) => await user.client.v1.conversations.list(params);

/** The other participants' usernames, sorted. */
const others = (conversation: mastodon.v1.Conversation) => conversation.accounts.map((a) => a.username).sort();

async function request(server: ApiServer, method: string, path: string, token: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.url}${path}`, { method, headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, text: await response.text() };
}

/** Every read path a stranger could try: none may answer with any of `secrets` (texts or ids). */
async function assertSeesNothing(t: ExecutionContext, server: ApiServer, stranger: TestUser, accounts: TestUser[], statusIds: string[], secrets: string[]) {
  for (const id of statusIds) {
    t.is((await getJson(server, `/api/v1/statuses/${id}`, stranger.token)).status, 404, `GET /statuses/${id}`);
    t.is((await getJson(server, `/api/v1/statuses/${id}/context`, stranger.token)).status, 404, `GET /statuses/${id}/context`);
    t.is((await getJson(server, `/api/v1/statuses/${id}`)).status, 404, `anonymous GET /statuses/${id}`);
  }
  const lists = [
    ...accounts.map((a) => `/api/v1/accounts/${a.accountId}/statuses`),
    `/api/v1/statuses?${statusIds.map((id) => `id[]=${id}`).join('&')}`,
    '/api/v1/conversations',
    // Owned by the feeds and notifications work; whatever they answer must not carry a DM.
    '/api/v1/timelines/home',
    '/api/v1/timelines/public',
    '/api/v1/notifications',
  ];
  for (const path of lists) {
    const { status, text } = await request(server, 'GET', path, stranger.token);
    t.true(status === 200 || status === 404, `${path} answers ${status}`);
    for (const secret of secrets) t.false(text.includes(secret), `${path} leaks ${secret}`);
  }
  t.deepEqual(await conversationsOf(stranger), []);
}

for (const target of await databaseTargets()) {
  test(`${target.name}: a group DM is one conversation for its three members and nothing at all for anyone else`, async (t) => {
    const server = await startApiServer(t, target);
    const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((name) => createUser(server, name)));

    const first = await dm(alice!, '@bob @carol dinner at mine on friday? secret-word-one');
    t.is(first.visibility, 'direct');
    const [aliceView] = await conversationsOf(alice!);
    const [bobView] = await conversationsOf(bob!);
    const [carolView] = await conversationsOf(carol!);
    t.deepEqual(others(aliceView!), ['bob', 'carol']);
    t.deepEqual(others(bobView!), ['alice', 'carol']);
    t.deepEqual(others(carolView!), ['alice', 'bob']);
    t.is(new Set([aliceView!.id, bobView!.id, carolView!.id]).size, 1, 'one conversation for all three');
    t.false(aliceView!.unread, "the author's own message is read");
    t.true(bobView!.unread);
    t.true(carolView!.unread);
    for (const view of [aliceView, bobView, carolView]) t.is(view!.lastStatus?.id, first.id);
    const conversationId = aliceView!.id;

    // bob answers in the thread: the same conversation, unread for alice and carol, not for bob.
    const reply = await dm(bob!, '@alice @carol count me in, secret-word-two', first.id);
    t.is(reply.inReplyToId, first.id);
    const [aliceAfter] = await conversationsOf(alice!);
    const [bobAfter] = await conversationsOf(bob!);
    const [carolAfter] = await conversationsOf(carol!);
    for (const view of [aliceAfter, bobAfter, carolAfter]) {
      t.is(view!.id, conversationId, 'replies stay in the conversation');
      t.is(view!.lastStatus?.id, reply.id);
      t.is(view!.lastStatus?.account.username, 'bob');
    }
    t.true(aliceAfter!.unread);
    t.false(bobAfter!.unread);
    t.true(carolAfter!.unread);
    t.deepEqual(others(aliceAfter!), ['bob', 'carol'], 'the list of participants does not change with the last writer');

    // Members read the whole thread.
    const context = await carol!.client.v1.statuses.$select(first.id).context.fetch();
    t.deepEqual(context.descendants.map((s) => s.id), [reply.id]);
    t.is((await carol!.client.v1.statuses.$select(reply.id).fetch()).id, reply.id);

    // The paths below do show it to a member (so their silence for dave means something).
    t.true((await request(server, 'GET', `/api/v1/accounts/${alice!.accountId}/statuses`, bob!.token)).text.includes('secret-word-one'));
    t.true((await request(server, 'GET', '/api/v1/conversations', carol!.token)).text.includes('secret-word-two'));
    // dave, and anonymous readers, see nothing of it anywhere.
    await assertSeesNothing(t, server, dave!, [alice!, bob!, carol!], [first.id, reply.id], ['secret-word-one', 'secret-word-two', first.id, reply.id]);
    t.is((await request(server, 'POST', `/api/v1/conversations/${conversationId}/read`, dave!.token)).status, 404, "dave cannot mark someone else's conversation read");
    t.is((await request(server, 'DELETE', `/api/v1/conversations/${conversationId}`, dave!.token)).status, 404);
    t.true((await conversationsOf(bob!))[0]!.unread === false, "dave's attempts changed nothing");

    // Reading marks it read for that member only.
    const read = await carol!.client.v1.conversations.$select(conversationId).read();
    t.false(read.unread);
    t.is(read.lastStatus?.id, reply.id);
    t.false((await conversationsOf(carol!))[0]!.unread);
    t.true((await conversationsOf(alice!))[0]!.unread);

    // Deleting hides it for alice until the next message reaches her.
    await alice!.client.v1.conversations.$select(conversationId).remove();
    t.deepEqual(await conversationsOf(alice!), []);
    t.is((await conversationsOf(bob!)).length, 1, 'the others keep it');
    t.is((await request(server, 'POST', `/api/v1/conversations/${conversationId}/read`, alice!.token)).status, 404, 'a hidden conversation is gone for its member');
    t.is((await request(server, 'DELETE', `/api/v1/conversations/${conversationId}`, alice!.token)).status, 404);
    const third = await dm(carol!, '@alice @bob see you friday, secret-word-three', reply.id);
    const [aliceBack] = await conversationsOf(alice!);
    t.is(aliceBack!.id, conversationId, 'the next message brings it back');
    t.true(aliceBack!.unread);
    t.is(aliceBack!.lastStatus?.id, third.id);

    // A deleted last message: the list falls back to the newest one left.
    await carol!.client.v1.statuses.$select(third.id).remove();
    for (const member of [alice, bob, carol]) t.is((await conversationsOf(member!))[0]!.lastStatus?.id, reply.id);

    await assertSeesNothing(t, server, dave!, [alice!, bob!, carol!], [first.id, reply.id], ['secret-word-one', 'secret-word-two', 'secret-word-three']);
  });

  test(`${target.name}: 1:1 DMs are their own conversation, found again by the same two people, paged by last message`, async (t) => {
    const server = await startApiServer(t, target);
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => createUser(server, name)));

    const group = await dm(alice!, '@bob @carol group plans');
    const pair = await dm(alice!, '@bob just between us');
    const bobList = await conversationsOf(bob!);
    t.is(bobList.length, 2);
    t.deepEqual(bobList.map((c) => c.lastStatus?.id), [pair.id, group.id], 'newest last message first');
    t.deepEqual(others(bobList[0]!), ['alice']);
    t.deepEqual(others(bobList[1]!), ['alice', 'carol']);
    t.not(bobList[0]!.id, bobList[1]!.id);
    const carolList = await conversationsOf(carol!);
    t.deepEqual(carolList.map((c) => c.lastStatus?.id), [group.id], 'carol is not in the 1:1');
    t.is((await getJson(server, `/api/v1/statuses/${pair.id}`, carol!.token)).status, 404);

    // A new DM (not a reply) to the same person, either way round, goes to the same 1:1.
    const again = await dm(bob!, '@alice new thought');
    const bobAgain = await conversationsOf(bob!);
    t.is(bobAgain.length, 2);
    t.is(bobAgain[0]!.id, bobList[0]!.id);
    t.is(bobAgain[0]!.lastStatus?.id, again.id);
    t.true((await conversationsOf(alice!))[0]!.unread);

    // Two first messages written at once, each to the other, still make one conversation.
    const [fromCarol, fromAlice] = await Promise.all([dm(carol!, '@alice hi!'), dm(alice!, '@carol hello!')]);
    const carolPairs = (await conversationsOf(carol!)).filter((c) => others(c).join() === 'alice');
    t.is(carolPairs.length, 1);
    t.is(carolPairs[0]!.lastStatus?.id, String(Math.max(Number(fromCarol.id), Number(fromAlice.id))));

    // A note to self (no addressee) lists the author as the only account.
    const note = await dm(carol!, 'remember the wine');
    const [self] = await conversationsOf(carol!);
    t.is(self!.lastStatus?.id, note.id);
    t.deepEqual(others(self!), ['carol']);

    // Pages: one at a time, with Link headers, as Mastodon pages conversations.
    const firstPage = await fetch(`${server.url}/api/v1/conversations?limit=1`, { headers: { Authorization: `Bearer ${bob!.token}` } });
    const firstBody = (await firstPage.json()) as { last_status: { id: string } }[];
    t.deepEqual(firstBody.map((c) => c.last_status.id), [again.id]);
    const next = /<([^>]+)>; rel="next"/.exec(firstPage.headers.get('link') ?? '')?.[1];
    t.truthy(next, 'a full page links to the next');
    const nextPath = new URL(next!).pathname + new URL(next!).search;
    const second = await getJson(server, nextPath, bob!.token);
    t.deepEqual(second.body.map((c: { last_status: { id: string } }) => c.last_status.id), [group.id]);
    const above = await getJson(server, `/api/v1/conversations?min_id=${group.id}`, bob!.token);
    t.deepEqual(above.body.map((c: { last_status: { id: string } }) => c.last_status.id), [again.id]);
  });

  test(`${target.name}: a block keeps an addressee out of the conversation`, async (t) => {
    const server = await startApiServer(t, target);
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => createUser(server, name)));
    await server.db('blocks').insert({ id: newId(), account_id: bob.accountId, target_account_id: alice.accountId, created_at: Date.now() });
    const message = await dm(alice, '@bob @carol party at mine, secret-word-four');
    t.deepEqual(await conversationsOf(bob), [], 'bob blocks alice: her message never reaches him');
    t.is((await getJson(server, `/api/v1/statuses/${message.id}`, bob.token)).status, 404);
    const [carolView] = await conversationsOf(carol);
    t.is(carolView!.lastStatus?.id, message.id);
    t.deepEqual(others(carolView!), ['alice']);
    t.deepEqual(others((await conversationsOf(alice))[0]!), ['carol']);
  });

  test(`${target.name}: conversations need a token with the right scopes, and unknown ids are 404`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    const readOnly = await createUser(server, 'reader', ['read']);
    t.is((await getJson(server, '/api/v1/conversations')).status, 401);
    t.is((await getJson(server, '/api/v1/conversations', readOnly.token)).status, 200);
    await dm(alice, '@reader hello');
    const [conversation] = await conversationsOf(readOnly);
    t.is((await request(server, 'POST', `/api/v1/conversations/${conversation!.id}/read`, readOnly.token)).status, 403, 'marking read needs write:conversations');
    t.is((await request(server, 'DELETE', `/api/v1/conversations/${conversation!.id}`, readOnly.token)).status, 403);
    t.is((await request(server, 'POST', '/api/v1/conversations/123456789/read', alice.token)).status, 404);
    t.is((await request(server, 'POST', '/api/v1/conversations/nope/read', alice.token)).status, 404);
    t.is((await request(server, 'DELETE', '/api/v1/conversations/123456789', alice.token)).status, 404);
  });
}
