// POST /api/v1/accounts: sign-up through an app token, answered with a
// Mastodon Token the new user can use; refusals with 422 details.
import test from 'ava';
import { createRestAPIClient } from 'masto';
import { databaseTargets } from '../helpers/databases.ts';
import { appToken, createUser, startApiServer, type ApiServer } from './helpers.ts';

async function signUp(server: ApiServer, token: string | null, body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}/api/v1/accounts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

for (const target of await databaseTargets()) {
  test(`${target.name}: an app signs a user up and gets a working token`, async (t) => {
    const server = await startApiServer(t, target, { VIEWFINDER_REGISTRATIONS: 'open' });
    const app = await appToken(server, ['read', 'write', 'follow'], null);
    const { status, body } = await signUp(server, app, { username: 'newbie', email: 'newbie@example.com', password: 'long enough password', agreement: true, locale: 'en' });
    t.is(status, 200, JSON.stringify(body));
    t.is(body.token_type, 'Bearer');
    t.is(body.scope, 'read write follow');
    t.is(typeof body.access_token, 'string');
    t.true(Number.isInteger(body.created_at) && body.created_at < 1e11, 'created_at in seconds');

    const me = await createRestAPIClient({ url: server.url, accessToken: body.access_token }).v1.accounts.verifyCredentials();
    t.is(me.username, 'newbie');
  });

  test(`${target.name}: sign-up refusals: no token, a token without write:accounts, bad input, taken name`, async (t) => {
    const server = await startApiServer(t, target, { VIEWFINDER_REGISTRATIONS: 'open' });
    await createUser(server, 'taken');
    const good = { username: 'fresh', email: 'fresh@example.com', password: 'long enough password', agreement: true };
    t.is((await signUp(server, null, good)).status, 401);
    t.is((await signUp(server, await appToken(server, ['read'], null), good)).status, 403);

    const app = await appToken(server, ['write:accounts'], null);
    const bad = await signUp(server, app, { username: 'x y', email: 'nope', password: 'short', agreement: true });
    t.is(bad.status, 422);
    t.truthy(bad.body.details?.username);
    t.truthy(bad.body.details?.password);
    const noAgreement = await signUp(server, app, { ...good, agreement: undefined });
    t.is(noAgreement.status, 422);
    const duplicate = await signUp(server, app, { ...good, username: 'TAKEN', email: 'other@example.com' });
    t.is(duplicate.status, 422);
    t.truthy(duplicate.body.details?.username);
  });

  test(`${target.name}: a closed server refuses API sign-ups`, async (t) => {
    const server = await startApiServer(t, target, { VIEWFINDER_REGISTRATIONS: 'closed' });
    const app = await appToken(server, ['write:accounts'], null);
    const { status } = await signUp(server, app, { username: 'fresh', email: 'fresh@example.com', password: 'long enough password', agreement: true });
    t.is(status, 403);
  });
}
