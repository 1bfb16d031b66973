// Password reset: by mail when SMTP is configured (the link works once), otherwise the page points to an admin.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { createLocalAccount } from '../../server/services/accounts/admin-accounts.service.ts';
import { startWebServer } from './web-client.ts';

const PASSWORD = 'correct horse battery';

for (const target of await databaseTargets()) {
  test(`${target.name}: without SMTP the page says to ask an admin and sends nothing`, async (t) => {
    const web = await startWebServer(t, target);
    const page = await web.browser().get('/auth/password/new');
    t.is(page.status, 200);
    t.regex(page.text, /Ask an administrator/);
  });

  test(`${target.name}: with SMTP a signed link is mailed; it sets a new password once and signs the user out`, async (t) => {
    const web = await startWebServer(t, target, { VIEWFINDER_SMTP_URL: 'smtp://127.0.0.1:2525' });
    await createLocalAccount(web.db, { username: 'alice', email: 'alice@example.com', password: PASSWORD });
    const signedIn = web.browser();
    await signedIn.signIn('alice', PASSWORD);

    const browser = web.browser();
    const unknown = await browser.submit('/auth/password/new', '/auth/password', { email: 'nobody@example.com' });
    const known = await browser.submit('/auth/password/new', '/auth/password', { email: 'Alice@example.com' });
    t.is(unknown.status, 200);
    t.is(known.text, unknown.text, 'the same answer either way');
    const jobs = await web.db('jobs').where({ type: 'mail.send' });
    t.is(jobs.length, 1);
    const mail = JSON.parse(jobs[0].payload);
    t.is(mail.to, 'alice@example.com');
    const link = new URL(/(http\S+)/.exec(mail.text)![1]!);
    t.is(link.pathname, '/auth/password/edit');
    const token = link.searchParams.get('token')!;

    t.is((await browser.get(`/auth/password/edit?token=${encodeURIComponent(token)}x`)).status, 422);
    const form = `/auth/password/edit?token=${encodeURIComponent(token)}`;
    t.is((await browser.get(form)).status, 200);
    const done = await browser.submit(form, '/auth/password/edit', { token, password: 'a brand new password' });
    t.is(done.status, 200);
    t.is((await signedIn.get('/settings/account')).status, 303, 'signed out everywhere');
    t.is((await web.browser().signIn('alice', 'a brand new password')).status, 303);
    const reused = await browser.submit('/auth/password/new', '/auth/password/edit', { token, password: 'yet another password' });
    t.is(reused.status, 422);
    t.regex(reused.text, /invalid, has expired or was used already/);
    t.is((await browser.get(form)).status, 422, 'the link works once');
  });
}
