// GET /media/*: the placeholder images and stored files, cache headers, byte
// ranges for video seeking, raw uploads never served, and a JSON 404 for
// anything that is not a stored key.
import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { databaseTargets, type DatabaseTarget } from '../helpers/databases.ts';
import { loadConfig } from '../../config/load.ts';
import { createHttpApp } from '../../server/http/app.ts';
import { listen } from '../../server/http/listen.ts';
import { createRateLimiter } from '../../server/http/rate-limit.ts';
import { contentRange, parseRange, rangeStillApplies } from '../../media/http/byte-range.ts';
import { createMediaRouter } from '../../media/http/media.routes.ts';
import { createLocalDiskStorage } from '../../media/storage/local-disk.ts';

// Known before any test is declared: ava wants them all declared in one go.
const targets = await databaseTargets();
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** 1000 bytes where each position holds a recognisable value, so a wrong offset shows. */
const VIDEO = Buffer.from(Array.from({ length: 1000 }, (_, index) => (index * 7 + (index >> 8)) % 256));

async function startMediaServer(t: ExecutionContext, target: DatabaseTarget) {
  const { db, dataDir } = await target.create(t, { migrate: false });
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir }, cwd: dataDir, persistSecret: false });
  const storage = createLocalDiskStorage(config.mediaDir);
  const router = createMediaRouter({ config, db, rateLimiter: createRateLimiter(config), mailer: null }, storage);
  const server = await listen(createHttpApp({ config, db, routers: [router] }), { port: 0, host: '127.0.0.1' });
  t.teardown(() => server.close());
  return { storage, url: server.url };
}

async function bytesOf(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}

test('parseRange reads one byte range and clamps it to the object', (t) => {
  const size = 1000;
  for (const [header, start, end] of [
    ['bytes=0-499', 0, 499],
    ['bytes=500-', 500, 999],
    ['bytes=-200', 800, 999],
    ['bytes=-1000', 0, 999],
    ['bytes=-2000', 0, 999],
    ['bytes=900-5000', 900, 999],
    ['bytes=999-999', 999, 999],
    ['Bytes=1-1', 1, 1],
    ['bytes=0-1, ', 0, 1],
    ['bytes=0-99999999999999999999999', 0, 999],
    ['bytes=-99999999999999999999999', 0, 999],
  ] as const) {
    t.deepEqual(parseRange(header, size), { kind: 'partial', start, end }, header);
  }
});

test('parseRange calls a range the object does not reach unsatisfiable', (t) => {
  for (const [header, size] of [
    ['bytes=1000-', 1000],
    ['bytes=1000-1000', 1000],
    ['bytes=5000-6000', 1000],
    ['bytes=-0', 1000],
    ['bytes=99999999999999999999999-', 1000],
    ['bytes=0-0', 0],
    ['bytes=-1', 0],
  ] as const) {
    t.deepEqual(parseRange(header, size), { kind: 'unsatisfiable' }, `${header} of ${size} bytes`);
  }
});

test('parseRange ignores a missing, malformed or multiple range: the whole body', (t) => {
  for (const header of [
    '',
    'bytes=0-1,5-6',
    'bytes=-1,0-0',
    'bytes=5-1',
    'bytes=99999999999999999999999-99999999999999999999998',
    'bytes=',
    'bytes=-',
    'bytes=,',
    'bytes=abc',
    'bytes=1-2-3',
    'bytes=+1-2',
    'bytes=1.5-2',
    'bytes=0x10-',
    'bytes 0-1',
    'bytes = 0-1',
    'items=0-1',
    '0-1',
  ]) {
    t.deepEqual(parseRange(header, 1000), { kind: 'whole' }, JSON.stringify(header));
  }
});

test('rangeStillApplies only for no If-Range or the same strong ETag; contentRange spells both forms', (t) => {
  const etag = '"0123abcd-89ef"';
  t.true(rangeStillApplies('', etag));
  t.true(rangeStillApplies(etag, etag));
  t.false(rangeStillApplies('"something-else"', etag));
  t.false(rangeStillApplies(`W/${etag}`, etag));
  t.false(rangeStillApplies('W/"x"', 'W/"x"'), 'a weak validator never matches');
  t.false(rangeStillApplies('Wed, 21 Oct 2015 07:28:00 GMT', etag), 'we send no Last-Modified, so a date never matches');
  t.is(contentRange(1000, { start: 0, end: 9 }), 'bytes 0-9/1000');
  t.is(contentRange(1000), 'bytes */1000');
});

