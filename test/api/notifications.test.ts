// Notifications over real HTTP: every type with its account and status, never
// from a blocked or muted account (when made and when read), one per dedupe
// key, the filters and pagination, dismiss and clear. Relationships are rows
// written directly; types whose trigger is elsewhere are made with notify().
import test, { type ExecutionContext } from 'ava';
import { newId } from '../../server/db/ids.ts';
import { insertPost, type PostVisibility } from '../../server/db/posts.repo.ts';
import { notify, withdrawNotification, type NewNotification } from '../../server/services/notifications/notify.ts';
import { appToken, createUser, startApiServer, type ApiServer, type TestUser } from './helpers.ts';
import { databaseTargets, type DatabaseTarget } from '../helpers/databases.ts';

async function send(server: ApiServer, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any, link: response.headers.get('link') };
}

/** A post written straight to the database (no photo processing needed). */
async function post(server: ApiServer, author: TestUser, visibility: PostVisibility = 'public', extra: { reblogOfId?: number } = {}): Promise<number> {
  const id = newId();
  const now = Date.now();
  await insertPost(server.db, { id, accountId: author.accountId, kind: 'photo', visibility, caption: 'A view', captionHtml: '<p>A view</p>', createdAt: now, updatedAt: now, ...extra });
  return id;
}

async function relate(server: ApiServer, table: 'follows' | 'blocks' | 'mutes', from: TestUser, to: TestUser, extra: Record<string, unknown> = {}) {
  await server.db(table).insert({ id: newId(), account_id: from.accountId, target_account_id: to.accountId, created_at: Date.now(), ...extra });
}

const unrelate = (server: ApiServer, table: 'follows' | 'blocks' | 'mutes', from: TestUser, to: TestUser) =>
  server.db(table).where({ account_id: from.accountId, target_account_id: to.accountId }).delete();

const notifyNow = (server: ApiServer, n: NewNotification) => server.db.transaction((trx) => notify(trx, n));

const rowsFor = async (server: ApiServer, user: TestUser) => Number((await server.db('notifications').where('account_id', user.accountId).count({ n: '*' }).first())!.n);

const list = async (server: ApiServer, user: TestUser, query = '') => (await send(server, 'GET', `/api/v1/notifications${query}`, user.token)).body as any[];

async function users(t: ExecutionContext, target: DatabaseTarget, names: string[]) {
  const server = await startApiServer(t, target);
  const made: TestUser[] = [];
  for (const name of names) made.push(await createUser(server, name));
  return { server, users: made };
}

