// A visitor in a real browser, not signed in: opens a profile on the real
// server (web and worker, as `serve` runs them), clicks a photo in the grid,
// lands on the post page and sees the photo, loaded, with its alt text.
import test from 'ava';
import { chromiumAvailable, launchBrowser } from '../helpers/browser.ts';
import { databaseTargets, freePort, tempDir } from '../helpers/databases.ts';
import { solidJpeg, uploadFile } from '../helpers/media-fixtures.ts';
import { loadConfig } from '../../config/load.ts';
import { serve } from '../../server/serve.ts';
import { createUser } from '../api/helpers.ts';
import { waitUntilProcessed } from '../api/media-helpers.ts';
import { send } from '../api/post-helpers.ts';

const [sqlite] = await databaseTargets();

if (chromiumAvailable()) {
  test('sqlite: from a profile grid to the post page in Chromium', async (t) => {
    const database = await sqlite!.create(t);
    const port = String(await freePort());
    const config = loadConfig({
      env: { DATABASE_URL: database.url, VIEWFINDER_DATA_DIR: tempDir(t), VIEWFINDER_PORT: port, VIEWFINDER_PUBLIC_URL: `http://127.0.0.1:${port}`, VIEWFINDER_HOST: '127.0.0.1', VIEWFINDER_LOG_LEVEL: 'error' },
    });
    const running = await serve(config, { role: 'all' });
    t.teardown(() => running.stop());
    const server = { url: running.url!, db: database.db, config };
    const frida = await createUser(server, 'frida');
    const ids: string[] = [];
    for (const [description, caption] of [['A yellow tram on a hill', 'Tram'], ['Two cats asleep on a sofa', 'Cats']] as const) {
      const uploaded = await uploadFile(server.url, frida.token, await solidJpeg(800, 600, description.startsWith('A') ? '#e0b000' : '#806040'), { type: 'image/jpeg', description });
      if (uploaded.status === 202) t.is((await waitUntilProcessed(server, frida.token, uploaded.body.id)).status, 200);
      const posted = await send(server, 'POST', '/api/v1/statuses', frida.token, { status: caption, media_ids: [uploaded.body.id], visibility: 'public' });
      t.is(posted.status, 200);
      ids.push(posted.body.id);
    }

    const browser = await launchBrowser(t);
    const page = await browser.newPage();
    const profile = await page.goto(`${server.url}/@frida`);
    t.is(profile?.status(), 200);
    t.is(await page.title(), 'frida (@frida@127.0.0.1:' + port + ') · Viewfinder');
    const tiles = page.locator('ul.grid a.tile');
    t.is(await tiles.count(), 2);
    // The grid's thumbnails really load (media URL and the page's CSP agree).
    const tram = page.getByRole('link', { name: 'A yellow tram on a hill' });
    await tram.locator('img').evaluate((img: HTMLImageElement) => img.decode());
    t.is(await tram.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth), 320);

    await tram.click();
    await page.waitForURL(`${server.url}/@frida/${ids[0]}`);
    const photo = page.getByRole('img', { name: 'A yellow tram on a hill' });
    await photo.evaluate((img: HTMLImageElement) => img.decode());
    t.is(await photo.evaluate((img: HTMLImageElement) => img.naturalWidth), 800, 'the large rendition, shown at its own size (no upscaling)');
    t.true(await photo.isVisible());
    t.regex((await page.locator('.caption').textContent()) ?? '', /Tram/);
    t.is(await page.locator('meta[property="og:image:alt"]').getAttribute('content'), 'A yellow tram on a hill');

    // The author link leads back to the profile.
    await page.getByRole('link', { name: 'frida' }).first().click();
    await page.waitForURL(`${server.url}/@frida`);
  });
}
