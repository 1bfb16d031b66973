// The authorization-code flow as a browser and an app run it, over HTTP: the
// consent page behind a web session, the CSRF-checked decision, PKCE S256,
// single-use codes whose replay revokes their tokens, and every refusal
// issuing no token.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { databaseTargets, type DatabaseTarget } from '../helpers/databases.ts';
import { CODE_RETENTION_MS, createAuthorizationCode, checkAuthorizationRequest, purgeExpiredAuthorizationCodes } from '../../server/services/oauth/authorization.service.ts';
import { bearer, countRows, countTokens, createUser, formFields, postForm, registerApp, sessionCookie, startServer, tokenRequest, type TestServer } from './helpers.ts';

const REDIRECT = 'https://app.example/callback';
const OOB = 'urn:ietf:wg:oauth:2.0:oob';

const targets = await databaseTargets();

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function setup(t: ExecutionContext, target: DatabaseTarget, appOptions: { redirectUris?: string[]; scopes?: string } = {}) {
  const server = await startServer(t, target);
  const { user, account } = await createUser(server);
  const app = await registerApp(server, { redirectUris: appOptions.redirectUris ?? [REDIRECT, OOB], scopes: appOptions.scopes ?? 'read write' });
  const cookie = await sessionCookie(server, user.id);
  return { server, user, account, app, cookie };
}

function authorizeUrl(server: TestServer, params: Record<string, string>): string {
  return `${server.url}/oauth/authorize?${new URLSearchParams(params)}`;
}

/** Walks the browser part: consent page, then approve (or deny). Returns the redirect Location. */
async function consent(server: TestServer, cookie: string, params: Record<string, string>, decision = 'approve'): Promise<Response> {
  const page = await fetch(authorizeUrl(server, params), { headers: { Cookie: cookie }, redirect: 'manual' });
  if (page.status !== 200) throw new Error(`consent page: ${page.status} ${await page.text()}`);
  const fields = formFields(await page.text());
  return postForm(`${server.url}/oauth/authorize`, { ...fields, decision }, { Cookie: cookie });
}

async function codeFor(server: TestServer, cookie: string, params: Record<string, string>): Promise<string> {
  const response = await consent(server, cookie, params);
  const location = new URL(response.headers.get('location')!);
  return location.searchParams.get('code')!;
}

