// GET /media/*: the placeholder images and stored files, cache headers, and
// a JSON 404 for anything that is not a stored key.
import test from 'ava';
import sharp from 'sharp';
import { databaseTargets } from '../helpers/databases.ts';
import { loadConfig } from '../../config/load.ts';
import { createHttpApp } from '../../server/http/app.ts';
import { listen } from '../../server/http/listen.ts';
import { createRateLimiter } from '../../server/http/rate-limit.ts';
import { createMediaRouter } from '../../media/http/media.routes.ts';
import { createLocalDiskStorage } from '../../media/storage/local-disk.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: placeholders and stored files are served with long-lived caching; other paths 404`, async (t) => {
    const { db, dataDir } = await target.create(t, { migrate: false });
    const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir }, cwd: dataDir, persistSecret: false });
    const storage = createLocalDiskStorage(config.mediaDir);
    const router = createMediaRouter({ config, db, rateLimiter: createRateLimiter(config), mailer: null }, storage);
    const server = await listen(createHttpApp({ config, db, routers: [router] }), { port: 0, host: '127.0.0.1' });
    t.teardown(() => server.close());

    for (const [name, width, height] of [['avatar', 400, 400], ['header', 1500, 500]] as const) {
      const response = await fetch(`${server.url}/media/default/${name}.png`);
      t.is(response.status, 200);
      t.is(response.headers.get('access-control-allow-origin'), '*');
      t.like(await sharp(Buffer.from(await response.arrayBuffer())).metadata(), { format: 'png', width, height });
    }

    const key = await storage.put(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).jpeg().toBuffer(), 'jpg');
    const stored = await fetch(`${server.url}/media/${key}`);
    t.is(stored.status, 200);
    t.is(stored.headers.get('content-type'), 'image/jpeg');
    t.is(stored.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    t.is(stored.headers.get('x-content-type-options'), 'nosniff');
    await stored.arrayBuffer();

    for (const path of ['/media/default/other.png', `/media/${key.replace('.jpg', '.png')}`, '/media/ab/cd/..%2F..%2Fsecret.key']) {
      const response = await fetch(`${server.url}${path}`);
      t.is(response.status, 404, path);
      t.like(await response.json(), { error: 'Not Found' });
    }
  });
}
