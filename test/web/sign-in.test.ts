// Web sign-in and sign-out: session cookie flags, CSRF, return_to, refusals, rate limit.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { createLocalAccount } from '../../server/services/accounts/admin-accounts.service.ts';
import { updateUser } from '../../server/db/users.repo.ts';
import { SESSION_COOKIE } from '../../server/http/session.ts';
import { startWebServer } from './web-client.ts';

const PASSWORD = 'correct horse battery';

for (const target of await databaseTargets()) {
  test(`${target.name}: signing in sets an HttpOnly, SameSite=Lax session cookie (Secure only for an https public URL); sign-out ends it`, async (t) => {
    const web = await startWebServer(t, target);
    await createLocalAccount(web.db, { username: 'alice', email: 'alice@example.com', password: PASSWORD });
    const browser = web.browser();

    t.is((await browser.get('/settings/account')).status, 303, 'signed out: settings redirect to sign-in');
    const signedIn = await browser.signIn('Alice', PASSWORD);
    t.is(signedIn.status, 303);
    t.is(signedIn.location, '/settings/account');
    const cookie = signedIn.setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    t.truthy(cookie);
    t.regex(cookie!, /; HttpOnly/);
    t.regex(cookie!, /; SameSite=Lax/);
    t.regex(cookie!, /; Path=\//);
    t.regex(cookie!, /; Max-Age=2592000/, '30 days');
    t.notRegex(cookie!, /Secure/, 'no Secure flag for an http public URL');
    const token = browser.cookies.get(SESSION_COOKIE)!;
    const stored = await web.db('sessions').select('token_hash');
    t.is(stored.length, 1);
    t.not(stored[0].token_hash, token, 'only a hash of the token is stored');

    const settings = await browser.get('/settings/account');
    t.is(settings.status, 200);
    t.regex(settings.text, /alice@example\.com/);

    // The e-mail address works as the login too.
    const other = web.browser();
    t.is((await other.signIn('ALICE@example.com', PASSWORD)).status, 303);

    const signedOut = await browser.submit('/settings/account', '/auth/sign_out', {});
    t.is(signedOut.status, 303);
    t.false(browser.cookies.has(SESSION_COOKIE));
    // The old cookie no longer works even if replayed.
    browser.cookies.set(SESSION_COOKIE, token);
    t.is((await browser.get('/settings/account')).status, 303);
    t.is(await web.db('sessions').count({ n: '*' }).first().then((r) => Number(r!.n)), 1, 'only the other browser is still signed in');
  });

  test(`${target.name}: with an https public URL the session cookie is Secure`, async (t) => {
    const web = await startWebServer(t, target, { VIEWFINDER_PUBLIC_URL: 'https://photos.example' });
    await createLocalAccount(web.db, { username: 'alice', password: PASSWORD });
    const signedIn = await web.browser().signIn('alice', PASSWORD);
    t.is(signedIn.status, 303);
    t.regex(signedIn.setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!, /; Secure/);
  });

  test(`${target.name}: form posts without the CSRF token, or with another browser's, are refused`, async (t) => {
    const web = await startWebServer(t, target);
    await createLocalAccount(web.db, { username: 'alice', password: PASSWORD });
    const browser = web.browser();

    const noToken = await browser.submit('/auth/sign_in', '/auth/sign_in', { login: 'alice', password: PASSWORD }, false);
    t.is(noToken.status, 403);
    t.false(browser.cookies.has(SESSION_COOKIE));

    // A token from another browser (its own pre-session cookie) does not fit this one.
    const stranger = web.browser();
    const strangerPage = await stranger.get('/auth/sign_in');
    const foreign = /name="authenticity_token" value="([^"]+)"/.exec(strangerPage.text)![1]!;
    const forged = await browser.request('POST', '/auth/sign_in', { authenticity_token: foreign, login: 'alice', password: PASSWORD });
    t.is(forged.status, 403);

    t.is((await browser.signIn('alice', PASSWORD)).status, 303);
    // Signed in: sign-out and settings forms need the session's token too.
    t.is((await browser.request('POST', '/auth/sign_out', {})).status, 403);
    t.is((await browser.request('POST', '/settings/account/password', { current_password: PASSWORD, password: 'new password 123' })).status, 403);
    t.is((await browser.get('/settings/account')).status, 200, 'still signed in');
  });

  test(`${target.name}: wrong passwords, pending and suspended accounts are refused; return_to stays on this server`, async (t) => {
    const web = await startWebServer(t, target);
    const { user } = await createLocalAccount(web.db, { username: 'alice', password: PASSWORD });
    const browser = web.browser();

    const wrong = await browser.signIn('alice', 'wrong password');
    t.is(wrong.status, 401);
    t.regex(wrong.text, /Invalid e-mail address, username or password/);
    t.is((await browser.signIn('nobody', PASSWORD)).status, 401);

    await updateUser(web.db, user.id, { approved: false });
    const pending = await browser.signIn('alice', PASSWORD);
    t.is(pending.status, 403);
    t.regex(pending.text, /pending approval/);
    await updateUser(web.db, user.id, { approved: true });

    await web.db('accounts').update({ suspended_at: Date.now() });
    t.regex((await browser.signIn('alice', PASSWORD)).text, /suspended/);
    await web.db('accounts').update({ suspended_at: null });
    t.false(browser.cookies.has(SESSION_COOKIE));

    const page = await browser.get('/auth/sign_in?return_to=%2Foauth%2Fauthorize%3Fclient_id%3Dx');
    t.regex(page.text, /name="return_to" value="\/oauth\/authorize\?client_id=x"/);
    const back = await browser.submit('/auth/sign_in', '/auth/sign_in', { login: 'alice', password: PASSWORD, return_to: '/oauth/authorize?client_id=x' });
    t.is(back.location, '/oauth/authorize?client_id=x');
    const absolute = await web.browser().submit('/auth/sign_in', '/auth/sign_in', { login: 'alice', password: PASSWORD, return_to: `${web.url}/oauth/authorize?x=1` });
    t.is(absolute.location, '/oauth/authorize?x=1', 'an absolute URL on this server is fine');
    for (const evil of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const other = web.browser();
      const answer = await other.submit('/auth/sign_in', '/auth/sign_in', { login: 'alice', password: PASSWORD, return_to: evil });
      t.is(answer.location, '/settings/account', `return_to ${evil} is ignored`);
    }
  });

  test(`${target.name}: the N+1th sign-in attempt in the window gets 429`, async (t) => {
    // Windows are fixed (aligned to the epoch); should the attempts straddle a
    // boundary (X-RateLimit-Reset changes), try again on a fresh server: the
    // new window already counts this IP's attempts made after the boundary.
    for (let round = 1; ; round++) {
      const web = await startWebServer(t, target, { VIEWFINDER_RATE_LIMIT_SIGN_IN: '3/300' });
      await createLocalAccount(web.db, { username: 'alice', password: PASSWORD });
      const browser = web.browser();
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await browser.signIn('alice', 'wrong password'));
      const resets = new Set(answers.map((a) => a.headers.get('x-ratelimit-reset')));
      if (resets.size > 1 && round < 3) continue;
      t.deepEqual(answers.map((a) => a.status), [401, 401, 401, 429]);
      t.is(answers[2]!.headers.get('x-ratelimit-remaining'), '0');
      t.regex(answers[3]!.text, /Too many attempts/, 'a page, not JSON');
      t.truthy(answers[3]!.headers.get('retry-after'));
      // Even the right password is refused until the window ends.
      t.is((await browser.signIn('alice', PASSWORD)).status, 429);
      break;
    }
  });
}
