// The local media store: sharded keys with a content hash, atomic writes,
// deletes that tolerate absence, private keys for raw uploads, byte ranges,
// and no way out of the media folder.
import test from 'ava';
import { mkdir, readFile } from 'node:fs/promises';
import { buffer, text } from 'node:stream/consumers';
import { tempDir } from '../helpers/databases.ts';
import { createLocalDiskStorage } from '../../media/storage/local-disk.ts';
import { contentTypeFor, isPublicKey, isValidKey, PRIVATE_EXTENSIONS, PUBLIC_EXTENSIONS } from '../../media/storage/storage.ts';

test('put stores bytes under a sharded, hashed key; get and delete find them', async (t) => {
  const storage = createLocalDiskStorage(tempDir(t));
  const a = await storage.put(Buffer.from('same bytes'), 'jpg');
  const b = await storage.put(Buffer.from('same bytes'), 'jpg');
  t.regex(a, /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{32}-[0-9a-f]{8}\.jpg$/);
  t.is(a.slice(0, 38), b.slice(0, 38), 'same content, same hash part');
  t.not(a, b, 'but independent keys');
  t.is(a.slice(0, 2), a.slice(6, 8), 'shard folders come from the hash');
  t.is(await readFile(storage.pathOf(a), 'utf8'), 'same bytes');

  const object = await storage.get(a);
  t.truthy(object);
  t.is(object!.contentType, 'image/jpeg');
  t.is(object!.size, 10);
  t.is(await text(object!.body), 'same bytes');

  await storage.delete(a);
  t.is(await storage.get(a), undefined);
  t.truthy(await storage.get(b), 'deleting one copy leaves the other');
  await t.notThrowsAsync(storage.delete(a));
});

test('keys that are not ours are refused, so no path leaves the media folder', async (t) => {
  const storage = createLocalDiskStorage(tempDir(t));
  t.is(await storage.get('../../etc/passwd'), undefined);
  t.is(await storage.get('ab/cd/../../x.jpg'), undefined);
  t.throws(() => storage.pathOf('../secret.key'));
  await t.throwsAsync(storage.put(Buffer.from('x'), '../x'));
});

test('AVIF is a public media type', async (t) => {
  const storage = createLocalDiskStorage(tempDir(t));
  const key = await storage.put(Buffer.from('avif bytes'), 'avif');
  t.regex(key, /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{32}-[0-9a-f]{8}\.avif$/);
  t.true(isPublicKey(key));
  t.is(contentTypeFor('avif'), 'image/avif');
  const object = await storage.get(key);
  t.is(object!.contentType, 'image/avif');
  t.is(await text(object!.body), 'avif bytes');
});

test('private puts go under uploads/, take the raw upload types, and are not public keys', async (t) => {
  const storage = createLocalDiskStorage(tempDir(t));
  t.deepEqual([...PRIVATE_EXTENSIONS].sort(), ['avif', 'gif', 'heic', 'jpg', 'mov', 'mp4', 'png', 'webm', 'webp']);
  for (const ext of PRIVATE_EXTENSIONS) {
    const key = await storage.put(Buffer.from(`raw ${ext}`), ext, { private: true });
    t.regex(key, new RegExp(`^uploads/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}-[0-9a-f]{8}\\.${ext}$`), ext);
    t.true(isValidKey(key), ext);
    t.false(isPublicKey(key), ext);
    const servedExt = (PUBLIC_EXTENSIONS as readonly string[]).includes(ext);
    t.is(isPublicKey(key.slice('uploads/'.length)), servedExt, `${ext}: the same shape, without the prefix`);
    t.is(await readFile(storage.pathOf(key), 'utf8'), `raw ${ext}`, ext);
  }
  const heic = await storage.put(Buffer.from('heic bytes'), 'heic', { private: true });
  t.is((await storage.get(heic))!.contentType, 'image/heic');
  t.is((await storage.stat(heic))!.size, 10);

  // The same bytes public and private share the hash part but never a key.
  const a = await storage.put(Buffer.from('same bytes'), 'jpg');
  const b = await storage.put(Buffer.from('same bytes'), 'jpg', { private: true });
  t.is(a.slice(0, 38), b.slice(8, 46));

  for (const ext of ['heic', 'mov', 'webm']) {
    await t.throwsAsync(storage.put(Buffer.from('x'), ext), { message: /Bad media file extension/ }, `${ext} is never served`);
  }
  t.deepEqual([...PUBLIC_EXTENSIONS].sort(), ['avif', 'gif', 'jpg', 'mp4', 'png', 'webp']);
  for (const ext of ['exe', 'svg', 'html', 'JPG', '']) {
    await t.throwsAsync(storage.put(Buffer.from('x'), ext, { private: true }), { message: /Bad upload file extension/ }, ext);
  }
});

