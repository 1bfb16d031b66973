// Follows over real HTTP on each database, through the `masto` client where
// it has the method and raw fetch where the status code matters: follow and
// unfollow, options, a locked account's requests (authorize, reject,
// withdraw), remove_from_followers, and the relationship and counts after
// each step.
import test, { type ExecutionContext } from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { authorizeAllFollowRequests } from '../../server/services/social/follow-requests.service.ts';
import { createUser, getJson, startApiServer, type ApiServer, type TestUser } from './helpers.ts';

async function send(server: ApiServer, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

type Flags = Partial<Record<'following' | 'requested' | 'requested_by' | 'followed_by' | 'blocking' | 'blocked_by' | 'muting' | 'notifying' | 'showing_reblogs', boolean>>;

/** The viewer's relationship to `other`, every flag not named expected false. */
async function assertRelationship(t: ExecutionContext, viewer: TestUser, other: TestUser, expected: Flags, step: string) {
  const [relationship] = await viewer.client.v1.accounts.relationships.fetch({ id: [String(other.accountId)] });
  const flags = ['following', 'requested', 'requested_by', 'followed_by', 'blocking', 'blocked_by', 'muting'] as const;
  // masto hands the entity over camelCased.
  const camel = (flag: string) => flag.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  const actual = Object.fromEntries(flags.map((flag) => [flag, (relationship as any)[camel(flag)]]));
  const wanted = Object.fromEntries(flags.map((flag) => [flag, expected[flag] ?? false]));
  t.deepEqual(actual, wanted, `${step}: ${viewer.username} → ${other.username}`);
  if (expected.notifying !== undefined) t.is(relationship!.notifying, expected.notifying, `${step}: notifying`);
  if (expected.showing_reblogs !== undefined) t.is(relationship!.showingReblogs, expected.showing_reblogs, `${step}: showing_reblogs`);
  t.is(relationship!.endorsed, false);
  t.is(relationship!.note, '');
}

async function counts(server: ApiServer, user: TestUser): Promise<{ followers: number; following: number }> {
  const { body } = await getJson(server, `/api/v1/accounts/${user.accountId}`);
  return { followers: body.followers_count, following: body.following_count };
}

for (const target of await databaseTargets()) {
  test(`${target.name}: follow, change options, unfollow`, async (t) => {
    const server = await startApiServer(t, target);
    const [alice, bob] = await Promise.all([createUser(server, 'alice'), createUser(server, 'bob')]);
    await assertRelationship(t, alice, bob, {}, 'strangers');

    const followed = await alice.client.v1.accounts.$select(String(bob.accountId)).follow();
    t.is(followed.id, String(bob.accountId));
    t.true(followed.following);
    t.true(followed.showingReblogs, 'reblogs shown by default');
    t.false(followed.notifying, 'not notified by default');
    await assertRelationship(t, alice, bob, { following: true }, 'after follow');
    await assertRelationship(t, bob, alice, { followed_by: true }, 'after follow');
    t.deepEqual(await counts(server, alice), { followers: 0, following: 1 });
    t.deepEqual(await counts(server, bob), { followers: 1, following: 0 });

    // Following again changes only the options given, and never counts twice.
    const changed = await send(server, `/api/v1/accounts/${bob.accountId}/follow`, alice.token, { notify: true });
    t.is(changed.status, 200);
    t.true(changed.body.notifying);
    t.true(changed.body.showing_reblogs);
    const quieter = await send(server, `/api/v1/accounts/${bob.accountId}/follow?reblogs=false`, alice.token);
    t.false(quieter.body.showing_reblogs);
    t.true(quieter.body.notifying, 'notify kept when not given');
    t.deepEqual(await counts(server, bob), { followers: 1, following: 0 });

    const unfollowed = await alice.client.v1.accounts.$select(String(bob.accountId)).unfollow();
    t.false(unfollowed.following);
    await assertRelationship(t, alice, bob, {}, 'after unfollow');
    await assertRelationship(t, bob, alice, {}, 'after unfollow');
    t.deepEqual(await counts(server, alice), { followers: 0, following: 0 });
    t.deepEqual(await counts(server, bob), { followers: 0, following: 0 });
    // Unfollowing again is harmless.
    t.is((await send(server, `/api/v1/accounts/${bob.accountId}/unfollow`, alice.token)).status, 200);
    t.deepEqual(await counts(server, bob), { followers: 0, following: 0 });

    // Mutual follows show on both sides.
    await alice.client.v1.accounts.$select(String(bob.accountId)).follow();
    await bob.client.v1.accounts.$select(String(alice.accountId)).follow();
    await assertRelationship(t, alice, bob, { following: true, followed_by: true }, 'mutual');
  });

  test(`${target.name}: refused follows`, async (t) => {
    const server = await startApiServer(t, target);
    const [alice, reader] = await Promise.all([createUser(server, 'alice'), createUser(server, 'reader', ['read'])]);
    const self = await send(server, `/api/v1/accounts/${alice.accountId}/follow`, alice.token);
    t.is(self.status, 422);
    t.is(typeof self.body.error, 'string');
    t.is((await send(server, '/api/v1/accounts/999999999/follow', alice.token)).status, 404);
    t.is((await send(server, '/api/v1/accounts/nobody/follow', alice.token)).status, 404);
    const noToken = await fetch(`${server.url}/api/v1/accounts/${alice.accountId}/follow`, { method: 'POST' });
    t.is(noToken.status, 401);
    t.is((await send(server, `/api/v1/accounts/${alice.accountId}/follow`, reader.token)).status, 403, 'read-only token');
    // The deprecated `follow` scope alone is enough, as in Mastodon.
    const legacy = await createUser(server, 'legacy', ['follow']);
    t.is((await send(server, `/api/v1/accounts/${alice.accountId}/follow`, legacy.token)).status, 200);
  });

  test(`${target.name}: a locked account's follow requests: authorize, reject, withdraw`, async (t) => {
    const server = await startApiServer(t, target);
    const [lena, carl, dora, emil] = await Promise.all(['lena', 'carl', 'dora', 'emil'].map((name) => createUser(server, name)));
    await lena.client.v1.accounts.updateCredentials({ locked: true });

    const asked = await carl.client.v1.accounts.$select(String(lena.accountId)).follow({ notify: true });
    t.false(asked.following);
    t.true(asked.requested);
    t.true(asked.notifying, 'the options asked for show while the request waits');
    await assertRelationship(t, carl, lena, { requested: true }, 'requested');
    await assertRelationship(t, lena, carl, { requested_by: true }, 'requested');
    t.deepEqual(await counts(server, lena), { followers: 0, following: 0 }, 'a request is not a follow');
    await dora.client.v1.accounts.$select(String(lena.accountId)).follow();
    await emil.client.v1.accounts.$select(String(lena.accountId)).follow();
    // Asking twice is one request.
    await send(server, `/api/v1/accounts/${lena.accountId}/follow`, emil.token);

    const me = await getJson(server, '/api/v1/accounts/verify_credentials', lena.token);
    t.is(me.body.source.follow_requests_count, 3);
    const pending = await getJson(server, '/api/v1/follow_requests', lena.token);
    t.deepEqual(
      pending.body.map((a: any) => a.username),
      ['emil', 'dora', 'carl'],
      'newest first',
    );
    t.deepEqual(await getJson(server, '/api/v1/follow_requests', carl.token).then((r) => r.body), []);

    const authorized = await lena.client.v1.followRequests.$select(String(carl.accountId)).authorize();
    t.is(authorized.id, String(carl.accountId));
    t.true(authorized.followedBy);
    t.false(authorized.requestedBy);
    await assertRelationship(t, carl, lena, { following: true, notifying: true }, 'authorized');
    t.deepEqual(await counts(server, lena), { followers: 1, following: 0 });
    t.deepEqual(await counts(server, carl), { followers: 0, following: 1 });
    // Authorizing again answers the same; counts do not move.
    t.is((await send(server, `/api/v1/follow_requests/${carl.accountId}/authorize`, lena.token)).status, 200);
    t.deepEqual(await counts(server, lena), { followers: 1, following: 0 });

    const rejected = await lena.client.v1.followRequests.$select(String(dora.accountId)).reject();
    t.false(rejected.followedBy);
    t.false(rejected.requestedBy);
    await assertRelationship(t, dora, lena, {}, 'rejected');
    t.is((await send(server, `/api/v1/follow_requests/${dora.accountId}/reject`, lena.token)).status, 404, 'nothing left to reject');
    t.is((await send(server, `/api/v1/follow_requests/${dora.accountId}/authorize`, lena.token)).status, 404, 'nothing to authorize');

    // Unfollowing withdraws a pending request.
    const withdrawn = await emil.client.v1.accounts.$select(String(lena.accountId)).unfollow();
    t.false(withdrawn.requested);
    t.deepEqual((await getJson(server, '/api/v1/follow_requests', lena.token)).body, []);
    const after = await getJson(server, '/api/v1/accounts/verify_credentials', lena.token);
    t.is(after.body.source.follow_requests_count, 0, 'the cached count follows the writes');
    t.deepEqual(await counts(server, lena), { followers: 1, following: 0 });
  });

  test(`${target.name}: unlocking accepts everyone waiting`, async (t) => {
    const server = await startApiServer(t, target);
    const [host, ...guests] = await Promise.all(['host', 'gia', 'gus', 'gwen'].map((name) => createUser(server, name)));
    await host!.client.v1.accounts.updateCredentials({ locked: true });
    for (const guest of guests) await guest.client.v1.accounts.$select(String(host!.accountId)).follow({ reblogs: false });
    // The profile edit itself accepts them (profile.service calls authorizeAllFollowRequests).
    await host!.client.v1.accounts.updateCredentials({ locked: false });
    t.deepEqual(await counts(server, host!), { followers: 3, following: 0 });
    for (const guest of guests) await assertRelationship(t, guest, host!, { following: true, showing_reblogs: false }, 'accepted');
    t.is(await authorizeAllFollowRequests(server.db, host!.accountId), 0);
  });

  test(`${target.name}: remove_from_followers`, async (t) => {
    const server = await startApiServer(t, target);
    const [olga, pete] = await Promise.all([createUser(server, 'olga'), createUser(server, 'pete')]);
    await pete.client.v1.accounts.$select(String(olga.accountId)).follow();
    await olga.client.v1.accounts.$select(String(pete.accountId)).follow();
    const removed = await send(server, `/api/v1/accounts/${pete.accountId}/remove_from_followers`, olga.token);
    t.is(removed.status, 200);
    t.false(removed.body.followed_by);
    t.true(removed.body.following, "olga's own follow stays");
    await assertRelationship(t, pete, olga, { followed_by: true }, 'removed');
    t.deepEqual(await counts(server, olga), { followers: 0, following: 1 });
    t.deepEqual(await counts(server, pete), { followers: 1, following: 0 });
    await olga.client.v1.accounts.$select(String(pete.accountId)).removeFromFollowers();
    t.deepEqual(await counts(server, olga), { followers: 0, following: 1 }, 'removing twice moves nothing');
  });
}
