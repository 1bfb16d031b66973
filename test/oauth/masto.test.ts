// The `masto` client library against our OAuth endpoints: registration, the
// token grants as masto encodes them, app verification and revocation.
import test from 'ava';
import { createOAuthAPIClient, createRestAPIClient } from 'masto';
import { databaseTargets } from '../helpers/databases.ts';
import { createUser, PASSWORD, startServer } from './helpers.ts';

const targets = await databaseTargets();

for (const target of targets) {

test(`${target.name}: masto registers an app, gets app and user tokens, verifies and revokes`, async (t) => {
  const server = await startServer(t, target);
  await createUser(server, 'alice');
  const anonymous = createRestAPIClient({ url: server.url });
  const app = await anonymous.v1.apps.create({ clientName: 'masto test', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write' });
  t.is(app.name, 'masto test');
  t.truthy(app.clientId && app.clientSecret);

  const oauth = createOAuthAPIClient({ url: server.url });
  const base = { clientId: app.clientId!, clientSecret: app.clientSecret!, redirectUri: 'urn:ietf:wg:oauth:2.0:oob' };
  const appToken = await oauth.token.create({ ...base, grantType: 'client_credentials', scope: 'read' });
  t.is(appToken.tokenType, 'Bearer');
  const asApp = createRestAPIClient({ url: server.url, accessToken: appToken.accessToken });
  t.is((await asApp.v1.apps.verifyCredentials()).name, 'masto test');

  const userToken = await oauth.token.create({ ...base, grantType: 'password', username: 'alice@example.com', password: PASSWORD, scope: 'read write' });
  t.is(userToken.scope, 'read write');
  await oauth.revoke({ clientId: base.clientId, clientSecret: base.clientSecret, token: userToken.accessToken });
  const asUser = createRestAPIClient({ url: server.url, accessToken: userToken.accessToken });
  await t.throwsAsync(asUser.v1.apps.verifyCredentials(), { message: /revoked/ });
});

test(`${target.name}: multipart/form-data token requests work too`, async (t) => {
  const server = await startServer(t, target);
  const anonymous = createRestAPIClient({ url: server.url });
  const app = await anonymous.v1.apps.create({ clientName: 'form app', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read' });
  const form = new FormData();
  form.set('grant_type', 'client_credentials');
  form.set('client_id', app.clientId!);
  form.set('client_secret', app.clientSecret!);
  const response = await fetch(`${server.url}/oauth/token`, { method: 'POST', body: form });
  t.is(response.status, 200);
  t.like(await response.json(), { token_type: 'Bearer', scope: 'read' });
});
}
