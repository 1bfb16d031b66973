// TOTP two-factor sign-in: enabling from the settings page, the code step, recovery codes.
import test from 'ava';
import { Secret, TOTP } from 'otpauth';
import { databaseTargets } from '../helpers/databases.ts';
import { createLocalAccount } from '../../server/services/accounts/admin-accounts.service.ts';
import { SESSION_COOKIE } from '../../server/http/session.ts';
import { csrfTokenIn, startWebServer } from './web-client.ts';

const PASSWORD = 'correct horse battery';
const codeFor = (secret: string, offsetSteps = 0) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + offsetSteps * 30_000 });

for (const target of await databaseTargets()) {
  test(`${target.name}: with TOTP enabled, sign-in needs a valid code; each recovery code works exactly once`, async (t) => {
    // Many sign-ins from one address: more than the default budget allows.
    const web = await startWebServer(t, target, { VIEWFINDER_RATE_LIMIT_SIGN_IN: '100/300' });
    await createLocalAccount(web.db, { username: 'alice', password: PASSWORD });
    const browser = web.browser();
    await browser.signIn('alice', PASSWORD);

    // Enabling: the page shows the secret as base32 and as an otpauth:// URI; a wrong code changes nothing.
    const setupPage = await browser.get('/settings/two_factor');
    const secret = /Key: <code>([A-Z2-7]+)<\/code>/.exec(setupPage.text)![1]!;
    t.regex(setupPage.text, new RegExp(`otpauth://totp/[^"]*secret=${secret}`));
    const token = csrfTokenIn(setupPage.text);
    const wrong = await browser.request('POST', '/settings/two_factor', { authenticity_token: token, secret, code: '000000' === codeFor(secret) ? '111111' : '000000' });
    t.is(wrong.status, 422);
    t.is((await web.db('users').first()).otp_secret, null);
    const enabled = await browser.request('POST', '/settings/two_factor', { authenticity_token: token, secret, code: codeFor(secret) });
    t.is(enabled.status, 200);
    const recoveryCodes = [...enabled.text.matchAll(/<li><code>([0-9a-f]{5}-[0-9a-f]{5})<\/code><\/li>/g)].map((m) => m[1]!);
    t.is(recoveryCodes.length, 10);
    const stored = (await web.db('users').first()).otp_recovery_codes as string;
    t.false(recoveryCodes.some((code) => stored.includes(code)), 'recovery codes are stored hashed');

    // Password alone no longer signs in: the code step follows.
    const other = web.browser();
    const step1 = await other.signIn('alice', PASSWORD);
    t.is(step1.status, 200);
    t.regex(step1.text, /name="otp_attempt"/);
    t.false(other.cookies.has(SESSION_COOKIE));
    const bad = await other.submit('/auth/sign_in', '/auth/sign_in', { otp_attempt: '123456' === codeFor(secret) ? '654321' : '123456' });
    t.is(bad.status, 401);
    t.false(other.cookies.has(SESSION_COOKIE));
    // Skipping the password step (no ticket) is refused too.
    const skipper = web.browser();
    t.is((await skipper.submit('/auth/sign_in', '/auth/sign_in', { otp_attempt: codeFor(secret) })).status, 401);
    t.false(skipper.cookies.has(SESSION_COOKIE));

    const usedCode = codeFor(secret);
    const good = await other.submit('/auth/sign_in', '/auth/sign_in', { otp_attempt: usedCode });
    t.is(good.status, 303);
    t.true(other.cookies.has(SESSION_COOKIE));
    // A code signs in once: replayed, it is refused; the next time step's code works.
    const replay = web.browser();
    await replay.signIn('alice', PASSWORD);
    t.is((await replay.submit('/auth/sign_in', '/auth/sign_in', { otp_attempt: usedCode })).status, 401);
    t.is((await replay.submit('/auth/sign_in', '/auth/sign_in', { otp_attempt: codeFor(secret, 1) })).status, 303);

    // A recovery code works once; the second use is refused.
    const first = web.browser();
    await first.signIn('alice', PASSWORD);
    t.is((await first.submit('/auth/sign_in', '/auth/sign_in', { otp_attempt: recoveryCodes[3]!.toUpperCase() })).status, 303);
    const second = web.browser();
    await second.signIn('alice', PASSWORD);
    t.is((await second.submit('/auth/sign_in', '/auth/sign_in', { otp_attempt: recoveryCodes[3]! })).status, 401);
    t.is((await second.submit('/auth/sign_in', '/auth/sign_in', { otp_attempt: recoveryCodes[4]! })).status, 303, 'another code still works');

    // Disabling needs the password.
    t.is((await browser.submit('/settings/two_factor', '/settings/two_factor/disable', { current_password: 'nope' })).status, 422);
    t.is((await browser.submit('/settings/two_factor', '/settings/two_factor/disable', { current_password: PASSWORD })).status, 200);
    t.is((await web.browser().signIn('alice', PASSWORD)).status, 303, 'password alone signs in again');
  });
}