for (const target of targets) {
  test(`${target.name}: signed out, /oauth/authorize sends the browser to sign in and back`, async (t) => {
    const { server, app } = await setup(t, target);
    const params = { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'read', state: 'a b&c' };
    const response = await fetch(authorizeUrl(server, params), { redirect: 'manual' });
    t.is(response.status, 302);
    const location = new URL(response.headers.get('location')!, server.url);
    t.is(location.pathname, '/auth/sign_in');
    const back = new URL(location.searchParams.get('return_to')!, server.url);
    t.is(back.pathname, '/oauth/authorize');
    t.is(back.searchParams.get('client_id'), app.client_id);
    t.is(back.searchParams.get('state'), 'a b&c');
  });

  test(`${target.name}: approve → code at the redirect URI with state → token with PKCE → API access`, async (t) => {
    const { server, app, cookie, account } = await setup(t, target);
    const { verifier, challenge } = pkce();
    const params = { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'read write', state: 'xyz', code_challenge: challenge, code_challenge_method: 'S256' };

    const page = await fetch(authorizeUrl(server, params), { headers: { Cookie: cookie } });
    t.is(page.status, 200);
    t.is(page.headers.get('x-frame-options'), 'DENY');
    t.regex(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    const html = await page.text();
    t.regex(html, /Authorize Test app\?/);
    t.regex(html, /@alice/);
    const fields = formFields(html);
    t.truthy(fields.authenticity_token);
    t.is(fields.code_challenge, challenge);

    const approved = await postForm(`${server.url}/oauth/authorize`, { ...fields, decision: 'approve' }, { Cookie: cookie });
    t.is(approved.status, 302);
    const location = new URL(approved.headers.get('location')!);
    t.is(`${location.origin}${location.pathname}`, REDIRECT);
    t.is(location.searchParams.get('state'), 'xyz');
    const code = location.searchParams.get('code')!;
    t.regex(code, /^[\w-]{43}$/);

    const token = await tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: app.client_id, client_secret: app.client_secret, code_verifier: verifier });
    t.is(token.status, 200, JSON.stringify(token.body));
    t.like(token.body, { token_type: 'Bearer', scope: 'read write' });
    t.is(token.headers.get('cache-control'), 'no-store');
    t.true(Math.abs((token.body.created_at as number) - Date.now() / 1000) < 60);
    t.false('refresh_token' in token.body, 'no refresh token while tokens do not expire');
    t.false('expires_in' in token.body);

    const me = await fetch(`${server.url}/test/verify_credentials`, { headers: bearer(token.body.access_token as string) });
    t.is(me.status, 200);
    t.deepEqual(await me.json(), { id: String(account.id), username: 'alice' });
    // Stored hashed: neither the code nor the token appears in the database.
    const stored = JSON.stringify([await server.db('oauth_tokens').select(), await server.db('oauth_codes').select()]);
    t.false(stored.includes(token.body.access_token as string));
    t.false(stored.includes(code));
  });

  test(`${target.name}: HTTP Basic client authentication works, a wrong secret is 401 invalid_client`, async (t) => {
    const { server, app, cookie } = await setup(t, target);
    const params = { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code' };
    const code = await codeFor(server, cookie, params);
    const wrong = await tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, { Authorization: `Basic ${Buffer.from(`${app.client_id}:nope`).toString('base64')}` });
    t.is(wrong.status, 401);
    t.is(wrong.body.error, 'invalid_client');
    t.is(await countTokens(server.db), 0);
    const basic = `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`;
    const right = await tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, { Authorization: basic });
    t.is(right.status, 200, JSON.stringify(right.body));
    t.is(right.body.scope, 'read', 'no scope asked: the default, read');
  });

  test(`${target.name}: redirect_uri may be left out only where it cannot be ambiguous`, async (t) => {
    const { server, app, cookie } = await setup(t, target);
    const withoutUri = { client_id: app.client_id, response_type: 'code' };
    const ambiguous = await fetch(authorizeUrl(server, withoutUri), { headers: { Cookie: cookie }, redirect: 'manual' });
    t.is(ambiguous.status, 400, 'two registered URIs: the request must name one');
    const code = await codeFor(server, cookie, { ...withoutUri, redirect_uri: REDIRECT });
    const missing = await tokenRequest(server, { grant_type: 'authorization_code', code, client_id: app.client_id, client_secret: app.client_secret });
    t.is(missing.body.error, 'invalid_grant');

    const single = await registerApp(server, { redirectUris: REDIRECT });
    const singleCode = await codeFor(server, cookie, { client_id: single.client_id, response_type: 'code' });
    const token = await tokenRequest(server, { grant_type: 'authorization_code', code: singleCode, client_id: single.client_id, client_secret: single.client_secret });
    t.is(token.status, 200, JSON.stringify(token.body));
    t.is(await countTokens(server.db), 1);
  });

  test(`${target.name}: the decision needs the CSRF token; deny sends access_denied`, async (t) => {
    const { server, app, cookie } = await setup(t, target);
    const params = { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'read', state: 's1' };
    const page = await fetch(authorizeUrl(server, params), { headers: { Cookie: cookie } });
    const fields = formFields(await page.text());
    const { authenticity_token: _omitted, ...withoutToken } = fields;
    const forged = await postForm(`${server.url}/oauth/authorize`, { ...withoutToken, decision: 'approve' }, { Cookie: cookie });
    t.is(forged.status, 403);
    const wrongToken = await postForm(`${server.url}/oauth/authorize`, { ...fields, authenticity_token: 'x'.repeat(43), decision: 'approve' }, { Cookie: cookie });
    t.is(wrongToken.status, 403);
    t.is(await countRows(server.db, 'oauth_codes'), 0, 'no code issued');

    const denied = await consent(server, cookie, params, 'deny');
    t.is(denied.status, 302);
    const location = new URL(denied.headers.get('location')!);
    t.is(location.searchParams.get('error'), 'access_denied');
    t.is(location.searchParams.get('state'), 's1');
    t.is(location.searchParams.get('code'), null);
    t.is(await countRows(server.db, 'oauth_codes'), 0);
  });

  test(`${target.name}: out-of-band redirect URI shows the code on a page`, async (t) => {
    const { server, app, cookie } = await setup(t, target);
    const response = await consent(server, cookie, { client_id: app.client_id, redirect_uri: OOB, response_type: 'code', scope: 'read' });
    t.is(response.status, 200);
    const code = /<code id="authorization-code">([^<]+)<\/code>/.exec(await response.text())?.[1];
    t.truthy(code);
    const token = await tokenRequest(server, { grant_type: 'authorization_code', code: code!, redirect_uri: OOB, client_id: app.client_id, client_secret: app.client_secret });
    t.is(token.status, 200, JSON.stringify(token.body));
  });

  test(`${target.name}: bad authorization requests: unknown client or redirect URI get a page, the rest go back with an error`, async (t) => {
    const { server, app, cookie } = await setup(t, target, { redirectUris: [REDIRECT], scopes: 'read' });
    const get = (params: Record<string, string>) => fetch(authorizeUrl(server, params), { headers: { Cookie: cookie }, redirect: 'manual' });

    const unknownClient = await get({ client_id: 'nope', redirect_uri: REDIRECT, response_type: 'code' });
    t.is(unknownClient.status, 400);
    t.regex(await unknownClient.text(), /invalid_client/);
    // Never redirect to a URI the app did not register (an open redirector otherwise).
    const wrongRedirect = await get({ client_id: app.client_id, redirect_uri: 'https://evil.example/callback', response_type: 'code' });
    t.is(wrongRedirect.status, 400);
    t.is(wrongRedirect.headers.get('location'), null);
    const prefixRedirect = await get({ client_id: app.client_id, redirect_uri: `${REDIRECT}/more`, response_type: 'code' });
    t.is(prefixRedirect.status, 400, 'exact match, not prefix');

    const errorOf = async (params: Record<string, string>) => {
      const response = await get({ client_id: app.client_id, redirect_uri: REDIRECT, ...params });
      t.is(response.status, 302);
      return new URL(response.headers.get('location')!).searchParams.get('error');
    };
    t.is(await errorOf({ response_type: 'token' }), 'unsupported_response_type');
    t.is(await errorOf({ response_type: 'code', scope: 'read write' }), 'invalid_scope');
    t.is(await errorOf({ response_type: 'code', scope: 'read crypto' }), 'invalid_scope');
    t.is(await errorOf({ response_type: 'code', code_challenge: pkce().verifier, code_challenge_method: 'plain' }), 'invalid_request');
    t.is(await errorOf({ response_type: 'code', code_challenge: pkce().challenge }), 'invalid_request', 'method defaults to plain, which is refused');
    // Granular scopes under a granted parent are fine.
    const granular = await get({ client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'read:accounts read:statuses' });
    t.is(granular.status, 200);
    t.is(await countRows(server.db, 'oauth_codes'), 0);
  });

  test(`${target.name}: the consent page escapes what apps registered`, async (t) => {
    const { server, cookie } = await setup(t, target);
    const response = await fetch(`${server.url}/api/v1/apps`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_name: '<script>alert(1)</script>', redirect_uris: 'https://app.example/cb?a="><img src=x>', website: 'https://x.example/"onmouseover="alert(1)' }),
    });
    t.is(response.status, 200);
    const app = (await response.json()) as { client_id: string };
    const page = await fetch(authorizeUrl(server, { client_id: app.client_id, redirect_uri: 'https://app.example/cb?a="><img src=x>', response_type: 'code', state: '"><b>' }), { headers: { Cookie: cookie } });
    const html = await page.text();
    t.is(page.status, 200);
    t.false(html.includes('<script>alert'));
    t.false(html.includes('<img'));
    t.false(html.includes('"onmouseover'));
    t.false(html.includes('<b>'));
    t.true(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
  });

  test(`${target.name}: token exchange refusals issue no token: wrong redirect_uri, wrong or missing PKCE verifier, expired, other client`, async (t) => {
    const { server, app, cookie } = await setup(t, target);
    const other = await registerApp(server, { redirectUris: REDIRECT });
    const { verifier, challenge } = pkce();
    const withPkce = { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' };
    const exchange = (code: string, extra: Record<string, string>, client = app) =>
      tokenRequest(server, { grant_type: 'authorization_code', code, client_id: client.client_id, client_secret: client.client_secret, redirect_uri: REDIRECT, ...extra });
    const refused = async (code: string, extra: Record<string, string>, client = app) => {
      const response = await exchange(code, extra, client);
      t.is(response.status, 400, JSON.stringify(response.body));
      t.is(response.body.error, 'invalid_grant');
      t.is(typeof response.body.error_description, 'string');
      t.false('access_token' in response.body);
    };

    await refused(await codeFor(server, cookie, withPkce), { redirect_uri: `${REDIRECT}?x=1`, code_verifier: verifier });
    await refused(await codeFor(server, cookie, withPkce), { code_verifier: pkce().verifier });
    await refused(await codeFor(server, cookie, withPkce), {});
    await refused(await codeFor(server, cookie, { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code' }), { code_verifier: verifier });
    await refused(await codeFor(server, cookie, withPkce), { code_verifier: verifier }, other);
    await refused('no-such-code', {});

    const late = await codeFor(server, cookie, withPkce);
    await server.db('oauth_codes').update({ expires_at: Date.now() - 1 });
    await refused(late, { code_verifier: verifier });
    t.is(await countTokens(server.db), 0);

    // A code that failed its checks is spent: the right verifier afterwards does not help.
    const burnt = await codeFor(server, cookie, withPkce);
    await refused(burnt, { code_verifier: pkce().verifier });
    await refused(burnt, { code_verifier: verifier });
    t.is(await countTokens(server.db), 0);
  });

  test(`${target.name}: a reused code is refused and the token issued from it is revoked`, async (t) => {
    const { server, app, cookie } = await setup(t, target);
    const code = await codeFor(server, cookie, { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'read' });
    const fields = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: app.client_id, client_secret: app.client_secret };
    const first = await tokenRequest(server, fields);
    t.is(first.status, 200);
    const accessToken = first.body.access_token as string;
    t.is((await fetch(`${server.url}/test/verify_credentials`, { headers: bearer(accessToken) })).status, 200);

    const second = await tokenRequest(server, fields);
    t.is(second.status, 400);
    t.is(second.body.error, 'invalid_grant');
    t.is(await countTokens(server.db), 1, 'no second token');
    const after = await fetch(`${server.url}/test/verify_credentials`, { headers: bearer(accessToken) });
    t.is(after.status, 401);
    t.deepEqual(await after.json(), { error: 'The access token was revoked' });

    // Two exchanges racing with one code: one wins, and its token is revoked all the same.
    const raced = await codeFor(server, cookie, { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'read' });
    const results = await Promise.all([1, 2].map(() => tokenRequest(server, { ...fields, code: raced })));
    t.deepEqual(results.map((r) => r.status).sort(), [200, 400]);
    const winner = results.find((r) => r.status === 200)!.body.access_token as string;
    t.is((await fetch(`${server.url}/test/verify_credentials`, { headers: bearer(winner) })).status, 401);
  });

  test(`${target.name}: the service checks a request and issues a code like the pages do`, async (t) => {
    const { server, app, user } = await setup(t, target);
    const checked = await checkAuthorizationRequest(server.db, { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'write:statuses' });
    if (!checked.ok) return t.fail(checked.error.message);
    const code = await createAuthorizationCode(server.db, checked.request, user.id);
    const token = await tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: app.client_id, client_secret: app.client_secret });
    t.is(token.body.scope, 'write:statuses');

    // Purging keeps recently spent codes (a replay must still find them) and drops old ones.
    const stale = await createAuthorizationCode(server.db, checked.request, user.id, Date.now() - CODE_RETENTION_MS - 20 * 60_000);
    t.is(await purgeExpiredAuthorizationCodes(server.db), 1);
    t.is(await countRows(server.db, 'oauth_codes'), 1);
    const replay = await tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: app.client_id, client_secret: app.client_secret });
    t.is(replay.body.error, 'invalid_grant');
    t.is(await countRows(server.db, 'oauth_tokens', { revoked: true }), 1, 'the replay still revoked the token');
    t.is((await tokenRequest(server, { grant_type: 'authorization_code', code: stale, redirect_uri: REDIRECT, client_id: app.client_id, client_secret: app.client_secret })).body.error, 'invalid_grant');
  });
}
