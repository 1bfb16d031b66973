// Uploads the server refuses: each gets a status and a message an app can
// show, and leaves nothing behind (no media row, no file under the media
// folder). A file that only fails once the job decodes it ends `failed` with
// its upload removed, and the 24-hour orphan cleanup then takes its row, as it
// takes photos uploaded and never posted (files included) but not younger or
// posted ones.
import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { findFfmpeg } from '../../media/video/ffmpeg.ts';
import { cleanupOrphanMedia } from '../../server/services/media/media-cleanup.job.ts';
import { databaseTargets, tempDir } from '../helpers/databases.ts';
import { animatedGif, makeVideo, pngDeclaring, solidJpeg, testVideoTools, uploadFile, type UploadResult } from '../helpers/media-fixtures.ts';
import { createUser, getJson, local, startApiServer, type ApiServer } from './helpers.ts';
import { eventually, mediaFiles, waitUntilProcessed } from './media-helpers.ts';

const HOUR = 3600 * 1000;
const tools = await testVideoTools('video refusal tests');

/** `length` bytes that look random but are the same on every run (sha256 in counter mode). */
function noise(length: number, seed = 'viewfinder'): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++) blocks.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
}

/** A JPEG of noise (which barely compresses), so its size is easy to put over a limit. */
function noiseJpeg(side: number): Promise<Buffer> {
  return sharp(noise(side * side * 3, `jpeg-${side}`), { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

/** A real JPEG cut a few bytes into its image data: the header (size, format) reads fine, the pixels do not. */
async function truncatedJpeg(): Promise<Buffer> {
  const jpeg = await noiseJpeg(256);
  const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  const scanStart = sos + 2 + jpeg.readUInt16BE(sos + 2);
  return jpeg.subarray(0, scanStart + 16);
}

/** What an MP4 from a phone starts with: an ISO-BMFF `ftyp` box, then media data. */
function mp4Header(): Buffer {
  const box = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(8 + body.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, body]);
  };
  return Buffer.concat([box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2avc1mp41', 'latin1')), box('mdat', noise(4096))]);
}

/** The refusal's status and message, and that it left no media row and no file. */
async function assertRefused(t: ExecutionContext, server: ApiServer, upload: UploadResult, status: number, message: RegExp): Promise<void> {
  t.is(upload.status, status, JSON.stringify(upload.body));
  t.is(typeof upload.body.error, 'string');
  t.regex(upload.body.error, message);
  await assertNothingStored(t, server);
}

async function assertNothingStored(t: ExecutionContext, server: ApiServer): Promise<void> {
  t.deepEqual(await server.db('media').select('id', 'state'), [], 'no media row');
  t.deepEqual(await mediaFiles(server), [], 'no file under the media folder');
}

async function mediaRow(server: ApiServer, id: string) {
  return server.db('media').where({ id: Number(id) }).first();
}

for (const target of await databaseTargets()) {
  const videoTest = tools ? test : test.skip;

  // Serial, so no other test of this file allocates while the memory is watched.
  test.serial(`${target.name}: a pixel bomb (tiny PNG declaring 100000x100000) is refused with 422 without decoding it`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const alice = await createUser(server, 'alice');
    const bomb = pngDeclaring(100_000, 100_000);
    t.true(bomb.length < 200);
    // Decoded, it would be 40 GB of RGBA: any attempt shows as a leap in this process's RSS.
    const before = process.memoryUsage.rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
    const upload = await uploadFile(server.url, alice.token, bomb, { type: 'image/png', filename: 'bomb.png' });
    // Whatever the server may have started in the background is given time to show.
    await new Promise((resolve) => setTimeout(resolve, 500));
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());
    await assertRefused(t, server, upload, 422, /larger than 100000000 pixels/);
    t.true(peak - before < 150 * 1024 * 1024, `RSS grew by ${Math.round((peak - before) / 1024 / 1024)} MB`);
  });

  test(`${target.name}: an image over VIEWFINDER_MAX_IMAGE_BYTES is refused with 413, also when it is over every upload limit`, async (t) => {
    const [small, big] = await Promise.all([noiseJpeg(200), noiseJpeg(400)]);
    const videoLimit = Math.floor((small.length + big.length) / 2);
    // small: over the image limit only (refused after reading); big: over the video limit too (refused while reading).
    const server = await startApiServer(t, target, { VIEWFINDER_MAX_IMAGE_BYTES: String(small.length - 1), VIEWFINDER_MAX_VIDEO_BYTES: String(videoLimit) });
    const alice = await createUser(server, 'alice');
    await assertRefused(t, server, await uploadFile(server.url, alice.token, small, { type: 'image/jpeg' }), 413, new RegExp(`limit of ${small.length - 1} bytes`));
    await assertRefused(t, server, await uploadFile(server.url, alice.token, big, { type: 'image/jpeg' }), 413, new RegExp(`limit of ${videoLimit} bytes`));
  });

  test(`${target.name}: a corrupt JPEG, a text file, a PDF and an empty file are refused with 422`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), noise(8192, 'corrupt')]);
    await assertRefused(t, server, await uploadFile(server.url, alice.token, corrupt, { type: 'image/jpeg', filename: 'photo.jpg' }), 422, /could not be read/);
    const text = Buffer.from('Just some notes, not a photo.\n'.repeat(20));
    await assertRefused(t, server, await uploadFile(server.url, alice.token, text, { type: 'text/plain', filename: 'notes.txt' }), 422, /must be a JPEG, PNG/);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1'), noise(2048, 'pdf')]);
    await assertRefused(t, server, await uploadFile(server.url, alice.token, pdf, { type: 'application/pdf', filename: 'scan.pdf' }), 422, /must be a JPEG, PNG/);
    await assertRefused(t, server, await uploadFile(server.url, alice.token, Buffer.alloc(0), { type: 'image/jpeg' }), 422, /can't be blank/);
    // A form without the file at all.
    const form = new FormData();
    form.append('description', 'no file here');
    const response = await fetch(`${server.url}/api/v2/media`, { method: 'POST', headers: { Authorization: `Bearer ${alice.token}` }, body: form });
    await assertRefused(t, server, { status: response.status, body: await response.json() }, 422, /can't be blank/);
  });

  test(`${target.name}: an upload without a token is 401, with a token lacking write:media 403`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const photo = await solidJpeg();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'photo.jpg');
    const anonymous = await fetch(`${server.url}/api/v2/media`, { method: 'POST', body: form });
    await assertRefused(t, server, { status: anonymous.status, body: await anonymous.json() }, 401, /token/);
    await assertRefused(t, server, await uploadFile(server.url, 'not-a-token', photo, { type: 'image/jpeg' }), 401, /token/);
    const reader = await createUser(server, 'reader', ['read']);
    await assertRefused(t, server, await uploadFile(server.url, reader.token, photo, { type: 'image/jpeg' }), 403, /scopes/);
    const poster = await createUser(server, 'poster', ['read', 'write:statuses']);
    await assertRefused(t, server, await uploadFile(server.url, poster.token, photo, { type: 'image/jpeg' }), 403, /scopes/);
  });

  videoTest(`${target.name}: a video longer than VIEWFINDER_MAX_VIDEO_SECONDS is refused with 422 naming the limit`, async (t) => {
    const server = await startApiServer(t, target, { VIEWFINDER_MAX_VIDEO_SECONDS: '2' });
    const alice = await createUser(server, 'alice');
    const clip = await makeVideo(tools!, tempDir(t), { width: 160, height: 120, seconds: 4 });
    await assertRefused(t, server, await uploadFile(server.url, alice.token, clip, { type: 'video/mp4' }), 422, /too long.*limit is 2 s/);
  });

  videoTest(`${target.name}: a corrupt video (an MP4 header, then noise) is refused with 422`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    await assertRefused(t, server, await uploadFile(server.url, alice.token, mp4Header(), { type: 'video/mp4', filename: 'clip.mp4' }), 422, /video file could not be read/);
  });

  videoTest(`${target.name}: a video over VIEWFINDER_MAX_VIDEO_BYTES is refused with 413`, async (t) => {
    const clip = await makeVideo(tools!, tempDir(t), { width: 320, height: 240, seconds: 2 });
    const limit = clip.length - 1;
    const server = await startApiServer(t, target, { VIEWFINDER_MAX_VIDEO_BYTES: String(limit) });
    const alice = await createUser(server, 'alice');
    await assertRefused(t, server, await uploadFile(server.url, alice.token, clip, { type: 'video/mp4' }), 413, new RegExp(`limit of ${limit} bytes`));
  });

  test(`${target.name}: without ffmpeg, videos and animated GIFs get 422 "Video is not available" while photos still work`, async (t) => {
    const server = await startApiServer(t, target, { VIEWFINDER_FFMPEG_PATH: '/nonexistent/ffmpeg' }, { jobs: true });
    const alice = await createUser(server, 'alice');
    // A real MP4 when this machine can make one (the server must not use its ffmpeg), else the start of one.
    const here = await findFfmpeg();
    const video = here ? await makeVideo(here, tempDir(t), { width: 160, height: 120, seconds: 1 }) : mp4Header();
    const unavailable = /^Video is not available on this server/;
    await assertRefused(t, server, await uploadFile(server.url, alice.token, video, { type: 'video/mp4', filename: 'clip.mp4' }), 422, unavailable);
    await assertRefused(t, server, await uploadFile(server.url, alice.token, await animatedGif(), { type: 'image/gif', filename: 'loop.gif' }), 422, unavailable);

    const photo = await uploadFile(server.url, alice.token, await solidJpeg(), { type: 'image/jpeg' });
    t.true(photo.status === 200 || photo.status === 202, `status ${photo.status}: ${JSON.stringify(photo.body)}`);
    const done = photo.status === 200 ? photo : await waitUntilProcessed(server, alice.token, photo.body.id);
    t.is(done.status, 200);
    t.is(done.body.type, 'image');
    t.is((await fetch(local(server, done.body.url))).status, 200);
  });

  test(`${target.name}: a JPEG whose pixels fail to decode ends failed with a message, its upload removed, its row taken by the cleanup`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const alice = await createUser(server, 'alice');
    const broken = await truncatedJpeg();
    t.is((await sharp(broken).metadata()).width, 256, 'the header still reads');
    const upload = await uploadFile(server.url, alice.token, broken, { type: 'image/jpeg' });
    // 422 at once when processed within the upload's wait (the usual case), else on the next GET.
    let answer: UploadResult = upload;
    if (upload.status === 202) answer = await waitUntilProcessed(server, alice.token, upload.body.id);
    t.is(answer.status, 422, JSON.stringify(answer.body));
    t.regex(answer.body.error, /corrupt|could not be decoded/);

    const [row] = await server.db('media').select('*');
    t.truthy(row, 'the failed upload is kept until the cleanup, so the app can read why');
    t.is(row.state, 'failed');
    t.regex(row.error, /corrupt|could not be decoded/);
    t.is(row.upload_key, null);
    const again = await getJson(server, `/api/v1/media/${row.id}`, alice.token);
    t.is(again.status, 422);
    t.is(again.body.error, row.error);
    await eventually(async () => (await mediaFiles(server)).length === 0);

    t.is(await cleanupOrphanMedia(server.db, Date.now() + 25 * HOUR), 1);
    await assertNothingStored(t, server);
    t.is((await getJson(server, `/api/v1/media/${row.id}`, alice.token)).status, 404);
  });

  test(`${target.name}: the orphan cleanup removes a photo never posted within 24 h with its files, and keeps younger and posted ones`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const alice = await createUser(server, 'alice');
    const processed = async (background: string) => {
      const upload = await uploadFile(server.url, alice.token, await solidJpeg(400, 300, background), { type: 'image/jpeg' });
      const done = upload.status === 200 ? upload : await waitUntilProcessed(server, alice.token, upload.body.id);
      t.is(done.status, 200, JSON.stringify(done.body));
      return done.body;
    };
    const orphan = await processed('#cc3333');
    const posted = await processed('#33cc33');
    const post = await fetch(`${server.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'Green', media_ids: [posted.id] }),
    });
    t.is(post.status, 200, await post.clone().text());
    const filesOf = async (id: string) => {
      const row = await mediaRow(server, id);
      return Object.values(JSON.parse(row.variants) as Record<string, { key: string }>).map((variant) => variant.key);
    };
    const orphanFiles = await filesOf(orphan.id);
    const postedFiles = await filesOf(posted.id);
    t.true(orphanFiles.length >= 4, `orphan files ${orphanFiles}`);
    // The raw uploads go right after their rows are marked ready.
    await eventually(async () => (await mediaFiles(server)).length === orphanFiles.length + postedFiles.length);
    t.deepEqual((await mediaFiles(server)).sort(), [...orphanFiles, ...postedFiles].sort());

    // 23 hours on, the upload may still be on its way into a post.
    t.is(await cleanupOrphanMedia(server.db, Date.now() + 23 * HOUR), 0);
    t.truthy(await mediaRow(server, orphan.id));
    t.is((await fetch(local(server, orphan.url))).status, 200);

    t.is(await cleanupOrphanMedia(server.db, Date.now() + 25 * HOUR), 1);
    t.falsy(await mediaRow(server, orphan.id));
    t.is((await getJson(server, `/api/v1/media/${orphan.id}`, alice.token)).status, 404);
    // The files go in a job enqueued with the delete.
    await eventually(async () => (await mediaFiles(server)).every((file) => !orphanFiles.includes(file)));
    t.is((await fetch(local(server, orphan.url))).status, 404);
    t.is((await fetch(local(server, orphan.preview_url))).status, 404);

    t.truthy(await mediaRow(server, posted.id), 'a posted photo is no orphan');
    t.deepEqual((await mediaFiles(server)).sort(), [...postedFiles].sort());
    t.is((await fetch(local(server, posted.url))).status, 200);
  });
}
