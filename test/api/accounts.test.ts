// The account endpoints through the real `masto` client and raw fetch:
// every documented field present with its type, lookup, relationships,
// search, preferences, and tokens required where Mastodon requires them.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { newId } from '../../server/db/ids.ts';
import { suspend } from '../../server/services/accounts/admin-accounts.service.ts';
import { appToken, createUser, getJson, startApiServer } from './helpers.ts';

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'string|null' | 'boolean|null' | 'object|null';

// https://docs.joinmastodon.org/entities/Account/ (attributes every account carries)
const ACCOUNT: Record<string, Kind> = {
  id: 'string', username: 'string', acct: 'string', url: 'string', uri: 'string', display_name: 'string', note: 'string',
  avatar: 'string', avatar_static: 'string', header: 'string', header_static: 'string', locked: 'boolean', fields: 'array',
  emojis: 'array', bot: 'boolean', group: 'boolean', discoverable: 'boolean|null', indexable: 'boolean', noindex: 'boolean|null',
  hide_collections: 'boolean|null', created_at: 'string', last_status_at: 'string|null', statuses_count: 'number',
  followers_count: 'number', following_count: 'number', roles: 'array',
};
// CredentialAccount's source (https://docs.joinmastodon.org/entities/Account/#source)
const SOURCE: Record<string, Kind> = {
  note: 'string', fields: 'array', privacy: 'string', sensitive: 'boolean', language: 'string|null', follow_requests_count: 'number',
  hide_collections: 'boolean', discoverable: 'boolean', indexable: 'boolean', attribution_domains: 'array',
};
// https://docs.joinmastodon.org/entities/Role/
const ROLE: Record<string, Kind> = { id: 'string', name: 'string', color: 'string', permissions: 'string', highlighted: 'boolean' };

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function assertShape(t: ExecutionContext, entity: Record<string, unknown>, shape: Record<string, Kind>, where: string) {
  for (const [key, kind] of Object.entries(shape)) {
    t.true(key in entity, `${where}.${key} is missing`);
    t.true(kind.split('|').includes(kindOf(entity[key])), `${where}.${key} is ${kindOf(entity[key])}, expected ${kind}`);
  }
}

