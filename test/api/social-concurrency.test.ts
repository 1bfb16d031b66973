// Counts under concurrency, over real HTTP on each database: 30 accounts
// follow one at once; one account sends the same follow ten times at once;
// two accounts follow each other at the same moment (no deadlock on
// Postgres); follows and a block race. Counts always equal the rows.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { createUser, startApiServer, type ApiServer, type TestUser } from './helpers.ts';

async function post(server: ApiServer, path: string, token: string): Promise<number> {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

async function assertCountsMatchRows(t: import('ava').ExecutionContext, server: ApiServer, users: TestUser[]) {
  for (const user of users) {
    const account = await server.db('accounts').where('id', user.accountId).first('followers_count', 'following_count');
    const followers = await server.db('follows').where('target_account_id', user.accountId).count({ n: '*' }).first();
    const following = await server.db('follows').where('account_id', user.accountId).count({ n: '*' }).first();
    t.is(Number(account.followers_count), Number(followers!.n), `${user.username}: followers_count`);
    t.is(Number(account.following_count), Number(following!.n), `${user.username}: following_count`);
  }
}

async function users(server: ApiServer, prefix: string, n: number): Promise<TestUser[]> {
  const made: TestUser[] = [];
  // A few at a time: password hashing is what costs here.
  for (let i = 0; i < n; i += 5) made.push(...(await Promise.all(Array.from({ length: Math.min(5, n - i) }, (_, j) => createUser(server, `${prefix}${i + j}`)))));
  return made;
}

for (const target of await databaseTargets()) {
  test(`${target.name}: 30 concurrent follows of one account count 30`, async (t) => {
    const server = await startApiServer(t, target);
    const star = await createUser(server, 'star');
    const fans = await users(server, 'fan', 30);
    const statuses = await Promise.all(fans.map((fan) => post(server, `/api/v1/accounts/${star.accountId}/follow`, fan.token)));
    t.deepEqual(statuses, fans.map(() => 200));
    const { body } = await fetch(`${server.url}/api/v1/accounts/${star.accountId}`).then(async (r) => ({ body: (await r.json()) as any }));
    t.is(body.followers_count, 30);
    await assertCountsMatchRows(t, server, [star, ...fans]);

    // All unfollow at once: back to zero.
    await Promise.all(fans.map((fan) => post(server, `/api/v1/accounts/${star.accountId}/unfollow`, fan.token)));
    await assertCountsMatchRows(t, server, [star, ...fans]);
    t.is(Number((await server.db('accounts').where('id', star.accountId).first('followers_count')).followers_count), 0);
  });

  test(`${target.name}: concurrent double follows are one follow`, async (t) => {
    const server = await startApiServer(t, target);
    const [a, b, locked] = await Promise.all(['ada', 'bea', 'lee'].map((name) => createUser(server, name)));
    await locked.client.v1.accounts.updateCredentials({ locked: true });
    const statuses = await Promise.all([
      ...Array.from({ length: 10 }, () => post(server, `/api/v1/accounts/${b.accountId}/follow`, a.token)),
      ...Array.from({ length: 10 }, () => post(server, `/api/v1/accounts/${locked.accountId}/follow`, a.token)),
    ]);
    t.true(statuses.every((status) => status === 200), statuses.join(' '));
    t.is(Number((await server.db('follows').where({ account_id: a.accountId }).count({ n: '*' }).first())!.n), 1);
    t.is(Number((await server.db('follow_requests').where({ account_id: a.accountId }).count({ n: '*' }).first())!.n), 1);
    await assertCountsMatchRows(t, server, [a, b, locked]);

    // Ten authorizations of the one request at once: one follow.
    await Promise.all(Array.from({ length: 10 }, () => post(server, `/api/v1/follow_requests/${a.accountId}/authorize`, locked.token)));
    await assertCountsMatchRows(t, server, [a, b, locked]);
    t.is(Number((await server.db('accounts').where('id', a.accountId).first('following_count')).following_count), 2);
  });

  test(`${target.name}: mutual follows at once, and follows racing a block`, async (t) => {
    const server = await startApiServer(t, target);
    const group = await users(server, 'pal', 6);
    // Everyone follows everyone, all at once: pairs lock in both orders.
    const requests = group.flatMap((from) => group.filter((to) => to !== from).map((to) => post(server, `/api/v1/accounts/${to.accountId}/follow`, from.token)));
    const statuses = await Promise.all(requests);
    t.true(statuses.every((status) => status === 200), statuses.join(' '));
    await assertCountsMatchRows(t, server, group);
    t.is(Number((await server.db('follows').count({ n: '*' }).first())!.n), 30);

    // pal0 blocks pal1 while pal1 unfollows and refollows: whatever wins, no follow survives the block.
    const [p0, p1] = group as [TestUser, TestUser];
    await Promise.all([
      post(server, `/api/v1/accounts/${p0.accountId}/unfollow`, p1.token),
      post(server, `/api/v1/accounts/${p1.accountId}/block`, p0.token),
      post(server, `/api/v1/accounts/${p0.accountId}/follow`, p1.token),
      post(server, `/api/v1/accounts/${p1.accountId}/follow`, p0.token),
    ]);
    const between = await server
      .db('follows')
      .where((q) => q.where({ account_id: p0.accountId, target_account_id: p1.accountId }).orWhere({ account_id: p1.accountId, target_account_id: p0.accountId }))
      .count({ n: '*' })
      .first();
    t.is(Number(between!.n), 0);
    await assertCountsMatchRows(t, server, group);
  });
}