test('read gives back a whole object, public or private; delete removes both kinds', async (t) => {
  const storage = createLocalDiskStorage(tempDir(t));
  const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
  const served = await storage.put(bytes, 'png');
  const raw = await storage.put(bytes, 'mov', { private: true });
  t.deepEqual(await storage.read(served), bytes);
  t.deepEqual(await storage.read(raw), bytes);

  await storage.delete(raw);
  t.is(await storage.read(raw), undefined);
  t.is(await storage.get(raw), undefined);
  t.is(await storage.stat(raw), undefined);
  await t.notThrowsAsync(storage.delete(raw));
  t.deepEqual(await storage.read(served), bytes, 'the public copy stays');
  await storage.delete(served);
  t.is(await storage.read(served), undefined);

  t.is(await storage.read('../../etc/passwd'), undefined);
  t.is(await storage.read('uploads/../ab/cd/x.jpg'), undefined);
});

test('stat describes an object without its bytes, as get does', async (t) => {
  const storage = createLocalDiskStorage(tempDir(t));
  const key = await storage.put(Buffer.from('0123456789'), 'mp4');
  const info = await storage.stat(key);
  const object = await storage.get(key);
  t.deepEqual(info, { size: 10, etag: `"${key.slice(6, -4)}"`, contentType: 'video/mp4' });
  t.like(object, info!);
  object!.body.destroy();
  t.is(await storage.stat(key.replace('.mp4', '.gif')), undefined);
  t.is(await storage.stat('../../etc/passwd'), undefined);
});

test('get with a range streams only those bytes and still reports the whole size', async (t) => {
  const storage = createLocalDiskStorage(tempDir(t));
  const bytes = Buffer.from(Array.from({ length: 300 }, (_, index) => index % 256));
  const key = await storage.put(bytes, 'mp4');
  const raw = await storage.put(bytes, 'webm', { private: true });
  for (const [start, end] of [[0, 0], [0, 299], [10, 19], [255, 260], [299, 299]] as const) {
    for (const k of [key, raw]) {
      const object = await storage.get(k, { start, end });
      t.is(object!.size, 300);
      t.deepEqual(await buffer(object!.body), bytes.subarray(start, end + 1), `${k} ${start}-${end}`);
    }
  }
  const clamped = await storage.get(key, { start: 290, end: 10_000 });
  t.deepEqual(await buffer(clamped!.body), bytes.subarray(290), 'an end past the object stops at its last byte');

  await t.throwsAsync(storage.get(key, { start: 300, end: 300 }), { instanceOf: RangeError });
  for (const range of [{ start: -1, end: 5 }, { start: 5, end: 4 }, { start: 1.5, end: 4 }]) {
    await t.throwsAsync(storage.get(key, range), { instanceOf: RangeError }, JSON.stringify(range));
  }
  t.is(await storage.get(key.replace('.mp4', '.png'), { start: 0, end: 1 }), undefined, 'a missing key is still undefined');
});

test('a folder where a key would be is not an object', async (t) => {
  const root = tempDir(t);
  const storage = createLocalDiskStorage(root);
  const key = `ab/cd/${'ab'.repeat(16)}-01234567.jpg`;
  await mkdir(storage.pathOf(key), { recursive: true });
  t.is(await storage.get(key), undefined);
  t.is(await storage.stat(key), undefined);
  t.is(await storage.read(key), undefined);
});
