// A person in a real browser: signs up is refused without the form's own
// token, signs in through the form, lands signed in, signs out.
import test from 'ava';
import { chromiumAvailable, launchBrowser } from '../helpers/browser.ts';
import { databaseTargets, freePort, tempDir } from '../helpers/databases.ts';
import { loadConfig } from '../../config/load.ts';
import { serve } from '../../server/serve.ts';
import { createLocalAccount } from '../../server/services/accounts/admin-accounts.service.ts';

const [sqlite] = await databaseTargets();

if (chromiumAvailable()) {
  test('sqlite: sign in and out through the web forms in Chromium', async (t) => {
    const database = await sqlite!.create(t);
    const port = String(await freePort());
    const config = loadConfig({
      env: { DATABASE_URL: database.url, VIEWFINDER_DATA_DIR: tempDir(t), VIEWFINDER_PORT: port, VIEWFINDER_PUBLIC_URL: `http://127.0.0.1:${port}`, VIEWFINDER_HOST: '127.0.0.1', VIEWFINDER_LOG_LEVEL: 'error' },
    });
    const server = await serve(config, { role: 'web' });
    t.teardown(() => server.stop());
    await createLocalAccount(database.db, { username: 'carol', email: 'carol@example.com', password: 'a long enough password' });

    const browser = await launchBrowser(t);
    const page = await browser.newPage();
    await page.goto(`${server.url}/auth/sign_in`);
    await page.fill('input[name="login"]', 'carol');
    await page.fill('input[name="password"]', 'not her password');
    await page.click('button[type="submit"]');
    t.regex(await page.content(), /invalid|incorrect|wrong/i, 'a wrong password is refused with a message');

    await page.fill('input[name="login"]', 'carol@example.com');
    await page.fill('input[name="password"]', 'a long enough password');
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/settings\/account/);
    t.regex(await page.content(), /carol/);
    const cookies = await page.context().cookies();
    const session = cookies.find((cookie) => cookie.name === '_viewfinder_session');
    t.truthy(session);
    t.true(session!.httpOnly);
    t.is(session!.sameSite, 'Lax');

    await page.click('form[action="/auth/sign_out"] button');
    await page.waitForURL(/\/auth\/sign_in/);
    t.falsy((await page.context().cookies()).find((cookie) => cookie.name === '_viewfinder_session'));
  });
}
