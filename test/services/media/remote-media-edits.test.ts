// Remote media after the first fetch, on SQLite and Postgres: an edited remote
// post keeps the attachments it still has (same rows, same files), drops the
// others with their files and fetches the new ones; a server that is down is
// asked again later while a 404 is final; what the remote calls a photo is
// what its bytes say it is (a video, an animated GIF) when ffmpeg is here.
import test from 'ava';
import { serializeMediaAttachment } from '../../../server/api/entities/media-attachment.ts';
import { findMediaByPostIds, type Media } from '../../../server/db/media.repo.ts';
import { addRemoteMedia, FETCH_REMOTE_MEDIA_JOB, removeRemoteMedia, replaceRemoteMedia } from '../../../server/services/media/remote-media.service.ts';
import { databaseTargets, tempDir } from '../../helpers/databases.ts';
import { animatedGif, makeVideo, solidJpeg, testVideoTools } from '../../helpers/media-fixtures.ts';
import { attachment, insertRemotePost, remoteFileServer, remoteMediaWorld, type RemoteMediaWorld } from './remote-media-fixtures.ts';

const tools = await testVideoTools('remote video tests');

async function mediaOf(world: RemoteMediaWorld, postId: number): Promise<Media[]> {
  return (await findMediaByPostIds(world.db, [postId])).get(postId) ?? [];
}

const keysOf = (media: Media) => Object.values(media.variants).map((variant) => variant!.key);

