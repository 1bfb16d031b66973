// The sign-up form under each mode, as a browser uses it.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { createLocalAccount } from '../../server/services/accounts/admin-accounts.service.ts';
import { createInvite } from '../../server/services/accounts/invites.service.ts';
import { setRegistrationMode } from '../../server/services/accounts/registration.service.ts';
import { SESSION_COOKIE } from '../../server/http/session.ts';
import { startWebServer } from './web-client.ts';

const form = (username: string, extra: Record<string, string> = {}) => ({ username, email: `${username.toLowerCase()}@example.com`, password: 'a long password', agreement: '1', ...extra });

for (const target of await databaseTargets()) {
  test(`${target.name}: approval mode: the form creates a pending account that cannot sign in yet`, async (t) => {
    const web = await startWebServer(t, target);
    const browser = web.browser();
    const page = await browser.get('/auth/sign_up');
    t.regex(page.text, /pending|reviews new accounts/);
    const answer = await browser.submit('/auth/sign_up', '/auth/sign_up', form('Penny', { reason: 'Landscapes' }));
    t.is(answer.status, 200);
    t.regex(answer.text, /pending approval/);
    t.false(browser.cookies.has(SESSION_COOKIE));
    const signIn = await browser.signIn('penny', 'a long password');
    t.is(signIn.status, 403);
    t.regex(signIn.text, /pending approval/);
  });

  test(`${target.name}: open mode signs the new account in; duplicates in another case and weak input are refused with 422`, async (t) => {
    const web = await startWebServer(t, target, { VIEWFINDER_REGISTRATIONS: 'open' });
    const browser = web.browser();
    const answer = await browser.submit('/auth/sign_up', '/auth/sign_up', form('Olive'));
    t.is(answer.status, 303);
    t.true(browser.cookies.has(SESSION_COOKIE));
    t.is((await browser.get('/settings/account')).status, 200);

    const other = web.browser();
    const duplicate = await other.submit('/auth/sign_up', '/auth/sign_up', form('OLIVE', { email: 'x@example.com' }));
    t.is(duplicate.status, 422);
    t.regex(duplicate.text, /Username has already been taken/);
    t.regex(duplicate.text, /value="OLIVE"/, 'the form keeps what was typed');
    const weak = await other.submit('/auth/sign_up', '/auth/sign_up', form('', { password: 'short', email: '' }));
    t.is(weak.status, 422);
    t.regex(weak.text, /Username can&#39;t be blank, Password is too short/);
    const noToken = await other.submit('/auth/sign_up', '/auth/sign_up', form('sneaky'), false);
    t.is(noToken.status, 403);
    t.is(Number((await web.db('accounts').count({ n: '*' }).first())!.n), 1);
  });

  test(`${target.name}: invite mode needs a code (the invite link fills it in); closed mode refuses`, async (t) => {
    const web = await startWebServer(t, target, { VIEWFINDER_REGISTRATIONS: 'invite' });
    await createLocalAccount(web.db, { username: 'boss', role: 'admin' });
    const invite = await createInvite(web.db, { maxUses: 1 });
    const browser = web.browser();
    const without = await browser.submit('/auth/sign_up', '/auth/sign_up', form('ivy'));
    t.is(without.status, 422);
    t.regex(without.text, /Invite code is required/);
    const linkPage = await browser.get(`/auth/sign_up?invite_code=${invite.code}`);
    t.regex(linkPage.text, new RegExp(`name="invite_code" value="${invite.code}"`));
    const invited = await browser.submit('/auth/sign_up', '/auth/sign_up', form('ivy', { invite_code: invite.code }));
    t.is(invited.status, 303, 'an invited account is approved and signed in');

    await setRegistrationMode(web.db, 'closed');
    const other = web.browser();
    t.regex((await other.get('/auth/sign_up')).text, /not accepting new accounts/);
    const closed = await other.submit('/auth/sign_in', '/auth/sign_up', form('carl'));
    t.is(closed.status, 403);
    t.falsy(await web.db('accounts').where({ username: 'carl' }).first());
  });
}
