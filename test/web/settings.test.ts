// /settings/account: password and e-mail changes need the current password; deletion closes the account.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { createLocalAccount } from '../../server/services/accounts/admin-accounts.service.ts';
import { SESSION_COOKIE } from '../../server/http/session.ts';
import { startWebServer } from './web-client.ts';

const PASSWORD = 'correct horse battery';

for (const target of await databaseTargets()) {
  test(`${target.name}: changing the password needs the current one and signs other sessions out`, async (t) => {
    const web = await startWebServer(t, target);
    await createLocalAccount(web.db, { username: 'alice', email: 'alice@example.com', password: PASSWORD });
    const browser = web.browser();
    const elsewhere = web.browser();
    await browser.signIn('alice', PASSWORD);
    await elsewhere.signIn('alice', PASSWORD);

    const wrong = await browser.submit('/settings/account', '/settings/account/password', { current_password: 'not it', password: 'a new password' });
    t.is(wrong.status, 422);
    t.regex(wrong.text, /current password is not correct/);
    const weak = await browser.submit('/settings/account', '/settings/account/password', { current_password: PASSWORD, password: 'short' });
    t.is(weak.status, 422);
    const changed = await browser.submit('/settings/account', '/settings/account/password', { current_password: PASSWORD, password: 'a new password' });
    t.is(changed.status, 200);
    t.regex(changed.text, /password is changed/);
    t.is((await browser.get('/settings/account')).status, 200, 'this session stays');
    t.is((await elsewhere.get('/settings/account')).status, 303, 'the other session is gone');
    t.is((await web.browser().signIn('alice', PASSWORD)).status, 401);
    t.is((await web.browser().signIn('alice', 'a new password')).status, 303);
  });

  test(`${target.name}: changing the e-mail address needs the current password and a free, valid address`, async (t) => {
    const web = await startWebServer(t, target);
    await createLocalAccount(web.db, { username: 'alice', email: 'alice@example.com', password: PASSWORD });
    await createLocalAccount(web.db, { username: 'bob', email: 'bob@example.com', password: PASSWORD });
    const browser = web.browser();
    await browser.signIn('alice', PASSWORD);
    t.is((await browser.submit('/settings/account', '/settings/account/email', { current_password: 'nope', email: 'new@example.com' })).status, 422);
    t.is((await browser.submit('/settings/account', '/settings/account/email', { current_password: PASSWORD, email: 'BOB@example.com' })).status, 422);
    t.is((await browser.submit('/settings/account', '/settings/account/email', { current_password: PASSWORD, email: 'not-an-address' })).status, 422);
    const changed = await browser.submit('/settings/account', '/settings/account/email', { current_password: PASSWORD, email: 'new@example.com' });
    t.is(changed.status, 200);
    t.regex(changed.text, /value="new@example\.com"/);
    t.is((await web.browser().signIn('new@example.com', PASSWORD)).status, 303);
  });

  test(`${target.name}: deleting the account needs the password, then suspends it and signs it out everywhere`, async (t) => {
    const web = await startWebServer(t, target);
    await createLocalAccount(web.db, { username: 'alice', password: PASSWORD });
    const browser = web.browser();
    await browser.signIn('alice', PASSWORD);
    t.is((await browser.submit('/settings/account', '/settings/account/delete', { current_password: 'nope' })).status, 422);
    t.is((await browser.get('/settings/account')).status, 200);
    const deleted = await browser.submit('/settings/account', '/settings/account/delete', { current_password: PASSWORD });
    t.is(deleted.status, 200);
    t.regex(deleted.text, /closed/);
    t.false(browser.cookies.has(SESSION_COOKIE));
    const account = await web.db('accounts').first();
    const user = await web.db('users').first();
    t.truthy(account.suspended_at);
    t.truthy(user.disabled_at);
    t.is(Number((await web.db('sessions').count({ n: '*' }).first())!.n), 0);
    t.is((await web.browser().signIn('alice', PASSWORD)).status, 403);
  });
}
