// Read markers (GET/POST /api/v1/markers) and the unread count they drive
// (GET /api/v1/notifications/unread_count, Mastodon 4.3).
import test from 'ava';
import { newId } from '../../server/db/ids.ts';
import { insertPost } from '../../server/db/posts.repo.ts';
import { notify, type NewNotification } from '../../server/services/notifications/notify.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { appToken, createUser, startApiServer, type ApiServer } from './helpers.ts';

async function send(server: ApiServer, method: string, path: string, token: string, body?: string | Record<string, unknown>) {
  const form = typeof body === 'string';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json' }) },
    body: body === undefined ? undefined : form ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const notifyNow = (server: ApiServer, n: NewNotification) => server.db.transaction((trx) => notify(trx, n));

for (const target of await databaseTargets()) {
  test(`${target.name}: markers are set, read back, and count their versions`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    t.deepEqual((await send(server, 'GET', '/api/v1/markers?timeline[]=home&timeline[]=notifications', alice.token)).body, {});

    const set = await send(server, 'POST', '/api/v1/markers', alice.token, 'notifications[last_read_id]=1234');
    t.is(set.status, 200);
    t.deepEqual(Object.keys(set.body), ['notifications']);
    t.is(set.body.notifications.last_read_id, '1234');
    t.is(set.body.notifications.version, 0);
    t.regex(set.body.notifications.updated_at, /^\d{4}-\d\d-\d\dT/);

    const moved = await send(server, 'POST', '/api/v1/markers', alice.token, { notifications: { last_read_id: '2000' }, home: { last_read_id: '77' } });
    t.is(moved.body.notifications.version, 1);
    t.is(moved.body.notifications.last_read_id, '2000');
    t.is(moved.body.home.version, 0);
    // The same position again moves nothing, so the version stays.
    const same = await send(server, 'POST', '/api/v1/markers', alice.token, 'notifications[last_read_id]=2000');
    t.is(same.body.notifications.version, 1);
    const again = await send(server, 'POST', '/api/v1/markers', alice.token, 'notifications[last_read_id]=2500');
    t.is(again.body.notifications.version, 2);

    const both = await send(server, 'GET', '/api/v1/markers?timeline[]=home&timeline[]=notifications', alice.token);
    t.deepEqual(both.body.home.last_read_id, '77');
    t.deepEqual(both.body.notifications.last_read_id, '2500');
    t.deepEqual(Object.keys((await send(server, 'GET', '/api/v1/markers?timeline[]=home', alice.token)).body), ['home']);
    // Mastodon answers only the timelines asked for, and each user has their own.
    t.deepEqual((await send(server, 'GET', '/api/v1/markers', alice.token)).body, {});
    t.deepEqual((await send(server, 'GET', '/api/v1/markers?timeline[]=home&timeline[]=notifications', bob.token)).body, {});

    // Through masto, as apps call it.
    const viaMasto = await bob.client.v1.markers.create({ home: { lastReadId: '42' } });
    t.is(viaMasto.home?.lastReadId, '42');
    const fetched = await bob.client.v1.markers.fetch({ timeline: ['home', 'notifications'] });
    t.is(fetched.home?.version, 0);
    t.false('notifications' in fetched);

    t.is((await send(server, 'POST', '/api/v1/markers', alice.token, { home: { last_read_id: 'latest' } })).status, 422);
    const readOnly = await appToken(server, ['read:statuses'], alice.userId);
    t.is((await send(server, 'POST', '/api/v1/markers', readOnly, 'home[last_read_id]=1')).status, 403);
    const notificationsOnly = await appToken(server, ['read:notifications'], alice.userId);
    t.is((await send(server, 'GET', '/api/v1/markers?timeline[]=home', notificationsOnly)).status, 403);
    t.is((await send(server, 'GET', '/api/v1/markers?timeline[]=home', readOnly)).status, 200);
  });

  test(`${target.name}: unread_count counts after the notifications marker`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const carol = await createUser(server, 'carol');
    const posts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const id = newId();
      await insertPost(server.db, { id, accountId: alice.accountId, kind: 'photo', visibility: 'public', createdAt: Date.now(), updatedAt: Date.now() });
      posts.push(id);
      await notifyNow(server, { type: 'favourite', recipientId: alice.accountId, fromAccountId: bob.accountId, postId: id });
    }
    await notifyNow(server, { type: 'follow', recipientId: alice.accountId, fromAccountId: carol.accountId });
    const count = async (query = '') => (await send(server, 'GET', `/api/v1/notifications/unread_count${query}`, alice.token)).body.count;
    // No marker yet: everything is unread.
    t.is(await count(), 5);
    t.is(await count('?limit=3'), 3);
    t.is(await count('?types[]=follow'), 1);
    t.is(await count('?exclude_types[]=follow'), 4);
    t.is(await count(`?account_id=${bob.accountId}`), 4);

    const ids = (await send(server, 'GET', '/api/v1/notifications', alice.token)).body.map((n: any) => n.id);
    await alice.client.v1.markers.create({ notifications: { lastReadId: ids[2] } });
    t.is(await count(), 2);
    t.is((await alice.client.v1.notifications.unreadCount.fetch()).count, 2);
    t.is((await alice.client.v1.notifications.unreadCount.fetch({ types: ['favourite'] })).count, 1);
    // A sender blocked since is not counted.
    await server.db('blocks').insert({ id: newId(), account_id: alice.accountId, target_account_id: carol.accountId, created_at: Date.now() });
    t.is(await count(), 1);
    await send(server, 'POST', '/api/v1/markers', alice.token, `notifications[last_read_id]=${ids[0]}`);
    t.is(await count(), 0);
    // Mastodon's default limit is 100, its largest 1,000.
    t.is(await count('?limit=5000'), 0);
    t.is((await send(server, 'GET', '/api/v1/notifications/unread_count', bob.token)).body.count, 0);
    const statusesOnly = await appToken(server, ['read:statuses'], alice.userId);
    t.is((await send(server, 'GET', '/api/v1/notifications/unread_count', statusesOnly)).status, 403);
  });
}
