// Followers and following over real HTTP on each database: paging by the
// follow row with Mastodon's Link header (next, prev, min_id, since_id),
// hide_collections (only the account itself sees its lists), scopes when a
// token is given, and a suspended follower left out.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { setAccountSuspendedAt } from '../../server/db/accounts.repo.ts';
import { createUser, startApiServer, type ApiServer, type TestUser } from './helpers.ts';

async function get(server: ApiServer, path: string, token?: string): Promise<{ status: number; body: any; links: Record<string, string> }> {
  const response = await fetch(path.startsWith('http') ? path : `${server.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const links: Record<string, string> = {};
  for (const part of (response.headers.get('link') ?? '').split(',')) {
    const match = /<([^>]+)>;\s*rel="(\w+)"/.exec(part);
    // Links are on the configured public URL; the test server listens elsewhere.
    if (match) links[match[2]!] = match[1]!.replace(server.config.publicUrl, server.url);
  }
  return { status: response.status, body: await response.json(), links };
}

const names = (body: any[]) => body.map((account) => account.username);

for (const target of await databaseTargets()) {
  test(`${target.name}: followers and following page with Link headers`, async (t) => {
    const server = await startApiServer(t, target);
    const star = await createUser(server, 'star');
    const fans: TestUser[] = [];
    for (const name of ['fan1', 'fan2', 'fan3', 'fan4', 'fan5', 'fan6', 'fan7']) fans.push(await createUser(server, name));
    // One after the other, so the follow rows' order is the order of the names.
    for (const fan of fans) await fan.client.v1.accounts.$select(String(star.accountId)).follow();
    await star.client.v1.accounts.$select(String(fans[0]!.accountId)).follow();

    const first = await get(server, `/api/v1/accounts/${star.accountId}/followers?limit=3`);
    t.is(first.status, 200);
    t.deepEqual(names(first.body), ['fan7', 'fan6', 'fan5'], 'newest follow first');
    t.truthy(first.links.next);
    t.truthy(first.links.prev);
    t.true(first.links.next!.includes('limit=3'), 'other parameters kept');
    const second = await get(server, first.links.next!);
    t.deepEqual(names(second.body), ['fan4', 'fan3', 'fan2']);
    const third = await get(server, second.links.next!);
    t.deepEqual(names(third.body), ['fan1']);
    t.falsy(third.links.next, 'a short page is the last');
    // prev from the third page: the page just above it.
    const back = await get(server, third.links.prev!);
    t.deepEqual(names(back.body), ['fan4', 'fan3', 'fan2']);
    // since_id: newer than, newest first.
    const since = new URL(second.links.prev!).searchParams.get('min_id')!;
    t.deepEqual(names((await get(server, `/api/v1/accounts/${star.accountId}/followers?since_id=${since}`)).body), ['fan7', 'fan6', 'fan5']);
    t.is((await get(server, `/api/v1/accounts/${star.accountId}/followers`)).body.length, 7, 'default limit 40');

    const following = await get(server, `/api/v1/accounts/${fans[0]!.accountId}/following`, star.token);
    t.deepEqual(names(following.body), ['star']);
    t.deepEqual(names((await get(server, `/api/v1/accounts/${star.accountId}/following`)).body), ['fan1']);
    t.is(following.body[0].followers_count, 7, 'full Account entities');

    // A suspended follower is left out.
    await setAccountSuspendedAt(server.db, fans[6]!.accountId, Date.now());
    t.deepEqual(names((await get(server, `/api/v1/accounts/${star.accountId}/followers?limit=2`)).body), ['fan6', 'fan5']);

    t.is((await get(server, '/api/v1/accounts/999999999/followers')).status, 404);
  });

  test(`${target.name}: hide_collections shows the lists only to the account itself`, async (t) => {
    const server = await startApiServer(t, target);
    const [shy, friend] = await Promise.all([createUser(server, 'shy'), createUser(server, 'friend')]);
    await friend.client.v1.accounts.$select(String(shy.accountId)).follow();
    await shy.client.v1.accounts.$select(String(friend.accountId)).follow();
    await shy.client.v1.accounts.updateCredentials({ hideCollections: true });

    for (const list of ['followers', 'following']) {
      const path = `/api/v1/accounts/${shy.accountId}/${list}`;
      t.deepEqual((await get(server, path)).body, [], `${list}: anonymous`);
      t.deepEqual((await get(server, path, friend.token)).body, [], `${list}: another account, even a follower`);
      t.deepEqual(names((await get(server, path, shy.token)).body), ['friend'], `${list}: the account itself`);
    }
    // The relationship still tells each what is between them.
    const [relationship] = await friend.client.v1.accounts.relationships.fetch({ id: [String(shy.accountId)] });
    t.true(relationship!.following && relationship!.followedBy);
  });

  test(`${target.name}: a token given to followers must carry read:accounts`, async (t) => {
    const server = await startApiServer(t, target);
    const [owner, pusher] = await Promise.all([createUser(server, 'olive'), createUser(server, 'pusher', ['write'])]);
    t.is((await get(server, `/api/v1/accounts/${owner.accountId}/followers`, pusher.token)).status, 403);
    t.is((await get(server, `/api/v1/accounts/${owner.accountId}/followers`, 'not-a-token')).status, 401);
    t.is((await get(server, `/api/v1/accounts/${owner.accountId}/followers`)).status, 200);
  });
}
