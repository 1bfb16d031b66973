// The local media store: sharded keys with a content hash, atomic writes,
// deletes that tolerate absence, and no way out of the media folder.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { tempDir } from '../helpers/databases.ts';
import { createLocalDiskStorage } from '../../media/storage/local-disk.ts';

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