for (const target of await databaseTargets()) {
  test(`${target.name}: verify_credentials returns a complete CredentialAccount`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    const { status, body } = await getJson(server, '/api/v1/accounts/verify_credentials', alice.token);
    t.is(status, 200);
    assertShape(t, body, ACCOUNT, 'account');
    assertShape(t, body.source, SOURCE, 'source');
    assertShape(t, body.role, ROLE, 'role');
    t.is(body.id, String(alice.accountId));
    t.is(body.acct, 'alice');
    t.is(body.url, `${server.config.publicUrl}/@alice`);
    t.regex(body.created_at, /^\d{4}-\d\d-\d\dT00:00:00\.000Z$/);
    t.is(body.source.privacy, 'public');
    t.is(body.source.follow_requests_count, 0);
    t.deepEqual(body.emojis, []);

    // The default avatar behind the URL is a real image.
    const avatar = await fetch(body.avatar.replace(server.config.publicUrl, server.url));
    t.is(avatar.status, 200);
    t.is(avatar.headers.get('content-type'), 'image/png');

    // Through masto as well, the way apps call it.
    const viaMasto = await alice.client.v1.accounts.verifyCredentials();
    t.is(viaMasto.username, 'alice');
    t.is(viaMasto.source.privacy, 'public');
  });

  test(`${target.name}: a token is required where Mastodon requires one, and its scope checked`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    for (const path of ['/api/v1/accounts/verify_credentials', '/api/v1/accounts/relationships?id[]=1', '/api/v1/accounts/search?q=a', '/api/v1/preferences']) {
      const { status, body } = await getJson(server, path);
      t.is(status, 401, path);
      t.is(typeof body.error, 'string');
    }
    t.is((await getJson(server, '/api/v1/accounts/verify_credentials', 'not-a-token')).status, 401);
    // `profile` alone is enough for verify_credentials, not for relationships.
    const profileOnly = await appToken(server, ['profile'], alice.userId);
    t.is((await getJson(server, '/api/v1/accounts/verify_credentials', profileOnly)).status, 200);
    t.is((await getJson(server, '/api/v1/accounts/relationships?id[]=1', profileOnly)).status, 403);
    // An app token without a user: Mastodon's 422.
    const appOnly = await appToken(server, ['read'], null);
    t.is((await getJson(server, '/api/v1/accounts/verify_credentials', appOnly)).status, 422);
  });

  test(`${target.name}: another account by id and by lookup, with no token needed`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'Bob');

    const looked = await alice.client.v1.accounts.lookup({ acct: 'bob' });
    t.is(looked.id, String(bob.accountId));
    t.is(looked.acct, 'Bob');
    t.false('source' in looked);
    const byId = await getJson(server, `/api/v1/accounts/${bob.accountId}`);
    t.is(byId.status, 200);
    assertShape(t, byId.body, ACCOUNT, 'account');
    t.false('source' in byId.body);
    t.is((await getJson(server, `/api/v1/accounts/lookup?acct=@bob@${server.config.domain}`)).body.id, String(bob.accountId));
    t.is((await getJson(server, '/api/v1/accounts/lookup?acct=nobody')).status, 404);
    t.is((await getJson(server, `/api/v1/accounts/${newId()}`)).status, 404);
    t.is((await getJson(server, '/api/v1/accounts/not-an-id')).status, 404);
  });

  test(`${target.name}: a suspended account is shown blanked out, as on Mastodon`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    await alice.client.v1.accounts.updateCredentials({ displayName: 'Alice', note: 'bio' });
    await suspend(server.db, 'alice');
    const { status, body } = await getJson(server, `/api/v1/accounts/${alice.accountId}`);
    t.is(status, 200);
    t.like(body, { username: 'alice', suspended: true, display_name: '', note: '', fields: [], statuses_count: 0 });
    t.regex(body.avatar, /\/media\/default\/avatar\.png$/);
  });

  test(`${target.name}: relationships read follows, requests, blocks and mutes`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const carol = await createUser(server, 'carol');
    const now = Date.now();
    await server.db('follows').insert({ id: newId(), account_id: alice.accountId, target_account_id: bob.accountId, show_reblogs: false, notify: true, created_at: now });
    await server.db('follows').insert({ id: newId(), account_id: bob.accountId, target_account_id: alice.accountId, created_at: now });
    await server.db('follow_requests').insert({ id: newId(), account_id: alice.accountId, target_account_id: carol.accountId, created_at: now });
    await server.db('blocks').insert({ id: newId(), account_id: carol.accountId, target_account_id: alice.accountId, created_at: now });
    await server.db('mutes').insert({ id: newId(), account_id: alice.accountId, target_account_id: carol.accountId, hide_notifications: false, created_at: now });

    const relationships = await alice.client.v1.accounts.relationships.fetch({ id: [String(bob.accountId), String(carol.accountId), String(newId())] });
    t.is(relationships.length, 2);
    const [withBob, withCarol] = relationships;
    t.like(withBob, { id: String(bob.accountId), following: true, followedBy: true, showingReblogs: false, notifying: true, requested: false, blocking: false, muting: false });
    t.like(withCarol, { id: String(carol.accountId), following: false, requested: true, blockedBy: true, blocking: false, muting: true, mutingNotifications: false });

    // Carol sees Alice's request waiting.
    const fromCarol = await getJson(server, `/api/v1/accounts/relationships?id=${alice.accountId}`, carol.token);
    t.like(fromCarol.body[0], { requested_by: true, blocking: true, followed_by: false });
    const carolSelf = await getJson(server, '/api/v1/accounts/verify_credentials', carol.token);
    t.is(carolSelf.body.source.follow_requests_count, 1);
  });

  test(`${target.name}: search finds local accounts by username and display name`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    await createUser(server, 'alina');
    const bob = await createUser(server, 'bob');
    await bob.client.v1.accounts.updateCredentials({ displayName: 'Bob Alison' });
    const found = await alice.client.v1.accounts.search.list({ q: 'ali' });
    t.deepEqual(found.map((a) => a.username).sort(), ['alice', 'alina', 'bob']);
    const exact = await getJson(server, '/api/v1/accounts/search?q=alice&limit=1', alice.token);
    t.deepEqual(exact.body.map((a: { username: string }) => a.username), ['alice']);
    t.deepEqual((await getJson(server, '/api/v1/accounts/search?q=%25', alice.token)).body, []);
  });

  test(`${target.name}: preferences follow the posting defaults set in update_credentials`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    t.like(await alice.client.v1.preferences.fetch(), { 'posting:default:visibility': 'public', 'posting:default:sensitive': false });
    const updated = await alice.client.v1.accounts.updateCredentials({ source: { privacy: 'private', sensitive: true, language: 'de' } });
    t.like(updated.source, { privacy: 'private', sensitive: true, language: 'de' });
    const { body } = await getJson(server, '/api/v1/preferences', alice.token);
    t.like(body, { 'posting:default:visibility': 'private', 'posting:default:sensitive': true, 'posting:default:language': 'de', 'reading:expand:media': 'default' });
  });
}
