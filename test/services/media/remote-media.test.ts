// A remote post's attachments through our media pipeline, on SQLite and
// Postgres, with a real "remote instance" on 127.0.0.1, real sharp and the
// real job worker: fetched, rendered and served from our copies with the
// remote's blurhash and alt text kept; refused files (too many bytes or
// pixels, a private address) failed with a safe message and no file left; a
// deleted post's media never fetched.
import test from 'ava';
import { isBlurhashValid } from 'blurhash';
import sharp from 'sharp';
import { serializeMediaAttachment } from '../../../server/api/entities/media-attachment.ts';
import { findMediaByPostIds, type Media } from '../../../server/db/media.repo.ts';
import { markPostDeleted } from '../../../server/db/posts.repo.ts';
import { MAX_DESCRIPTION_LENGTH } from '../../../server/services/media/media-details.ts';
import { addRemoteMedia, FETCH_REMOTE_MEDIA_JOB, removeRemoteMedia } from '../../../server/services/media/remote-media.service.ts';
import { databaseTargets } from '../../helpers/databases.ts';
import { pngDeclaring, solidJpeg } from '../../helpers/media-fixtures.ts';
import { attachment, insertRemotePost, remoteFileServer, remoteMediaWorld, startMediaServer, type RemoteMediaWorld } from './remote-media-fixtures.ts';

const REMOTE_BLURHASH = 'LEHV6nWB2yk8pyo0adR*.7kCMdnj';

async function mediaOf(world: RemoteMediaWorld, postId: number): Promise<Media[]> {
  return (await findMediaByPostIds(world.db, [postId])).get(postId) ?? [];
}

/** A JPEG of noise: it does not compress, so its size is about its pixel count. */
async function noisyJpeg(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.from(Array.from({ length: width * height * 3 }, () => Math.floor(Math.random() * 256)));
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
}

