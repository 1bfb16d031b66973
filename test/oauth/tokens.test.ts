// The other grants and token life cycle over HTTP: client_credentials,
// password (by e-mail and by username; off switch; two-factor users), refresh
// with rotation, revocation, expiry, scopes, and users who may not log in.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { setSetting } from '../../server/db/instance-settings.repo.ts';
import { updateUser } from '../../server/db/users.repo.ts';
import { setAccountSuspendedAt } from '../../server/db/accounts.repo.ts';
import { bearer, countTokens, createUser, PASSWORD, registerApp, startServer, tokenRequest, type RegisteredApp, type TestServer } from './helpers.ts';
import { noteAuthChange } from '../../server/db/auth-changes.ts';

const targets = await databaseTargets();

function passwordGrant(server: TestServer, app: RegisteredApp, username: string, password = PASSWORD, scope = 'read write') {
  return tokenRequest(server, { grant_type: 'password', username, password, scope, client_id: app.client_id, client_secret: app.client_secret });
}

const call = (server: TestServer, token: string, path = '/test/verify_credentials', method = 'GET') => fetch(`${server.url}${path}`, { method, headers: bearer(token) });

for (const target of targets) {
  test(`${target.name}: password grant by e-mail and by username; wrong password refused`, async (t) => {
    const server = await startServer(t, target);
    await createUser(server, 'alice');
    const app = await registerApp(server);

    const byEmail = await passwordGrant(server, app, 'ALICE@example.com');
    t.is(byEmail.status, 200, JSON.stringify(byEmail.body));
    t.is(byEmail.body.scope, 'read write');
    t.is((await call(server, byEmail.body.access_token as string)).status, 200);
    const byUsername = await passwordGrant(server, app, 'alice');
    t.is(byUsername.status, 200);
    t.is(byUsername.headers.get('x-ratelimit-limit'), '10', 'counted against the sign-in budget');

    const wrong = await passwordGrant(server, app, 'alice', 'not the password');
    t.is(wrong.status, 400);
    t.is(wrong.body.error, 'invalid_grant');
    const nobody = await passwordGrant(server, app, 'bob@example.com');
    t.is(nobody.body.error, 'invalid_grant');
    const tooWide = await passwordGrant(server, app, 'alice', PASSWORD, 'read write push');
    t.is(tooWide.body.error, 'invalid_scope');
    t.is(await countTokens(server.db), 2);
  });

  test(`${target.name}: password grant turned off (instance setting over config) or for a two-factor user is refused`, async (t) => {
    const server = await startServer(t, target);
    const { user } = await createUser(server, 'alice');
    const app = await registerApp(server);

    await updateUser(server.db, user.id, { otpSecret: 'JBSWY3DPEHPK3PXP' });
    const twoFactor = await passwordGrant(server, app, 'alice');
    t.is(twoFactor.status, 400);
    t.is(twoFactor.body.error, 'invalid_grant');
    t.regex(twoFactor.body.error_description as string, /two-factor/);
    await updateUser(server.db, user.id, { otpSecret: null });

    await setSetting(server.db, 'password_grant', false);
    const off = await passwordGrant(server, app, 'alice');
    t.is(off.status, 400);
    t.is(off.body.error, 'unsupported_grant_type');
    const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as { grant_types_supported: string[] };
    t.false(metadata.grant_types_supported.includes('password'));
    t.is(await countTokens(server.db), 0);

    const disabledByConfig = await startServer(t, target, { VIEWFINDER_PASSWORD_GRANT: 'off' });
    await createUser(disabledByConfig, 'alice');
    const otherApp = await registerApp(disabledByConfig);
    t.is((await passwordGrant(disabledByConfig, otherApp, 'alice')).body.error, 'unsupported_grant_type');
    await setSetting(disabledByConfig.db, 'password_grant', true);
    t.is((await passwordGrant(disabledByConfig, otherApp, 'alice')).status, 200, 'the instance setting wins over the config');
  });

  test(`${target.name}: the N+1th password grant in the window is 429`, async (t) => {
    const server = await startServer(t, target, { VIEWFINDER_RATE_LIMIT_SIGN_IN: '2/300' });
    await createUser(server, 'alice');
    const app = await registerApp(server);
    t.is((await passwordGrant(server, app, 'alice', 'wrong one')).status, 400);
    t.is((await passwordGrant(server, app, 'alice', 'wrong two')).status, 400);
    const limited = await passwordGrant(server, app, 'alice');
    t.is(limited.status, 429);
    t.is(await countTokens(server.db), 0);
  });

  test(`${target.name}: client_credentials token: app-level endpoints yes, user endpoints no`, async (t) => {
    const server = await startServer(t, target);
    const app = await registerApp(server);
    const grant = await tokenRequest(server, { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, scope: 'read write' });
    t.is(grant.status, 200, JSON.stringify(grant.body));
    const token = grant.body.access_token as string;
    const verify = await call(server, token, '/api/v1/apps/verify_credentials');
    t.is(verify.status, 200);
    t.like(await verify.json(), { name: 'Test app', scopes: ['read', 'write'], redirect_uris: ['https://app.example/callback'] });
    const me = await call(server, token);
    t.is(me.status, 422);
    t.deepEqual(await me.json(), { error: 'This method requires an authenticated user' });
    t.is((await tokenRequest(server, { grant_type: 'client_credentials', client_id: app.client_id, client_secret: 'wrong' })).status, 401);
  });

  test(`${target.name}: insufficient scope is 403; a read-only token cannot write`, async (t) => {
    const server = await startServer(t, target);
    await createUser(server, 'alice');
    const app = await registerApp(server, { scopes: 'read write profile' });
    const readOnly = (await passwordGrant(server, app, 'alice', PASSWORD, 'read')).body.access_token as string;
    const write = await call(server, readOnly, '/test/statuses', 'POST');
    t.is(write.status, 403);
    t.deepEqual(await write.json(), { error: 'This action is outside the authorized scopes' });
    const profileOnly = (await passwordGrant(server, app, 'alice', PASSWORD, 'profile')).body.access_token as string;
    t.is((await call(server, profileOnly)).status, 200, 'profile is one of the alternatives');
    t.is((await call(server, profileOnly, '/test/statuses', 'POST')).status, 403);
    const granular = (await passwordGrant(server, app, 'alice', PASSWORD, 'write:statuses')).body.access_token as string;
    t.is((await call(server, granular, '/test/statuses', 'POST')).status, 200);
    t.is((await call(server, granular)).status, 403);
    const noToken = await fetch(`${server.url}/test/statuses`, { method: 'POST' });
    t.is(noToken.status, 401);
    t.deepEqual(await (await fetch(`${server.url}/test/public`)).json(), { signedIn: false });
    t.is((await call(server, 'made-up-token', '/test/public')).status, 401, 'a bad token fails even where none is needed');
  });

  test(`${target.name}: revoked token stops working; revoking needs the owning client`, async (t) => {
    const server = await startServer(t, target);
    await createUser(server, 'alice');
    const app = await registerApp(server);
    const other = await registerApp(server);
    const token = (await passwordGrant(server, app, 'alice')).body.access_token as string;

    const revokeAs = (client: RegisteredApp) =>
      fetch(`${server.url}/oauth/revoke`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token, client_id: client.client_id, client_secret: client.client_secret }) });
    const byOther = await revokeAs(other);
    t.is(byOther.status, 200, 'RFC 7009: no hint whether the token exists');
    t.is((await call(server, token)).status, 200, 'another client cannot revoke it');
    const noSecret = await fetch(`${server.url}/oauth/revoke`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token, client_id: app.client_id }) });
    t.is(noSecret.status, 401);
    t.is(((await noSecret.json()) as { error: string }).error, 'invalid_client');

    const revoked = await revokeAs(app);
    t.is(revoked.status, 200);
    t.deepEqual(await revoked.json(), {});
    const after = await call(server, token);
    t.is(after.status, 401);
    t.deepEqual(await after.json(), { error: 'The access token was revoked' });
  });

  test(`${target.name}: with a token TTL: expires_in, refresh rotation, and expired tokens are refused`, async (t) => {
    const server = await startServer(t, target, { VIEWFINDER_TOKEN_TTL: '60' });
    await createUser(server, 'alice');
    const app = await registerApp(server);
    const first = await passwordGrant(server, app, 'alice');
    t.is(first.body.expires_in, 60);
    const refreshToken = first.body.refresh_token as string;
    t.regex(refreshToken, /^[\w-]{43}$/);
    const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as { grant_types_supported: string[] };
    t.true(metadata.grant_types_supported.includes('refresh_token'));

    const refresh = (token: string, extra: Record<string, string> = {}) =>
      tokenRequest(server, { grant_type: 'refresh_token', refresh_token: token, client_id: app.client_id, client_secret: app.client_secret, ...extra });
    const wider = await refresh(refreshToken, { scope: 'read write push' });
    t.is(wider.body.error, 'invalid_scope');
    const second = await refresh(refreshToken);
    t.is(second.status, 200, JSON.stringify(second.body));
    t.is(second.body.scope, 'read write');
    t.not(second.body.refresh_token, refreshToken);
    t.is((await call(server, first.body.access_token as string)).status, 401, 'the old access token is revoked with its refresh token');
    t.is((await call(server, second.body.access_token as string)).status, 200);
    const replay = await refresh(refreshToken);
    t.is(replay.status, 400);
    t.is(replay.body.error, 'invalid_grant');
    const narrower = await refresh(second.body.refresh_token as string, { scope: 'read' });
    t.is(narrower.body.scope, 'read');
    t.is(await countTokens(server.db), 3);

    // Expiry: the token row says it is over.
    const live = narrower.body.access_token as string;
    t.is((await call(server, live)).status, 200);
    await server.db('oauth_tokens').update({ expires_at: Date.now() - 1000 });
    // A change behind the repositories' back: tell the auth cache, as every repository write does.
    noteAuthChange(server.db);
    const expired = await call(server, live);
    t.is(expired.status, 401);
    t.deepEqual(await expired.json(), { error: 'The access token expired' });
  });

  test(`${target.name}: users who may not log in get Mastodon's 403s, and no new token`, async (t) => {
    const server = await startServer(t, target);
    const { user, account } = await createUser(server, 'alice');
    const app = await registerApp(server);
    const token = (await passwordGrant(server, app, 'alice')).body.access_token as string;
    const expectRefusal = async (message: string) => {
      const response = await call(server, token);
      t.is(response.status, 403);
      t.deepEqual(await response.json(), { error: message });
      const grant = await passwordGrant(server, app, 'alice');
      t.is(grant.body.error, 'invalid_grant');
      t.is(grant.body.error_description, message);
    };
    await updateUser(server.db, user.id, { confirmedAt: null });
    await expectRefusal('Your login is missing a confirmed e-mail address');
    await updateUser(server.db, user.id, { confirmedAt: Date.now(), approved: false });
    await expectRefusal('Your login is currently pending approval');
    await updateUser(server.db, user.id, { approved: true, disabledAt: Date.now() });
    await expectRefusal('Your login is currently disabled');
    await updateUser(server.db, user.id, { disabledAt: null });
    await setAccountSuspendedAt(server.db, account.id, Date.now());
    await expectRefusal('Your login is currently disabled');
    t.is(await countTokens(server.db), 1);
    await setAccountSuspendedAt(server.db, account.id, null);
    t.is((await call(server, token)).status, 200);
  });

  test(`${target.name}: token endpoint errors use OAuth's shape`, async (t) => {
    const server = await startServer(t, target);
    const app = await registerApp(server);
    const missing = await tokenRequest(server, { client_id: app.client_id, client_secret: app.client_secret });
    t.is(missing.status, 400);
    t.is(missing.body.error, 'invalid_request');
    const implicit = await tokenRequest(server, { grant_type: 'implicit', client_id: app.client_id, client_secret: app.client_secret });
    t.deepEqual(Object.keys(implicit.body).sort(), ['error', 'error_description']);
    t.is(implicit.body.error, 'unsupported_grant_type');
    const unknownClient = await tokenRequest(server, { grant_type: 'client_credentials', client_id: 'nope', client_secret: 'nope' });
    t.is(unknownClient.status, 401);
    t.is(unknownClient.body.error, 'invalid_client');
    t.regex(unknownClient.headers.get('www-authenticate') ?? '', /^Basic/);
  });
}