for (const target of targets) {
  test(`${target.name}: placeholders and stored files are served with long-lived caching; other paths 404`, async (t) => {
    const { storage, url } = await startMediaServer(t, target);

    for (const [name, width, height] of [['avatar', 400, 400], ['header', 1500, 500]] as const) {
      const response = await fetch(`${url}/media/default/${name}.png`);
      t.is(response.status, 200);
      t.is(response.headers.get('access-control-allow-origin'), '*');
      t.like(await sharp(await bytesOf(response)).metadata(), { format: 'png', width, height });
    }

    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).jpeg().toBuffer();
    const key = await storage.put(jpeg, 'jpg');
    const stored = await fetch(`${url}/media/${key}`);
    t.is(stored.status, 200);
    t.is(stored.headers.get('content-type'), 'image/jpeg');
    t.is(stored.headers.get('cache-control'), IMMUTABLE);
    t.is(stored.headers.get('x-content-type-options'), 'nosniff');
    t.is(stored.headers.get('accept-ranges'), 'bytes');
    t.is(stored.headers.get('content-length'), String(jpeg.length));
    t.is(stored.headers.get('content-range'), null);
    t.deepEqual(await bytesOf(stored), jpeg);

    const avif = await storage.put(Buffer.from('not really avif'), 'avif');
    const avifResponse = await fetch(`${url}/media/${avif}`);
    t.is(avifResponse.status, 200);
    t.is(avifResponse.headers.get('content-type'), 'image/avif');
    t.is(await avifResponse.text(), 'not really avif');

    for (const path of ['/media/default/other.png', `/media/${key.replace('.jpg', '.png')}`, '/media/ab/cd/..%2F..%2Fsecret.key']) {
      const response = await fetch(`${url}${path}`);
      t.is(response.status, 404, path);
      t.like(await response.json(), { error: 'Not Found' });
    }
  });

  test(`${target.name}: an ETag revalidates to a 304 without a body, also when a range is asked`, async (t) => {
    const { storage, url } = await startMediaServer(t, target);
    const key = await storage.put(VIDEO, 'mp4');
    const first = await fetch(`${url}/media/${key}`);
    const etag = first.headers.get('etag');
    t.regex(etag ?? '', /^"[0-9a-f]{32}-[0-9a-f]{8}"$/);
    await first.arrayBuffer();

    // fetch adds `Cache-Control: no-cache` to a conditional request unless told
    // otherwise, which (rightly) defeats the 304; a browser revalidating sends this.
    const revalidate = { 'Cache-Control': 'max-age=0', 'If-None-Match': etag! };
    for (const headers of [revalidate, { ...revalidate, Range: 'bytes=0-9' }]) {
      const response = await fetch(`${url}/media/${key}`, { headers });
      t.is(response.status, 304, JSON.stringify(headers));
      t.is(response.headers.get('etag'), etag);
      t.is(response.headers.get('cache-control'), IMMUTABLE);
      t.is(response.headers.get('accept-ranges'), 'bytes');
      t.is(response.headers.get('access-control-allow-origin'), '*');
      t.is((await bytesOf(response)).length, 0);
    }

    const changed = await fetch(`${url}/media/${key}`, { headers: { ...revalidate, 'If-None-Match': '"some-other-version"' } });
    t.is(changed.status, 200);
    t.deepEqual(await bytesOf(changed), VIDEO);
  });

  test(`${target.name}: a single byte range is answered with 206 and exactly those bytes`, async (t) => {
    const { storage, url } = await startMediaServer(t, target);
    const key = await storage.put(VIDEO, 'mp4');
    for (const [range, start, end] of [
      ['bytes=100-199', 100, 199],
      ['bytes=0-0', 0, 0],
      ['bytes=900-', 900, 999],
      ['bytes=-100', 900, 999],
      ['bytes=990-5000', 990, 999],
      ['bytes=-5000', 0, 999],
    ] as const) {
      const response = await fetch(`${url}/media/${key}`, { headers: { Range: range } });
      t.is(response.status, 206, range);
      t.is(response.headers.get('content-range'), `bytes ${start}-${end}/1000`, range);
      t.is(response.headers.get('content-length'), String(end - start + 1), range);
      t.is(response.headers.get('content-type'), 'video/mp4', range);
      t.is(response.headers.get('accept-ranges'), 'bytes', range);
      t.is(response.headers.get('cache-control'), IMMUTABLE, range);
      t.is(response.headers.get('x-content-type-options'), 'nosniff', range);
      t.truthy(response.headers.get('etag'), range);
      t.deepEqual(await bytesOf(response), VIDEO.subarray(start, end + 1), range);
    }
  });

  test(`${target.name}: a range the file does not reach is a 416 naming the size`, async (t) => {
    const { storage, url } = await startMediaServer(t, target);
    const key = await storage.put(VIDEO, 'mp4');
    for (const range of ['bytes=1000-', 'bytes=5000-6000', 'bytes=-0']) {
      const response = await fetch(`${url}/media/${key}`, { headers: { Range: range } });
      t.is(response.status, 416, range);
      t.is(response.headers.get('content-range'), 'bytes */1000', range);
      t.is(response.headers.get('accept-ranges'), 'bytes', range);
      t.deepEqual(await response.json(), { error: 'Range Not Satisfiable' }, range);
    }
  });

  test(`${target.name}: malformed or multiple ranges, and an If-Range that does not match, get the whole body`, async (t) => {
    const { storage, url } = await startMediaServer(t, target);
    const key = await storage.put(VIDEO, 'mp4');
    const etag = (await storage.stat(key))!.etag;
    const wholes: Record<string, string>[] = [
      ...['bytes=0-1,5-6', 'bytes=abc', 'bytes=5-1', 'bytes=-', 'items=0-9', 'bytes 0-9'].map((range) => ({ Range: range })),
      { Range: 'bytes=0-9', 'If-Range': '"some-other-version"' },
      { Range: 'bytes=0-9', 'If-Range': `W/${etag}` },
      { Range: 'bytes=0-9', 'If-Range': 'Wed, 21 Oct 2015 07:28:00 GMT' },
    ];
    for (const headers of wholes) {
      const response = await fetch(`${url}/media/${key}`, { headers });
      t.is(response.status, 200, JSON.stringify(headers));
      t.is(response.headers.get('content-range'), null, JSON.stringify(headers));
      t.is(response.headers.get('content-length'), '1000', JSON.stringify(headers));
      t.deepEqual(await bytesOf(response), VIDEO, JSON.stringify(headers));
    }

    const matching = await fetch(`${url}/media/${key}`, { headers: { Range: 'bytes=10-19', 'If-Range': etag } });
    t.is(matching.status, 206, 'an If-Range naming this file keeps the range');
    t.deepEqual(await bytesOf(matching), VIDEO.subarray(10, 20));
  });

  test(`${target.name}: HEAD gives the headers and the full length, and ignores Range`, async (t) => {
    const { storage, url } = await startMediaServer(t, target);
    const key = await storage.put(VIDEO, 'mp4');
    const cases: Record<string, string>[] = [{}, { Range: 'bytes=0-9' }, { Range: 'bytes=5000-' }];
    for (const headers of cases) {
      const response = await fetch(`${url}/media/${key}`, { method: 'HEAD', headers });
      t.is(response.status, 200, JSON.stringify(headers));
      t.is(response.headers.get('content-length'), '1000');
      t.is(response.headers.get('content-type'), 'video/mp4');
      t.is(response.headers.get('accept-ranges'), 'bytes');
      t.is(response.headers.get('cache-control'), IMMUTABLE);
      t.is(response.headers.get('content-range'), null);
      t.truthy(response.headers.get('etag'));
      t.is((await bytesOf(response)).length, 0);
    }
    const missing = await fetch(`${url}/media/${key.replace('.mp4', '.jpg')}`, { method: 'HEAD' });
    t.is(missing.status, 404);
  });

  test(`${target.name}: a raw upload is never served, however its key is spelled`, async (t) => {
    const { storage, url } = await startMediaServer(t, target);
    const key = await storage.put(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } }).jpeg().toBuffer(), 'jpg', { private: true });
    t.regex(key, /^uploads\//);
    t.true(existsSync(storage.pathOf(key)), 'the file is there to be found');
    const [, a, b, file] = key.split('/');
    for (const path of [
      `/media/${key}`,
      `/media/uploads/${a}/${b}%2F${file}`,
      `/media/uploads%2F${a}/${b}/${file}`,
      `/media/uploads/${a}%2F${b}/${file}`,
      `/media/uploads%2F${a}%2F${b}%2F${file}`,
    ]) {
      for (const init of [{}, { headers: { Range: 'bytes=0-9' } }]) {
        const response = await fetch(`${url}${path}`, init);
        t.is(response.status, 404, `${path} ${JSON.stringify(init)}`);
        t.like(await response.json(), { error: 'Not Found' });
        t.is(response.headers.get('etag'), null);
      }
      const head = await fetch(`${url}${path}`, { method: 'HEAD' });
      t.is(head.status, 404, `HEAD ${path}`);
    }
  });
}