for (const target of await databaseTargets()) {
  test(`${target.name}: an edited remote post keeps unchanged attachments, removes dropped ones with their files and fetches new ones, in the new order`, async (t) => {
    const world = await remoteMediaWorld(t, target);
    const remote = await remoteFileServer(t, {
      '/a.jpg': { body: await solidJpeg(300, 200, '#aa0000') },
      '/b.jpg': { body: await solidJpeg(300, 200, '#00aa00') },
      '/c.jpg': { body: await solidJpeg(300, 200, '#0000aa') },
      '/d.jpg': { body: await solidJpeg(200, 300, '#aaaa00') },
    });
    const url = (name: string) => `${remote.base}/${name}.jpg`;
    const postId = await insertRemotePost(world.db, world.author.id);
    const first = await world.db.transaction((trx) =>
      addRemoteMedia(trx, { accountId: world.author.id, postId, attachments: ['a', 'b', 'c'].map((name) => attachment(url(name), { name: `photo ${name}` })) }),
    );
    await world.worker.runUntilIdle();
    const before = await mediaOf(world, postId);
    const [a, b, c] = before;
    t.deepEqual(before.map((m) => m.state), ['ready', 'ready', 'ready']);

    const second = await world.db.transaction((trx) =>
      replaceRemoteMedia(trx, {
        accountId: world.author.id,
        postId,
        attachments: [attachment(url('c'), { name: 'photo c, described better', focus: { x: -0.5, y: 0.5 } }), attachment(url('d')), attachment(url('a'))],
      }),
    );
    t.is(second[0], c!.id, 'c is the same row');
    t.is(second[2], a!.id, 'a is the same row');
    t.false(first.includes(second[1]!), 'd is new');
    await world.worker.runUntilIdle();

    const after = await mediaOf(world, postId);
    t.deepEqual(after.map((m) => m.id), second, 'the new order');
    t.deepEqual(after.map((m) => m.position), [0, 1, 2]);
    t.deepEqual(after.map((m) => m.state), ['ready', 'ready', 'ready']);
    t.like(after[0], { description: 'photo c, described better', focusX: -0.5, focusY: 0.5, variants: c!.variants });
    t.deepEqual(after[2]!.variants, a!.variants);
    t.deepEqual([after[1]!.width, after[1]!.height], [200, 300]);
    t.is(remote.hits.filter((hit) => hit === '/a.jpg' || hit === '/c.jpg').length, 2, 'kept files are not fetched again');

    const files = new Set(await world.files());
    t.true(after.flatMap(keysOf).every((key) => files.has(key)));
    t.true(keysOf(b!).every((key) => !files.has(key)), 'the dropped photo\'s files are gone');
    t.is(files.size, new Set(after.flatMap(keysOf)).size);

    // A remote post deleted: every attachment goes with its files.
    await world.db.transaction((trx) => removeRemoteMedia(trx, postId));
    await world.worker.runUntilIdle();
    t.deepEqual(await mediaOf(world, postId), []);
    t.deepEqual(await world.files(), []);
  });

  test(`${target.name}: a remote server that answers 503 is asked again later; a 404 fails the media at once`, async (t) => {
    const world = await remoteMediaWorld(t, target);
    const photo = await solidJpeg(320, 240);
    const remote = await remoteFileServer(t, { '/busy.jpg': { body: Buffer.from('try later'), status: 503, type: 'text/plain' } });
    const postId = await insertRemotePost(world.db, world.author.id);
    await world.db.transaction((trx) =>
      addRemoteMedia(trx, { accountId: world.author.id, postId, attachments: [attachment(`${remote.base}/busy.jpg`), attachment(`${remote.base}/gone.jpg`)] }),
    );
    await world.worker.runUntilIdle();
    let [busy, gone] = await mediaOf(world, postId);
    t.is(gone!.state, 'failed');
    t.is(gone!.error, 'The remote server answered 404');
    t.not(busy!.state, 'failed');
    const [job] = await world.db('jobs').where({ type: FETCH_REMOTE_MEDIA_JOB });
    t.is(Number(job.attempts), 1);
    t.true(Number(job.run_at) > Date.now() + 10_000, 'retried after a backoff');
    t.is(serializeMediaAttachment({ publicUrl: 'http://local.test' }, busy!).url, `${remote.base}/busy.jpg`, 'shown from the remote meanwhile');

    // The server is back; the retry is due.
    remote.files['/busy.jpg'] = { body: photo };
    await world.db('jobs').where({ id: job.id }).update({ run_at: Date.now() });
    await world.worker.runUntilIdle();
    [busy] = await mediaOf(world, postId);
    t.is(busy!.state, 'ready');
    t.deepEqual([busy!.width, busy!.height], [320, 240]);
    t.deepEqual(remote.hits.filter((hit) => hit === '/busy.jpg').length, 2);
  });

  if (tools) {
    test(`${target.name}: the bytes decide what remote media is: a "photo" that is an MP4 becomes a video, an animated GIF a gifv`, async (t) => {
      const world = await remoteMediaWorld(t, target);
      const remote = await remoteFileServer(t, {
        '/clip': { body: await makeVideo(tools, tempDir(t), { width: 320, height: 240, seconds: 1 }), type: 'video/mp4' },
        '/loop.gif': { body: await animatedGif(), type: 'image/gif' },
      });
      const postId = await insertRemotePost(world.db, world.author.id);
      await world.db.transaction((trx) =>
        addRemoteMedia(trx, {
          accountId: world.author.id,
          postId,
          attachments: [attachment(`${remote.base}/clip`, { kind: 'unknown', mediaType: null }), attachment(`${remote.base}/loop.gif`, { kind: 'image', mediaType: 'image/gif' })],
        }),
      );
      const pending = await mediaOf(world, postId);
      t.is(serializeMediaAttachment({ publicUrl: 'http://local.test' }, pending[0]!).preview_url, null, 'no preview for what may not be a picture');
      await world.worker.runUntilIdle();
      const [video, gifv] = await mediaOf(world, postId);
      t.like(video, { state: 'ready', kind: 'video', mimeType: 'video/mp4', width: 320, height: 240 });
      t.like(gifv, { state: 'ready', kind: 'gifv', mimeType: 'image/gif' });
      for (const m of [video!, gifv!]) {
        t.true(m.variants.original!.key.endsWith('.mp4'));
        t.truthy(m.variants.poster);
        const entity = serializeMediaAttachment({ publicUrl: 'http://local.test' }, m);
        t.is(entity.url, `http://local.test/media/${m.variants.original!.key}`);
        t.is(entity.type, m.kind);
      }
      const files = new Set(await world.files());
      t.is(files.size, new Set([video!, gifv!].flatMap(keysOf)).size, 'no fetched original left behind');
    });
  }
}
