// App registration (POST /api/v1/apps), its validation, the Application
// entity, and the RFC 8414 metadata document.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { allScopes } from '../../server/oauth/scopes.ts';
import { bearer, registerApp, startServer, tokenRequest, type TestServer } from './helpers.ts';

const targets = await databaseTargets();

async function postApp(server: TestServer, body: Record<string, unknown> | URLSearchParams): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = body instanceof URLSearchParams;
  const response = await fetch(`${server.url}/api/v1/apps`, {
    method: 'POST',
    headers: { 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: form ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

for (const target of targets) {
  test(`${target.name}: registering an app returns Mastodon's Application with credentials once`, async (t) => {
    const server = await startServer(t, target);
    const form = new URLSearchParams({ client_name: 'Ivory', redirect_uris: 'ivory://callback\nurn:ietf:wg:oauth:2.0:oob', scopes: 'read write:statuses push', website: 'https://tapbots.com' });
    const { status, body } = await postApp(server, form);
    t.is(status, 200);
    t.like(body, {
      name: 'Ivory',
      website: 'https://tapbots.com',
      scopes: ['read', 'write:statuses', 'push'],
      redirect_uri: 'ivory://callback\nurn:ietf:wg:oauth:2.0:oob',
      redirect_uris: ['ivory://callback', 'urn:ietf:wg:oauth:2.0:oob'],
      vapid_key: null,
      client_secret_expires_at: 0,
    });
    t.regex(body.id as string, /^\d+$/);
    t.regex(body.client_id as string, /^[\w-]{43}$/);
    t.regex(body.client_secret as string, /^[\w-]{43}$/);
    const row = await server.db('oauth_apps').first();
    t.not(row.client_secret_hash, body.client_secret, 'only a hash is stored');

    // The app's own token sees the entity without credentials.
    const token = await tokenRequest(server, { grant_type: 'client_credentials', client_id: body.client_id as string, client_secret: body.client_secret as string });
    const verify = await fetch(`${server.url}/api/v1/apps/verify_credentials`, { headers: bearer(token.body.access_token as string) });
    const entity = (await verify.json()) as Record<string, unknown>;
    t.is(entity.name, 'Ivory');
    t.false('client_secret' in entity);
    t.false('client_id' in entity);
    t.is((await fetch(`${server.url}/api/v1/apps/verify_credentials`)).status, 401);
  });

  test(`${target.name}: scopes default to read; redirect URIs as an array; bad input is 422`, async (t) => {
    const server = await startServer(t, target);
    const array = await postApp(server, { client_name: 'Elk', redirect_uris: ['https://elk.zone/callback', 'https://elk.zone/other'] });
    t.is(array.status, 200);
    t.deepEqual(array.body.scopes, ['read']);
    t.deepEqual(array.body.redirect_uris, ['https://elk.zone/callback', 'https://elk.zone/other']);

    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ redirect_uris: 'https://a.example/cb' }, /name can't be blank/],
      [{ client_name: 'x'.repeat(61), redirect_uris: 'https://a.example/cb' }, /too long/],
      [{ client_name: 'A' }, /Redirect URI can't be blank/],
      [{ client_name: 'A', redirect_uris: 'not a uri' }, /absolute URI/],
      [{ client_name: 'A', redirect_uris: 'javascript:alert(1)' }, /javascript/],
      [{ client_name: 'A', redirect_uris: 'https://a.example/cb#frag' }, /fragment/],
      [{ client_name: 'A', redirect_uris: 'https://a.example/cb', scopes: 'read crypto' }, /Unknown scope: crypto/],
      [{ client_name: 'A', redirect_uris: 'https://a.example/cb', website: 'javascript:alert(1)' }, /Website/],
    ];
    for (const [input, message] of refusals) {
      const { status, body } = await postApp(server, input);
      t.is(status, 422, JSON.stringify(input));
      t.regex(body.error as string, message);
    }
    t.is(Number((await server.db('oauth_apps').count({ n: '*' }).first())?.n), 1);
  });

  test(`${target.name}: /.well-known/oauth-authorization-server describes the endpoints`, async (t) => {
    const server = await startServer(t, target, { VIEWFINDER_PUBLIC_URL: 'https://photos.example' });
    await registerApp(server);
    const response = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
    t.is(response.status, 200);
    const metadata = (await response.json()) as Record<string, unknown>;
    t.like(metadata, {
      issuer: 'https://photos.example/',
      authorization_endpoint: 'https://photos.example/oauth/authorize',
      token_endpoint: 'https://photos.example/oauth/token',
      revocation_endpoint: 'https://photos.example/oauth/revoke',
      app_registration_endpoint: 'https://photos.example/api/v1/apps',
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      grant_types_supported: ['authorization_code', 'password', 'client_credentials'],
    });
    t.deepEqual(metadata.scopes_supported, [...allScopes]);
  });
}