for (const target of await databaseTargets()) {
  test(`${target.name}: a remote carousel's three photos are fetched, rendered and served from our copies; alt text, focus and the remote blurhash kept`, async (t) => {
    const world = await remoteMediaWorld(t, target);
    const remote = await remoteFileServer(t, {
      '/files/1.jpg': { body: await solidJpeg(1200, 800, '#cc3333') },
      '/files/2.jpg': { body: await solidJpeg(800, 1000, '#33cc33'), chunked: true },
      '/files/3.jpg': { body: await solidJpeg(640, 640, '#3333cc') },
    });
    const postId = await insertRemotePost(world.db, world.author.id);
    const longAlt = `  ${'a'.repeat(MAX_DESCRIPTION_LENGTH + 50)}  `;
    const ids = await world.db.transaction((trx) =>
      addRemoteMedia(trx, {
        accountId: world.author.id,
        postId,
        attachments: [
          attachment(`${remote.base}/files/1.jpg`, { name: '  Red dunes at dawn ', width: 1200, height: 800, blurhash: REMOTE_BLURHASH, focus: { x: 0.5, y: -0.25 } }),
          attachment(`${remote.base}/files/2.jpg`, { name: longAlt }),
          attachment(`${remote.base}/files/3.jpg`, { blurhash: 'not a blurhash' }),
          attachment('ftp://photos.example/4.jpg'), // nothing could fetch it
        ],
      }),
    );
    t.is(ids.length, 3);

    // Before the worker runs: pending rows in order, one low-priority job each, and entities pointing at the remote.
    const pending = await mediaOf(world, postId);
    t.deepEqual(pending.map((m) => [m.id, m.position, m.state, m.remoteUrl]), ids.map((id, i) => [id, i, 'pending', `${remote.base}/files/${i + 1}.jpg`]));
    const jobs = await world.db('jobs').where({ type: FETCH_REMOTE_MEDIA_JOB }).select('priority', 'payload');
    t.is(jobs.length, 3);
    t.true(jobs.every((job) => Number(job.priority) < 0));
    const waiting = serializeMediaAttachment({ publicUrl: 'http://local.test' }, pending[0]!);
    t.like(waiting, { url: `${remote.base}/files/1.jpg`, preview_url: `${remote.base}/files/1.jpg`, remote_url: `${remote.base}/files/1.jpg`, blurhash: REMOTE_BLURHASH, description: 'Red dunes at dawn' });
    t.like(waiting.meta, { original: { width: 1200, height: 800, aspect: 1.5 } });

    await world.worker.runUntilIdle();
    t.deepEqual(remote.hits.sort(), ['/files/1.jpg', '/files/2.jpg', '/files/3.jpg']);
    const media = await mediaOf(world, postId);
    t.deepEqual(media.map((m) => m.state), ['ready', 'ready', 'ready']);
    t.deepEqual(media.map((m) => [m.width, m.height]), [[1200, 800], [800, 1000], [640, 640]]);
    t.deepEqual(media.map((m) => m.uploadKey), [null, null, null], 'the fetched originals are gone once rendered');
    t.is(media[0]!.blurhash, REMOTE_BLURHASH, 'the remote author\'s blurhash stays');
    for (const m of media.slice(1)) t.true(isBlurhashValid(m.blurhash ?? '').result, 'a missing or broken blurhash is computed');
    t.deepEqual([media[0]!.focusX, media[0]!.focusY], [0.5, -0.25]);
    t.is(media[1]!.description, 'a'.repeat(MAX_DESCRIPTION_LENGTH), 'alt text cut to our limit');
    t.is(media[2]!.description, null);

    // Our copies are served, at the sizes the pipeline makes.
    const base = await startMediaServer(t, world);
    for (const [i, m] of media.entries()) {
      const entity = serializeMediaAttachment({ publicUrl: base }, m);
      t.is(entity.remote_url, `${remote.base}/files/${i + 1}.jpg`);
      t.true(entity.url!.startsWith(`${base}/media/`));
      for (const url of [entity.url!, entity.preview_url!, ...Object.values(entity.variants!).flatMap((formats) => Object.values(formats))]) {
        const response = await fetch(url);
        t.is(response.status, 200, url);
        const image = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
        t.true(image.format === 'jpeg' || image.format === 'webp', url);
      }
      const original = await sharp(Buffer.from(await (await fetch(entity.url!)).arrayBuffer())).metadata();
      t.deepEqual([original.width, original.height], [m.width, m.height]);
    }
    t.is(Number((await world.db('jobs').count({ n: '*' }).first())!.n), 0, 'every job finished');
  });

  test(`${target.name}: a remote photo over the byte limit (declared or streamed) or over the pixel limit is failed, leaving no file`, async (t) => {
    const world = await remoteMediaWorld(t, target, { VIEWFINDER_MAX_IMAGE_BYTES: String(64 * 1024), VIEWFINDER_MAX_IMAGE_PIXELS: String(4_000_000) });
    const big = await noisyJpeg(400, 400);
    t.true(big.length > 64 * 1024, `the fixture is ${big.length} bytes`);
    const remote = await remoteFileServer(t, {
      '/declared.jpg': { body: big },
      '/streamed.jpg': { body: big, chunked: true },
      '/bomb.png': { body: pngDeclaring(5000, 5000), type: 'image/png' },
      '/fine.jpg': { body: await solidJpeg(300, 200) },
    });
    const postId = await insertRemotePost(world.db, world.author.id);
    await world.db.transaction((trx) =>
      addRemoteMedia(trx, {
        accountId: world.author.id,
        postId,
        attachments: ['/declared.jpg', '/streamed.jpg', '/bomb.png', '/fine.jpg'].map((path) => attachment(`${remote.base}${path}`, { blurhash: REMOTE_BLURHASH })),
      }),
    );
    await world.worker.runUntilIdle();
    const media = await mediaOf(world, postId);
    t.deepEqual(media.map((m) => m.state), ['failed', 'failed', 'failed', 'ready']);
    t.is(media[0]!.error, 'The remote file is larger than this server accepts');
    t.is(media[1]!.error, 'The remote file is larger than this server accepts');
    t.regex(media[2]!.error!, /pixels|too large|dimensions/i);
    for (const m of media.slice(0, 3)) {
      t.deepEqual(m.variants, {});
      t.is(m.uploadKey, null);
      // A failed remote file is still shown the way the remote serves it.
      const entity = serializeMediaAttachment({ publicUrl: 'http://local.test' }, m);
      t.is(entity.url, m.remoteUrl);
      t.is(entity.blurhash, REMOTE_BLURHASH);
    }
    const ready = media[3]!;
    const kept = Object.values(ready.variants).map((variant) => variant!.key);
    t.deepEqual((await world.files()).sort(), [...new Set(kept)].sort(), 'only the good photo\'s variants are on disk');
    t.is(Number((await world.db('jobs').count({ n: '*' }).first())!.n), 0, 'refusals are not retried');
  });

  test(`${target.name}: with private addresses refused, a remote file on loopback is never fetched and the media is failed`, async (t) => {
    const world = await remoteMediaWorld(t, target, { VIEWFINDER_ALLOW_PRIVATE_ADDRESSES: 'off' });
    const remote = await remoteFileServer(t, { '/inside.jpg': { body: await solidJpeg() } });
    const postId = await insertRemotePost(world.db, world.author.id);
    await world.db.transaction((trx) => addRemoteMedia(trx, { accountId: world.author.id, postId, attachments: [attachment(`${remote.base}/inside.jpg`)] }));
    await world.worker.runUntilIdle();
    const [media] = await mediaOf(world, postId);
    t.is(media!.state, 'failed');
    t.is(media!.error, 'The remote file is at an address this server does not fetch from');
    t.false(media!.error!.includes('127.0.0.1'), 'the message does not describe our network');
    t.deepEqual(remote.hits, []);
    t.deepEqual(await world.files(), []);
  });

  test(`${target.name}: the media of a remote post deleted before its fetch is skipped`, async (t) => {
    const world = await remoteMediaWorld(t, target);
    const remote = await remoteFileServer(t, { '/a.jpg': { body: await solidJpeg() } });
    const postId = await insertRemotePost(world.db, world.author.id);
    await world.db.transaction((trx) => addRemoteMedia(trx, { accountId: world.author.id, postId, attachments: [attachment(`${remote.base}/a.jpg`)] }));
    await markPostDeleted(world.db, postId);
    await world.worker.runUntilIdle();
    t.deepEqual(remote.hits, [], 'nothing fetched');
    t.deepEqual(await world.files(), []);
    const [media] = await world.db('media').where({ post_id: postId });
    t.is(media.state, 'pending');
    t.is(Number((await world.db('jobs').count({ n: '*' }).first())!.n), 0);
  });

  test(`${target.name}: a remote post deleted while its photo is being fetched leaves no file behind`, async (t) => {
    const world = await remoteMediaWorld(t, target);
    let open!: () => void;
    const remote = await remoteFileServer(t, { '/slow.jpg': { body: await solidJpeg(), gate: new Promise<void>((resolve) => (open = resolve)) } });
    const postId = await insertRemotePost(world.db, world.author.id);
    await world.db.transaction((trx) => addRemoteMedia(trx, { accountId: world.author.id, postId, attachments: [attachment(`${remote.base}/slow.jpg`)] }));
    const running = world.worker.runUntilIdle();
    while (remote.hits.length === 0) await new Promise((resolve) => setTimeout(resolve, 20)); // the fetch is under way
    await world.db.transaction(async (trx) => {
      await removeRemoteMedia(trx, postId);
      await markPostDeleted(trx, postId);
    });
    open();
    await running;
    t.deepEqual(await world.db('media').where({ post_id: postId }), []);
    t.deepEqual(await world.files(), [], 'the fetched file went when its row was found gone');
  });
}
