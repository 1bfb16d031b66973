// What a Mastodon app does on first launch, against the fully composed server
// (serve(), every router, real OAuth consent page): the npm package `masto` as
// the client, an HTTP client with cookies as the person approving the app.
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { createOAuthAPIClient, createRestAPIClient, type mastodon } from 'masto';
import { databaseTargets, freePort, tempDir } from '../helpers/databases.ts';
import { Browser, csrfTokenIn } from '../web/web-client.ts';
import { loadConfig } from '../../config/load.ts';
import { serve } from '../../server/serve.ts';
import { createLocalAccount } from '../../server/services/accounts/admin-accounts.service.ts';

const redirectUri = 'https://app.example/callback';

for (const target of await databaseTargets()) {
  test(`${target.name}: a Mastodon app registers, signs in with PKCE, and manages the profile`, async (t) => {
    const database = await target.create(t);
    const port = String(await freePort());
    const config = loadConfig({
      env: { DATABASE_URL: database.url, VIEWFINDER_DATA_DIR: tempDir(t), VIEWFINDER_PORT: port, VIEWFINDER_PUBLIC_URL: `http://127.0.0.1:${port}`, VIEWFINDER_HOST: '127.0.0.1', VIEWFINDER_LOG_LEVEL: 'error' },
    });
    const server = await serve(config, { role: 'web' });
    t.teardown(() => server.stop());
    const url = server.url!;
    await createLocalAccount(database.db, { username: 'alice', email: 'alice@example.com', password: 'correct horse battery' });
    await createLocalAccount(database.db, { username: 'bob', password: 'another long password' });

    // 1. The app registers itself.
    const oauth = createOAuthAPIClient({ url });
    const anonymous = createRestAPIClient({ url });
    const app = await anonymous.v1.apps.create({ clientName: 'Test App', redirectUris: redirectUri, scopes: 'read write follow', website: 'https://app.example' });
    t.truthy(app.clientId);
    t.truthy(app.clientSecret);

    // 2. The person opens the authorize URL, signs in, and approves (PKCE S256).
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = `/oauth/authorize?${new URLSearchParams({ client_id: app.clientId!, redirect_uri: redirectUri, response_type: 'code', scope: 'read write follow', state: 'xyz', code_challenge: challenge, code_challenge_method: 'S256' })}`;
    const browser = new Browser(url);
    const toSignIn = await browser.get(authorize);
    t.is(toSignIn.status, 302);
    const signInPath = new URL(toSignIn.location!, url);
    t.is(signInPath.pathname, '/auth/sign_in');
    const signInPage = await browser.get(signInPath.pathname + signInPath.search);
    const signedIn = await browser.request('POST', '/auth/sign_in', {
      authenticity_token: csrfTokenIn(signInPage.text),
      return_to: signInPath.searchParams.get('return_to')!,
      login: 'alice@example.com',
      password: 'correct horse battery',
    });
    t.is(new URL(signedIn.location!, url).pathname, '/oauth/authorize', 'sign-in returns to the authorize page');
    const consent = await browser.get(new URL(signedIn.location!, url).pathname + new URL(signedIn.location!, url).search);
    t.is(consent.status, 200);
    t.regex(consent.text, /Test App/);
    const form = Object.fromEntries([...consent.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replaceAll('&amp;', '&')]));
    const approved = await browser.request('POST', '/oauth/authorize', { ...form, decision: 'approve' });
    t.is(approved.status, 302);
    const callback = new URL(approved.location!);
    t.is(`${callback.origin}${callback.pathname}`, redirectUri);
    t.is(callback.searchParams.get('state'), 'xyz');
    const code = callback.searchParams.get('code')!;

    // A wrong verifier gets nothing; the right one gets a token.
    const tokenRequest = { grantType: 'authorization_code' as const, clientId: app.clientId!, clientSecret: app.clientSecret!, redirectUri, code, scope: 'read write follow' };
    await t.throwsAsync(oauth.token.create({ ...tokenRequest, codeVerifier: 'x'.repeat(43) } as mastodon.oauth.CreateTokenParams));
    const fresh = await (async () => {
      // The failed attempt above spent the code (single use, RFC 6749): approve once more.
      const again = await browser.get(authorize);
      const fields = Object.fromEntries([...again.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replaceAll('&amp;', '&')]));
      const redirect = await browser.request('POST', '/oauth/authorize', { ...fields, decision: 'approve' });
      return new URL(redirect.location!).searchParams.get('code')!;
    })();
    const token = await oauth.token.create({ ...tokenRequest, code: fresh, codeVerifier: verifier } as mastodon.oauth.CreateTokenParams);
    t.truthy(token.accessToken);
    t.is(token.tokenType, 'Bearer');

    // 3. The app uses the API as the person.
    const client = createRestAPIClient({ url, accessToken: token.accessToken });
    const me = await client.v1.accounts.verifyCredentials();
    t.is(me.username, 'alice');
    t.is(me.acct, 'alice');
    t.is(me.source.privacy, 'public');

    const avatar = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();
    const updated = await client.v1.accounts.updateCredentials({ displayName: 'Alice A.', note: 'Photos of #cats by @bob', avatar: new Blob([avatar], { type: 'image/jpeg' }) });
    t.is(updated.displayName, 'Alice A.');
    t.is((await client.v1.accounts.verifyCredentials()).displayName, 'Alice A.', 'no stale profile from the token cache');
    t.regex(updated.note, /href="[^"]*\/tags\/cats"/);
    t.regex(updated.note, /href="[^"]*\/@bob"/);
    const avatarResponse = await fetch(updated.avatar);
    t.is(avatarResponse.status, 200);
    const avatarMeta = await sharp(Buffer.from(await avatarResponse.arrayBuffer())).metadata();
    t.is(avatarMeta.width, 400);
    t.is(avatarMeta.height, 400);

    const bob = await client.v1.accounts.lookup({ acct: 'bob' });
    t.is(bob.username, 'bob');
    const [relationship] = await client.v1.accounts.relationships.fetch({ id: [bob.id] });
    t.is(relationship!.id, bob.id);
    t.false(relationship!.following);
    t.false(relationship!.blocking);

    // 4. Revoking the token ends the app's access.
    await oauth.revoke({ clientId: app.clientId!, clientSecret: app.clientSecret!, token: token.accessToken });
    const refused = await t.throwsAsync(client.v1.accounts.verifyCredentials(), { message: /access token was revoked/i });
    t.is((refused as unknown as { statusCode: number }).statusCode, 401);
  });
}
