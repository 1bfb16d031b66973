// The notifications that fan out through jobs: `status` to the followers who
// asked for it (notify on their follow) when a post is published, `update` to
// those who shared a post when it is edited, both in batches that each
// enqueue the next; and a block's job that forgets the two accounts'
// notifications of each other.
import test from 'ava';
import { insertAccount } from '../../server/db/accounts.repo.ts';
import { newId } from '../../server/db/ids.ts';
import { insertPost, markPostDeleted } from '../../server/db/posts.repo.ts';
import { JobRegistry } from '../../server/jobs/registry.ts';
import { createWorker } from '../../server/jobs/worker.ts';
import { registerNotificationJobs } from '../../server/services/notifications/notification-jobs.ts';
import { forgetNotificationsBetween, notify, notifyPostEdited, notifySubscribers } from '../../server/services/notifications/notify.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { solidJpeg, uploadFile } from '../helpers/media-fixtures.ts';
import { createUser, startApiServer, type ApiServer } from './helpers.ts';
import { eventually, waitUntilProcessed } from './media-helpers.ts';

async function send(server: ApiServer, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function account(server: ApiServer, username: string, domain: string | null = null): Promise<number> {
  const now = Date.now();
  return (await insertAccount(server.db, { id: newId(), username, domain, createdAt: now, updatedAt: now })).id;
}

async function post(server: ApiServer, accountId: number, extra: { reblogOfId?: number } = {}): Promise<number> {
  const id = newId();
  const now = Date.now();
  await insertPost(server.db, { id, accountId, kind: 'photo', visibility: 'public', createdAt: now, updatedAt: now, ...extra });
  return id;
}

async function relate(server: ApiServer, table: 'follows' | 'blocks' | 'mutes', accountId: number, targetId: number, extra: Record<string, unknown> = {}) {
  await server.db(table).insert({ id: newId(), account_id: accountId, target_account_id: targetId, created_at: Date.now(), ...extra });
}

const notified = async (server: ApiServer, type: string, postId?: number): Promise<number[]> => {
  const q = server.db('notifications').where({ type });
  if (postId !== undefined) q.where({ post_id: postId });
  return (await q.orderBy('account_id').select('account_id')).map((row) => Number(row.account_id));
};

const queued = async (server: ApiServer, prefix: string) => Number((await server.db('jobs').where('type', 'like', `${prefix}%`).count({ n: '*' }).first())!.n);

/** A worker that runs only the notification jobs, two recipients per batch. */
function startNotificationWorker(t: import('ava').ExecutionContext, server: ApiServer) {
  const registry = new JobRegistry();
  registerNotificationJobs(registry, server.db, server.config, { batch: 2 });
  const worker = createWorker({ db: server.db, registry, concurrency: 1, pollMs: 10, leaseMs: 60_000 });
  worker.start();
  t.teardown(() => worker.stop());
}

for (const target of await databaseTargets()) {
  test(`${target.name}: publishing and editing through the API notify subscribers and sharers`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const [alice, bob, carol, dave] = [await createUser(server, 'alice'), await createUser(server, 'bob'), await createUser(server, 'carol'), await createUser(server, 'dave')];
    await relate(server, 'follows', alice.accountId, bob.accountId, { notify: true });
    await relate(server, 'follows', carol.accountId, bob.accountId, { notify: false });
    await relate(server, 'follows', dave.accountId, bob.accountId, { notify: true });
    await relate(server, 'mutes', dave.accountId, bob.accountId, { hide_notifications: true });

    const upload = await uploadFile(server.url, bob.token, await solidJpeg(120, 90), { type: 'image/jpeg' });
    t.is((await waitUntilProcessed(server, bob.token, upload.body.id)).status, 200);
    const published = await send(server, 'POST', '/api/v1/statuses', bob.token, { status: 'Dawn', media_ids: [upload.body.id] });
    t.is(published.status, 200);
    await eventually(async () => (await notified(server, 'status')).length > 0);
    t.deepEqual(await notified(server, 'status'), [alice.accountId]);
    const [status] = await alice.client.v1.notifications.list({ types: ['status'] });
    t.is(status!.status!.id, published.body.id);
    t.is(status!.account.id, String(bob.accountId));
    // A comment is not news for subscribers.
    await send(server, 'POST', '/api/v1/statuses', bob.token, { status: 'Thanks all', in_reply_to_id: published.body.id });

    const postId = Number(published.body.id);
    await post(server, alice.accountId, { reblogOfId: postId });
    await post(server, carol.accountId, { reblogOfId: postId });
    t.is((await send(server, 'PUT', `/api/v1/statuses/${postId}`, bob.token, { status: 'Dawn, again' })).status, 200);
    await eventually(async () => (await notified(server, 'update')).length === 2);
    t.deepEqual(await notified(server, 'update'), [alice.accountId, carol.accountId].sort((a, b) => a - b));
    const [update] = await carol.client.v1.notifications.list();
    t.is(update!.type, 'update');
    t.is(update!.status!.id, published.body.id);
    t.is(update!.status!.content, '<p>Dawn, again</p>');

    // Another edit: still one update notification each, the newest.
    t.is((await send(server, 'PUT', `/api/v1/statuses/${postId}`, bob.token, { status: 'Dawn, third take' })).status, 200);
    await eventually(async () => {
      const [latest] = await carol.client.v1.notifications.list();
      return latest!.id !== update!.id;
    });
    t.deepEqual(await notified(server, 'update'), [alice.accountId, carol.accountId].sort((a, b) => a - b));
    t.deepEqual(await notified(server, 'status'), [alice.accountId]);
  });

  test(`${target.name}: fan-out runs in batches, once per recipient, local accounts only`, async (t) => {
    const server = await startApiServer(t, target);
    const author = await account(server, 'author');
    const subscribers = [await account(server, 's1'), await account(server, 's2'), await account(server, 's3'), await account(server, 's4'), await account(server, 's5')];
    const blockedByAuthor = await account(server, 'blocked');
    const remote = await account(server, 'faraway', 'remote.example');
    for (const id of [...subscribers, blockedByAuthor, remote]) await relate(server, 'follows', id, author, { notify: true });
    await relate(server, 'blocks', author, blockedByAuthor);
    const postId = await post(server, author);
    await server.db.transaction((trx) => notifySubscribers(trx, postId, author));
    // Enqueued twice (a retried request): the job's key makes it one.
    await server.db.transaction((trx) => notifySubscribers(trx, postId, author));
    t.is(await queued(server, 'notifications.'), 1);
    startNotificationWorker(t, server);
    await eventually(async () => (await queued(server, 'notifications.')) === 0 && (await notified(server, 'status')).length === 5);
    t.deepEqual(await notified(server, 'status'), [...subscribers].sort((a, b) => a - b));

    // Run again from the start: what is missing comes back, nothing twice.
    await server.db('notifications').where({ account_id: subscribers[0] }).delete();
    await server.db.transaction((trx) => notifySubscribers(trx, postId, author));
    await eventually(async () => (await queued(server, 'notifications.')) === 0 && (await notified(server, 'status')).length === 5);
    t.is((await notified(server, 'status')).length, 5);

    // Sharers of an edited post, in batches too.
    for (const id of subscribers.slice(0, 3)) await post(server, id, { reblogOfId: postId });
    await post(server, remote, { reblogOfId: postId });
    await server.db.transaction((trx) => notifyPostEdited(trx, postId, author));
    await eventually(async () => (await queued(server, 'notifications.')) === 0 && (await notified(server, 'update')).length === 3);
    t.deepEqual(await notified(server, 'update'), subscribers.slice(0, 3).sort((a, b) => a - b));

    // A post deleted before its job runs notifies no one.
    const gone = await post(server, author);
    await server.db.transaction(async (trx) => {
      await notifySubscribers(trx, gone, author);
      await markPostDeleted(trx, gone);
    });
    await eventually(async () => (await queued(server, 'notifications.')) === 0);
    t.deepEqual(await notified(server, 'status', gone), []);
  });

  test(`${target.name}: after a block, the two accounts' notifications of each other are forgotten`, async (t) => {
    const server = await startApiServer(t, target);
    const [a, b, c] = [await account(server, 'a'), await account(server, 'b'), await account(server, 'c')];
    const posts = [await post(server, a), await post(server, b), await post(server, a)];
    await server.db.transaction(async (trx) => {
      await notify(trx, { type: 'favourite', recipientId: a, fromAccountId: b, postId: posts[0] });
      await notify(trx, { type: 'favourite', recipientId: a, fromAccountId: b, postId: posts[2] });
      await notify(trx, { type: 'follow', recipientId: b, fromAccountId: a });
      await notify(trx, { type: 'favourite', recipientId: a, fromAccountId: c, postId: posts[0] });
      await notify(trx, { type: 'favourite', recipientId: b, fromAccountId: c, postId: posts[1] });
    });
    await server.db.transaction((trx) => forgetNotificationsBetween(trx, b, a));
    startNotificationWorker(t, server);
    await eventually(async () => (await queued(server, 'notifications.')) === 0);
    const left = await server.db('notifications').orderBy('id').select('account_id', 'from_account_id');
    t.deepEqual(
      left.map((row) => [Number(row.account_id), Number(row.from_account_id)]),
      [
        [a, c],
        [b, c],
      ],
    );
  });
}
