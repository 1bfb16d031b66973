// Blocks and mutes over real HTTP on each database: a block breaks follows,
// requests and close-friends entries both ways and refuses new follows
// either way; the blocked account can still read the blocker's profile, but
// search leaves each out for the other. Mutes: notifications flag, duration
// and expiry, the list with mute_expires_at, unmute.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { searchProfiles } from '../../server/services/accounts/profile-read.service.ts';
import { createUser, getJson, startApiServer, type ApiServer, type TestUser } from './helpers.ts';

async function send(server: ApiServer, path: string, token: string, body?: unknown, method = 'POST'): Promise<{ status: number; body: any; link: string | null }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json(), link: response.headers.get('link') };
}

async function relationship(server: ApiServer, viewer: TestUser, other: TestUser): Promise<any> {
  const { body } = await getJson(server, `/api/v1/accounts/relationships?id[]=${other.accountId}`, viewer.token);
  return body[0];
}

async function counts(server: ApiServer, user: TestUser): Promise<[number, number]> {
  const { body } = await getJson(server, `/api/v1/accounts/${user.accountId}`);
  return [body.followers_count, body.following_count];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const target of await databaseTargets()) {
  test(`${target.name}: a block breaks follows both ways and refuses new ones`, async (t) => {
    const server = await startApiServer(t, target);
    const [anna, bert, cleo] = await Promise.all(['anna', 'bert', 'cleo'].map((name) => createUser(server, name)));
    await send(server, `/api/v1/accounts/${bert.accountId}/follow`, anna.token);
    await send(server, `/api/v1/accounts/${anna.accountId}/follow`, bert.token);
    await send(server, `/api/v1/accounts/${anna.accountId}/follow`, cleo.token);
    t.is((await send(server, '/api/viewfinder/v1/close_friends', anna.token, { account_ids: [String(bert.accountId)] })).status, 200);
    t.deepEqual(await counts(server, anna), [2, 1]);

    const blocked = await anna.client.v1.accounts.$select(String(bert.accountId)).block();
    t.true(blocked.blocking);
    t.false(blocked.following);
    t.false(blocked.followedBy);
    const seenByBert = await relationship(server, bert, anna);
    t.like(seenByBert, { blocked_by: true, blocking: false, following: false, followed_by: false });
    t.deepEqual(await counts(server, anna), [1, 0], 'cleo still follows anna');
    t.deepEqual(await counts(server, bert), [0, 0]);
    t.deepEqual((await getJson(server, '/api/viewfinder/v1/close_friends', anna.token)).body, [], 'off the close friends list');

    // Neither can follow the other while the block stands.
    const bertFollows = await send(server, `/api/v1/accounts/${anna.accountId}/follow`, bert.token);
    t.is(bertFollows.status, 403);
    t.is(bertFollows.body.error, 'This action is not allowed');
    t.is((await send(server, `/api/v1/accounts/${bert.accountId}/follow`, anna.token)).status, 403);
    t.deepEqual(await counts(server, anna), [1, 0]);
    // Blocking twice changes nothing; blocking oneself is refused.
    t.is((await send(server, `/api/v1/accounts/${bert.accountId}/block`, anna.token)).status, 200);
    t.is((await send(server, `/api/v1/accounts/${anna.accountId}/block`, anna.token)).status, 422);

    // The blocked account still reads the blocker's profile, as on Mastodon.
    t.is((await getJson(server, `/api/v1/accounts/${anna.accountId}`, bert.token)).status, 200);
    // The blocker's followers and following are hidden from the blocked account.
    t.deepEqual((await getJson(server, `/api/v1/accounts/${anna.accountId}/followers`, bert.token)).body, []);
    t.is((await getJson(server, `/api/v1/accounts/${anna.accountId}/followers`, cleo.token)).body.length, 1);
    // Search leaves out accounts in a block with the viewer, either way.
    const names = async (viewer: TestUser) =>
      (await searchProfiles(server.db, 'b', { limit: 10, offset: 0, viewerId: viewer.accountId })).map((view) => view.account.username);
    t.deepEqual(await names(anna), []);
    t.deepEqual(await names(cleo), ['bert']);
    t.false((await searchProfiles(server.db, 'anna', { limit: 10, offset: 0, viewerId: bert.accountId })).some((v) => v.account.username === 'anna'));

    const list = await send(server, '/api/v1/blocks', anna.token, undefined, 'GET');
    t.deepEqual(list.body.map((a: any) => a.id), [String(bert.accountId)]);
    t.truthy(list.link);
    t.deepEqual((await getJson(server, '/api/v1/blocks', bert.token)).body, []);

    const unblocked = await anna.client.v1.accounts.$select(String(bert.accountId)).unblock();
    t.false(unblocked.blocking);
    t.false(unblocked.following, 'what the block broke stays broken');
    t.like(await relationship(server, bert, anna), { blocked_by: false });
    t.is((await send(server, `/api/v1/accounts/${anna.accountId}/follow`, bert.token)).status, 200);
    t.deepEqual(await counts(server, anna), [2, 0]);
  });

  test(`${target.name}: a block withdraws follow requests both ways`, async (t) => {
    const server = await startApiServer(t, target);
    const [lock, asker] = await Promise.all(['lock', 'asker'].map((name) => createUser(server, name)));
    await lock.client.v1.accounts.updateCredentials({ locked: true });
    t.true((await send(server, `/api/v1/accounts/${lock.accountId}/follow`, asker.token)).body.requested);
    await asker.client.v1.accounts.$select(String(lock.accountId)).block();
    t.deepEqual((await getJson(server, '/api/v1/follow_requests', lock.token)).body, []);
    t.is((await getJson(server, '/api/v1/accounts/verify_credentials', lock.token)).body.source.follow_requests_count, 0);
    t.like(await relationship(server, lock, asker), { requested_by: false, blocked_by: true });
  });

  test(`${target.name}: mute with notifications, duration and expiry`, async (t) => {
    const server = await startApiServer(t, target);
    const [mia, noah, otto] = await Promise.all(['mia', 'noah', 'otto'].map((name) => createUser(server, name)));
    await send(server, `/api/v1/accounts/${noah.accountId}/follow`, mia.token);

    const muted = await mia.client.v1.accounts.$select(String(noah.accountId)).mute();
    t.true(muted.muting);
    t.true(muted.mutingNotifications, 'notifications muted by default');
    t.true(muted.following, 'a mute leaves the follow alone');

    // Muting again changes the settings: notifications on, an hour.
    const before = Date.now();
    const again = await send(server, `/api/v1/accounts/${noah.accountId}/mute`, mia.token, { notifications: false, duration: 3600 });
    t.like(again.body, { muting: true, muting_notifications: false });
    const mutes = await getJson(server, '/api/v1/mutes', mia.token);
    t.is(mutes.body.length, 1);
    t.is(mutes.body[0].id, String(noah.accountId));
    const expires = Date.parse(mutes.body[0].mute_expires_at);
    t.true(expires >= before + 3_600_000 && expires <= Date.now() + 3_600_000, `expires_at ${mutes.body[0].mute_expires_at}`);
    t.like(await relationship(server, noah, mia), { muting: false }, 'a mute is one way');

    // Forever (duration 0): no end.
    await send(server, `/api/v1/accounts/${noah.accountId}/mute`, mia.token, { duration: 0 });
    t.is((await getJson(server, '/api/v1/mutes', mia.token)).body[0].mute_expires_at, null);

    // A one-second mute ends by itself: gone from the relationship and the list.
    t.is((await send(server, `/api/v1/accounts/${otto.accountId}/mute`, mia.token, { duration: 1 })).status, 200);
    let ended = false;
    for (let i = 0; i < 60 && !ended; i++) {
      await sleep(250);
      ended = (await relationship(server, mia, otto)).muting === false;
    }
    t.true(ended, 'the mute expired');
    t.deepEqual(
      (await getJson(server, '/api/v1/mutes', mia.token)).body.map((a: any) => a.id),
      [String(noah.accountId)],
    );
    // Muting after it expired works as a new mute.
    t.true((await send(server, `/api/v1/accounts/${otto.accountId}/mute`, mia.token)).body.muting);

    const unmuted = await mia.client.v1.accounts.$select(String(noah.accountId)).unmute();
    t.false(unmuted.muting);
    t.false(unmuted.mutingNotifications);
    t.is((await send(server, `/api/v1/accounts/${mia.accountId}/mute`, mia.token)).status, 422, 'muting oneself');
    t.is((await send(server, '/api/v1/accounts/999999999/mute', mia.token)).status, 404);
  });

  test(`${target.name}: blocks and mutes need their scopes`, async (t) => {
    const server = await startApiServer(t, target);
    const [reader, other] = await Promise.all([createUser(server, 'reader', ['read']), createUser(server, 'other')]);
    t.is((await send(server, `/api/v1/accounts/${other.accountId}/block`, reader.token)).status, 403);
    t.is((await send(server, `/api/v1/accounts/${other.accountId}/mute`, reader.token)).status, 403);
    t.is((await getJson(server, '/api/v1/blocks', reader.token)).status, 200);
    const writer = await createUser(server, 'writer', ['write:blocks']);
    t.is((await send(server, `/api/v1/accounts/${other.accountId}/block`, writer.token)).status, 200);
    t.is((await send(server, `/api/v1/accounts/${other.accountId}/mute`, writer.token)).status, 403, 'write:blocks is not write:mutes');
    t.is((await getJson(server, '/api/v1/mutes', writer.token)).status, 403);
    t.is((await fetch(`${server.url}/api/v1/blocks`)).status, 401);
  });
}
