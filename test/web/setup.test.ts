// First-run setup: the logged token creates the first admin, once, and only while no account exists.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { ensureSetupToken } from '../../server/services/accounts/setup-token.ts';
import { createLocalAccount } from '../../server/services/accounts/admin-accounts.service.ts';
import { SESSION_COOKIE } from '../../server/http/session.ts';
import { startWebServer } from './web-client.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: the setup token creates the first admin, confirmed and approved, and works once`, async (t) => {
    const web = await startWebServer(t, target);
    const token = await ensureSetupToken(web.db, web.config);
    t.truthy(token);
    const stranger = web.browser();
    t.is((await stranger.get('/auth/setup?token=wrong')).status, 403);
    t.is((await stranger.get('/auth/setup')).status, 403);

    const browser = web.browser();
    const path = `/auth/setup?token=${token}`;
    t.is((await browser.get(path)).status, 200);
    const reserved = await browser.submit(path, '/auth/setup', { token: token!, username: 'admin', password: 'a long password' });
    t.is(reserved.status, 422, 'bad input keeps the token');
    t.regex(reserved.text, /reserved/);
    const created = await browser.submit(path, '/auth/setup', { token: token!, username: 'Root_User', email: 'root@example.com', password: 'a long password' });
    t.is(created.status, 303);
    t.true(browser.cookies.has(SESSION_COOKIE), 'signed in as the new admin');
    const user = await web.db('users').first();
    t.is(user.role, 'admin');
    t.truthy(user.approved);
    t.truthy(user.confirmed_at);

    const again = await stranger.submit('/auth/sign_in', '/auth/setup', { token: token!, username: 'second', password: 'a long password' });
    t.is(again.status, 403);
    t.is((await stranger.get(path)).status, 403);
    t.is(Number((await web.db('users').count({ n: '*' }).first())!.n), 1);
    t.is(await ensureSetupToken(web.db, web.config), null, 'no new token once an account exists');
  });

  test(`${target.name}: a token made before any account existed does not work once one does`, async (t) => {
    const web = await startWebServer(t, target);
    const token = (await ensureSetupToken(web.db, web.config))!;
    await createLocalAccount(web.db, { username: 'alice', role: 'admin' });
    const browser = web.browser();
    t.is((await browser.get(`/auth/setup?token=${token}`)).status, 403);
    const post = await browser.submit('/auth/sign_in', '/auth/setup', { token, username: 'mallory', password: 'a long password' });
    t.is(post.status, 403);
    t.falsy(await web.db('accounts').where({ username: 'mallory' }).first());
  });
}
