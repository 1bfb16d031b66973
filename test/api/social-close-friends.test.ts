// The close friends API (/api/viewfinder/v1/close_friends) over real HTTP on
// each database: only followers can be added (all or nothing), the list pages
// like Mastodon's account lists, DELETE is idempotent, the relationship says
// close_friend, and a follower who stops following leaves the list.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { findOwnersListing } from '../../server/db/close-friends.repo.ts';
import { createUser, getJson, startApiServer, type ApiServer } from './helpers.ts';

async function call(server: ApiServer, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any; link: string | null }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json(), link: response.headers.get('link') };
}

const PATH = '/api/viewfinder/v1/close_friends';
const ids = (body: any[]) => body.map((account) => account.id);

for (const target of await databaseTargets()) {
  test(`${target.name}: close friends: add followers, list, remove`, async (t) => {
    const server = await startApiServer(t, target);
    const [kim, lou, max, ned] = await Promise.all(['kim', 'lou', 'max', 'ned'].map((name) => createUser(server, name)));
    for (const fan of [lou, max]) await fan.client.v1.accounts.$select(String(kim.accountId)).follow();
    const [louId, maxId, nedId] = [lou, max, ned].map((user) => String(user.accountId));

    t.deepEqual((await call(server, 'GET', PATH, kim.token)).body, []);

    // Someone who does not follow kim cannot be added, and then nothing is added.
    const refused = await call(server, 'POST', PATH, kim.token, { account_ids: [louId, nedId] });
    t.is(refused.status, 422);
    t.deepEqual(refused.body.details, { account_ids: [nedId] });
    t.deepEqual((await call(server, 'GET', PATH, kim.token)).body, []);
    t.is((await call(server, 'POST', PATH, kim.token, { account_ids: [] })).status, 422);

    const added = await call(server, 'POST', PATH, kim.token, { account_ids: [louId, maxId] });
    t.is(added.status, 200);
    t.deepEqual(ids(added.body), [louId, maxId]);
    // Adding again, and as a form with account_ids[], is harmless.
    const form = await fetch(`${server.url}${PATH}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${kim.token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `account_ids[]=${louId}`,
    });
    t.is(form.status, 200);
    const list = await call(server, 'GET', PATH, kim.token);
    t.deepEqual(ids(list.body).sort(), [louId, maxId].sort());
    t.truthy(list.link);
    t.is((await call(server, 'GET', `${PATH}?limit=1`, kim.token)).body.length, 1);
    // Each list is its owner's.
    t.deepEqual((await call(server, 'GET', PATH, lou.token)).body, []);

    const [relationship] = (await getJson(server, `/api/v1/accounts/relationships?id[]=${louId}&id[]=${nedId}`, kim.token)).body;
    t.true(relationship.close_friend);
    t.false((await getJson(server, `/api/v1/accounts/relationships?id[]=${kim.accountId}`, lou.token)).body[0].close_friend, 'one way');
    t.deepEqual([...(await findOwnersListing(server.db, lou.accountId, [kim.accountId, ned.accountId]))], [kim.accountId]);

    t.is((await call(server, 'DELETE', `${PATH}/${maxId}`, kim.token)).status, 200);
    t.is((await call(server, 'DELETE', `${PATH}/${maxId}`, kim.token)).status, 200, 'already off the list');
    t.is((await call(server, 'DELETE', `${PATH}/999999999`, kim.token)).status, 404);
    t.deepEqual(ids((await call(server, 'GET', PATH, kim.token)).body), [louId]);

    // A close friend who stops following leaves the list.
    await lou.client.v1.accounts.$select(String(kim.accountId)).unfollow();
    t.deepEqual((await call(server, 'GET', PATH, kim.token)).body, []);
    // So does a follower kim removes.
    await call(server, 'POST', PATH, kim.token, { account_ids: [maxId] });
    await call(server, 'POST', `/api/v1/accounts/${maxId}/remove_from_followers`, kim.token);
    t.deepEqual((await call(server, 'GET', PATH, kim.token)).body, []);
  });

  test(`${target.name}: close friends need follow scopes`, async (t) => {
    const server = await startApiServer(t, target);
    const [reader, fan] = await Promise.all([createUser(server, 'reader', ['read']), createUser(server, 'fan')]);
    await fan.client.v1.accounts.$select(String(reader.accountId)).follow();
    t.is((await call(server, 'GET', PATH, reader.token)).status, 200);
    t.is((await call(server, 'POST', PATH, reader.token, { account_ids: [String(fan.accountId)] })).status, 403);
    t.is((await call(server, 'DELETE', `${PATH}/${fan.accountId}`, reader.token)).status, 403);
    t.is((await fetch(`${server.url}${PATH}`)).status, 401);
  });
}