for (const target of await databaseTargets()) {
  test(`${target.name}: each type arrives with the right account and status`, async (t) => {
    const { server, users: [alice, bob, carol] } = await users(t, target, ['alice', 'bob', 'carol']);
    const photo = await post(server, alice);
    const bobPhoto = await post(server, bob);

    // The real paths: a comment and a direct message that mentions.
    const comment = await send(server, 'POST', '/api/v1/statuses', bob.token, { status: 'Lovely light', in_reply_to_id: String(photo) });
    t.is(comment.status, 200);
    const dm = await send(server, 'POST', '/api/v1/statuses', carol.token, { status: '@alice coffee?', visibility: 'direct' });
    t.is(dm.status, 200);
    // The others, as their services will call it.
    await notifyNow(server, { type: 'favourite', recipientId: alice.accountId, fromAccountId: bob.accountId, postId: photo });
    await notifyNow(server, { type: 'reblog', recipientId: alice.accountId, fromAccountId: carol.accountId, postId: photo });
    await notifyNow(server, { type: 'follow', recipientId: alice.accountId, fromAccountId: bob.accountId });
    await notifyNow(server, { type: 'follow_request', recipientId: alice.accountId, fromAccountId: carol.accountId });
    await notifyNow(server, { type: 'status', recipientId: alice.accountId, fromAccountId: bob.accountId, postId: bobPhoto });
    await notifyNow(server, { type: 'update', recipientId: alice.accountId, fromAccountId: bob.accountId, postId: bobPhoto });

    const notifications = await alice.client.v1.notifications.list();
    const seen = notifications.map((n) => [n.type, n.account.id, n.status?.id ?? null]);
    t.deepEqual(seen, [
      ['update', String(bob.accountId), String(bobPhoto)],
      ['status', String(bob.accountId), String(bobPhoto)],
      ['follow_request', String(carol.accountId), null],
      ['follow', String(bob.accountId), null],
      ['reblog', String(carol.accountId), String(photo)],
      ['favourite', String(bob.accountId), String(photo)],
      ['mention', String(carol.accountId), dm.body.id],
      ['mention', String(bob.accountId), comment.body.id],
    ]);
    const raw = await list(server, alice);
    t.is(raw[0].group_key, `ungrouped-${raw[0].id}`);
    t.regex(raw[0].created_at, /^\d{4}-\d\d-\d\dT/);
    t.false('status' in raw.find((n) => n.type === 'follow'));
    t.is(raw.find((n) => n.type === 'mention' && n.status.id === dm.body.id).status.visibility, 'direct');
    t.is(raw.find((n) => n.type === 'favourite').account.acct, 'bob');

    const one = await send(server, 'GET', `/api/v1/notifications/${raw[4].id}`, alice.token);
    t.is(one.status, 200);
    t.deepEqual(one.body, raw[4]);
    // Someone else's notification is not found, as one that does not exist.
    t.is((await send(server, 'GET', `/api/v1/notifications/${raw[4].id}`, bob.token)).status, 404);
    t.is((await send(server, 'GET', '/api/v1/notifications/nope', alice.token)).status, 404);
    // Bob was told nothing (he commented on someone else's post); nobody notifies themselves.
    await notifyNow(server, { type: 'favourite', recipientId: bob.accountId, fromAccountId: bob.accountId, postId: bobPhoto });
    t.deepEqual(await list(server, bob), []);

    // Scopes: reading needs read:notifications, and no token is a 401.
    const statusesOnly = await appToken(server, ['read:statuses'], alice.userId);
    t.is((await send(server, 'GET', '/api/v1/notifications', statusesOnly)).status, 403);
    t.is((await fetch(`${server.url}/api/v1/notifications`)).status, 401);
  });

  test(`${target.name}: nothing from blocked or muted accounts, when made or when read`, async (t) => {
    const { server, users: [alice, blocked, blocker, muted, mutedLoud, mutedBefore, later] } = await users(t, target, [
      'alice', 'blocked', 'blocker', 'muted', 'loud', 'before', 'later',
    ]);
    const photo = await post(server, alice);
    await relate(server, 'blocks', alice, blocked);
    await relate(server, 'blocks', blocker, alice);
    await relate(server, 'mutes', alice, muted, { hide_notifications: true });
    await relate(server, 'mutes', alice, mutedLoud, { hide_notifications: false });
    await relate(server, 'mutes', alice, mutedBefore, { hide_notifications: true, expires_at: Date.now() - 1000 });
    for (const from of [blocked, blocker, muted, mutedLoud, mutedBefore]) {
      await notifyNow(server, { type: 'favourite', recipientId: alice.accountId, fromAccountId: from.accountId, postId: photo });
    }
    // A comment from a blocked account (as a remote one could still arrive) notifies nothing either.
    await notifyNow(server, { type: 'mention', recipientId: alice.accountId, fromAccountId: blocked.accountId, postId: photo });
    // Made: only from the mute that shows notifications and the mute that has expired.
    const senders = async () => (await list(server, alice)).map((n) => n.account.username).sort();
    t.deepEqual(await senders(), ['before', 'loud']);
    t.is(await rowsFor(server, alice), 2);

    // Read: a notification made before a block or a mute is hidden from then on.
    await notifyNow(server, { type: 'follow', recipientId: alice.accountId, fromAccountId: later.accountId });
    const [follow] = await list(server, alice, '?types[]=follow');
    t.is(follow.account.username, 'later');
    await relate(server, 'blocks', later, alice);
    t.deepEqual(await senders(), ['before', 'loud']);
    t.is((await send(server, 'GET', `/api/v1/notifications/${follow.id}`, alice.token)).status, 404);
    t.is((await send(server, 'GET', '/api/v1/notifications/unread_count', alice.token)).body.count, 2);
    await unrelate(server, 'blocks', later, alice);
    t.deepEqual(await senders(), ['before', 'later', 'loud']);
    await relate(server, 'blocks', alice, later);
    t.deepEqual(await senders(), ['before', 'loud']);
    await unrelate(server, 'blocks', alice, later);
    await relate(server, 'mutes', alice, later, { hide_notifications: true });
    t.deepEqual(await senders(), ['before', 'loud']);
    await server.db('mutes').where({ account_id: alice.accountId, target_account_id: later.accountId }).update({ hide_notifications: false });
    t.deepEqual(await senders(), ['before', 'later', 'loud']);
    await server.db('mutes').where({ account_id: alice.accountId, target_account_id: later.accountId }).update({ hide_notifications: true, expires_at: Date.now() - 1 });
    t.deepEqual(await senders(), ['before', 'later', 'loud']);
    // A suspended sender is not shown either.
    await server.db('accounts').where('id', later.accountId).update({ suspended_at: Date.now() });
    t.deepEqual(await senders(), ['before', 'loud']);
  });

  test(`${target.name}: a post the recipient may no longer see takes its notification with it`, async (t) => {
    const { server, users: [alice, bob] } = await users(t, target, ['alice', 'bob']);
    await relate(server, 'follows', alice, bob, { notify: true });
    const privatePost = await post(server, bob, 'private');
    const publicPost = await post(server, bob);
    await notifyNow(server, { type: 'status', recipientId: alice.accountId, fromAccountId: bob.accountId, postId: privatePost });
    await notifyNow(server, { type: 'status', recipientId: alice.accountId, fromAccountId: bob.accountId, postId: publicPost });
    t.is((await list(server, alice)).length, 2);
    await unrelate(server, 'follows', alice, bob);
    const [left] = await list(server, alice);
    t.is(left.status.id, String(publicPost));
    t.is((await list(server, alice)).length, 1);
    await send(server, 'DELETE', `/api/v1/statuses/${publicPost}`, bob.token);
    t.deepEqual(await list(server, alice), []);
    // unread_count counts what the list shows: the private post alice may no longer see does not count.
    t.is((await send(server, 'GET', '/api/v1/notifications/unread_count', alice.token)).body.count, 0);
  });

  test(`${target.name}: unread_count counts only notifications whose post the recipient may still see`, async (t) => {
    const { server, users: [alice, bob, carol] } = await users(t, target, ['alice', 'bob', 'carol']);
    await relate(server, 'follows', alice, bob, { notify: true });
    const count = async (query = '') => (await send(server, 'GET', `/api/v1/notifications/unread_count${query}`, alice.token)).body.count;
    // Newest first: three followers-only posts on top of two public ones, so a page of limit=2 is all hidden after the unfollow.
    const publicPosts = [await post(server, bob), await post(server, bob)];
    const privatePosts = [await post(server, bob, 'private'), await post(server, bob, 'private'), await post(server, bob, 'private')];
    for (const id of [...publicPosts, ...privatePosts]) await notifyNow(server, { type: 'status', recipientId: alice.accountId, fromAccountId: bob.accountId, postId: id });
    // A share of a followers-only post is shown only while the original may be.
    const share = await post(server, carol, 'public', { reblogOfId: privatePosts[0]! });
    await notifyNow(server, { type: 'mention', recipientId: alice.accountId, fromAccountId: carol.accountId, postId: share });
    await notifyNow(server, { type: 'follow', recipientId: alice.accountId, fromAccountId: carol.accountId });
    t.is((await list(server, alice)).length, 7);
    t.is(await count(), 7);

    await unrelate(server, 'follows', alice, bob);
    const shown = await list(server, alice);
    t.deepEqual(shown.map((n) => n.status?.id ?? null), [null, ...[...publicPosts].reverse().map(String)]);
    t.is(await count(), shown.length);
    // Counted up to limit over the visible ones: the hidden rows on top do not use it up.
    t.is(await count('?limit=2'), 2);
    t.is(await count('?limit=1&types[]=status'), 1);
    // Archived: hidden from everyone but the author.
    await server.db('posts').where('id', publicPosts[0]!).update({ archived_at: Date.now() });
    t.is(await count(), (await list(server, alice)).length);
    t.is(await count(), 2);
    // A suspended sender's notifications go too; the follow from carol stays.
    await server.db('accounts').where('id', bob.accountId).update({ suspended_at: Date.now() });
    t.is(await count(), 1);
    t.is((await list(server, alice)).length, 1);
  });

  test(`${target.name}: one notification per dedupe key; an undone action takes its notification back`, async (t) => {
    const { server, users: [alice, bob] } = await users(t, target, ['alice', 'bob']);
    const photo = await post(server, alice);
    const like: NewNotification = { type: 'favourite', recipientId: alice.accountId, fromAccountId: bob.accountId, postId: photo };
    await notifyNow(server, like);
    await notifyNow(server, like);
    // Inside one transaction too (a redelivered activity).
    await server.db.transaction(async (trx) => {
      await notify(trx, like);
      await notify(trx, like);
    });
    t.is(await rowsFor(server, alice), 1);
    // A like of another post, or a share of the same one, is another notification.
    const other = await post(server, alice);
    await notifyNow(server, { ...like, postId: other });
    await notifyNow(server, { ...like, type: 'reblog' });
    t.is(await rowsFor(server, alice), 3);

    await server.db.transaction((trx) => withdrawNotification(trx, like));
    t.deepEqual((await list(server, alice)).map((n) => [n.type, n.status.id]), [['reblog', String(photo)], ['favourite', String(other)]]);
    await notifyNow(server, like);
    t.is(await rowsFor(server, alice), 3);

    // An edit notifies again: the one `update` notification moves up to the newest.
    const bobPost = await post(server, bob);
    const update: NewNotification = { type: 'update', recipientId: alice.accountId, fromAccountId: bob.accountId, postId: bobPost };
    await notifyNow(server, update);
    const first = (await list(server, alice))[0];
    await notifyNow(server, { type: 'follow', recipientId: alice.accountId, fromAccountId: bob.accountId });
    await notifyNow(server, update);
    const after = await list(server, alice);
    t.deepEqual(after.map((n) => n.type).slice(0, 2), ['update', 'follow']);
    t.is(after.filter((n) => n.type === 'update').length, 1);
    t.true(BigInt(after[0].id) > BigInt(first.id));
  });

  test(`${target.name}: types, exclude_types, account_id, and pages with Link headers`, async (t) => {
    const { server, users: [alice, bob, carol] } = await users(t, target, ['alice', 'bob', 'carol']);
    const posts = [await post(server, alice), await post(server, alice), await post(server, alice)];
    for (const postId of posts) {
      await notifyNow(server, { type: 'favourite', recipientId: alice.accountId, fromAccountId: bob.accountId, postId });
      await notifyNow(server, { type: 'reblog', recipientId: alice.accountId, fromAccountId: carol.accountId, postId });
    }
    await notifyNow(server, { type: 'follow', recipientId: alice.accountId, fromAccountId: carol.accountId });
    const all = await list(server, alice);
    t.is(all.length, 7);
    const ids = all.map((n) => n.id);

    const types = (items: any[]) => items.map((n) => n.type);
    t.deepEqual(types(await list(server, alice, '?types[]=follow&types[]=reblog')), ['follow', 'reblog', 'reblog', 'reblog']);
    t.deepEqual(types(await list(server, alice, '?types=follow')), ['follow']);
    t.deepEqual(types(await list(server, alice, '?exclude_types[]=reblog&exclude_types[]=follow')), ['favourite', 'favourite', 'favourite']);
    t.deepEqual(await list(server, alice, '?types[]=poll'), []);
    t.deepEqual(types(await list(server, alice, `?account_id=${carol.accountId}&exclude_types[]=reblog`)), ['follow']);
    const viaMasto = await alice.client.v1.notifications.list({ types: ['favourite'], accountId: String(bob.accountId) });
    t.deepEqual(viaMasto.map((n) => n.type), ['favourite', 'favourite', 'favourite']);

    // Following the Link header page by page gives every notification once, newest first.
    const seen: string[] = [];
    let next: string | undefined = `${server.url}/api/v1/notifications?limit=3`;
    for (let pages = 0; next && pages < 10; pages++) {
      const response: Response = await fetch(next.replace(server.config.publicUrl, server.url), { headers: { Authorization: `Bearer ${alice.token}` } });
      const page = (await response.json()) as any[];
      seen.push(...page.map((n) => n.id));
      next = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
      if (pages === 0) t.regex(response.headers.get('link') ?? '', new RegExp(`min_id=${ids[0]}>; rel="prev"`));
    }
    t.deepEqual(seen, ids);
    // masto's paginator follows the same headers.
    const paged: string[] = [];
    for await (const page of alice.client.v1.notifications.list({ limit: 2 })) paged.push(...page.map((n) => n.id));
    t.deepEqual(paged, ids);

    t.deepEqual((await list(server, alice, `?max_id=${ids[2]}&limit=2`)).map((n) => n.id), ids.slice(3, 5));
    t.deepEqual((await list(server, alice, `?since_id=${ids[4]}&limit=2`)).map((n) => n.id), ids.slice(0, 2));
    t.deepEqual((await list(server, alice, `?min_id=${ids[4]}&limit=2`)).map((n) => n.id), ids.slice(2, 4));
    t.is((await list(server, alice, '?limit=500')).length, 7);

    // A notification whose post the recipient may not see is left out after the page is read;
    // the page still ends where its rows did, so the list goes on.
    const hiddenPost = await post(server, bob, 'private');
    await notifyNow(server, { type: 'status', recipientId: alice.accountId, fromAccountId: bob.accountId, postId: hiddenPost });
    const first = await send(server, 'GET', '/api/v1/notifications?limit=2', alice.token);
    t.deepEqual(first.body.map((n: any) => n.type), ['follow']);
    t.regex(first.link ?? '', new RegExp(`max_id=${ids[0]}>; rel="next"`));
    // Blocks are applied in the query itself: a page is still full.
    await relate(server, 'blocks', alice, carol);
    t.deepEqual(types(await list(server, alice, '?limit=2&types[]=favourite&types[]=follow&types[]=reblog')), ['favourite', 'favourite']);
  });

  test(`${target.name}: dismiss one, clear all`, async (t) => {
    const { server, users: [alice, bob] } = await users(t, target, ['alice', 'bob']);
    const posts = [await post(server, alice), await post(server, alice), await post(server, alice)];
    for (const postId of posts) await notifyNow(server, { type: 'favourite', recipientId: alice.accountId, fromAccountId: bob.accountId, postId });
    await notifyNow(server, { type: 'follow', recipientId: bob.accountId, fromAccountId: alice.accountId });
    const [newest, middle] = await list(server, alice);

    const readOnly = await appToken(server, ['read'], alice.userId);
    t.is((await send(server, 'POST', `/api/v1/notifications/${newest.id}/dismiss`, readOnly)).status, 403);
    const dismissed = await send(server, 'POST', `/api/v1/notifications/${newest.id}/dismiss`, alice.token);
    t.is(dismissed.status, 200);
    t.deepEqual(dismissed.body, {});
    t.is((await send(server, 'POST', `/api/v1/notifications/${newest.id}/dismiss`, alice.token)).status, 404);
    // Bob cannot dismiss Alice's.
    t.is((await send(server, 'POST', `/api/v1/notifications/${middle.id}/dismiss`, bob.token)).status, 404);
    await alice.client.v1.notifications.$select(middle.id).dismiss();
    t.is((await list(server, alice)).length, 1);

    t.is((await send(server, 'POST', '/api/v1/notifications/clear', readOnly)).status, 403);
    await alice.client.v1.notifications.clear();
    t.deepEqual(await list(server, alice), []);
    // Only hers.
    t.is((await list(server, bob)).length, 1);
  });
}
