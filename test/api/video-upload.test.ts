// Uploading video through the API, as a phone app does: the upload is accepted
// at once (202, `url: null`) and processed by a job runner into an MP4 every
// client plays (H.264 + AAC, index first so playback starts before the whole
// file is in), with a JPEG poster and a blurhash; players seek with HTTP
// Range; an animated GIF becomes a silent `gifv`. Needs ffmpeg: without it
// these tests are skipped with a printed notice (under CI=true they fail).
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { isBlurhashValid } from 'blurhash';
import type { VideoTools } from '../../media/video/ffmpeg.ts';
import { startJobRunner } from '../../server/jobs/job-runner.ts';
import { databaseTargets, tempDir } from '../helpers/databases.ts';
import { animatedGif, makeVideo, testVideoTools, uploadFile } from '../helpers/media-fixtures.ts';
import { createUser, getJson, local, startApiServer, type ApiServer } from './helpers.ts';
import { eventually, mediaFiles, waitUntilProcessed } from './media-helpers.ts';

const exec = promisify(execFile);
const tools = await testVideoTools('video upload tests');

interface Probe {
  streams: { codec_type: string; codec_name: string; width?: number; height?: number; side_data_list?: { rotation?: number | string }[] }[];
  format: { format_name: string; duration: string };
}

/** What ffprobe says about `data` (written to a temp file first: ffprobe reads files). */
async function ffprobe(t: ExecutionContext, ffmpeg: VideoTools, data: Buffer): Promise<Probe> {
  const file = join(tempDir(t), 'download.mp4');
  await writeFile(file, data);
  const { stdout } = await exec(ffmpeg.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file]);
  return JSON.parse(stdout) as Probe;
}

/** A copy of `input` (not re-encoded) marked to be shown turned a quarter, as phones store vertical video. */
async function rotate90(ffmpeg: VideoTools, input: string, output: string): Promise<Buffer> {
  try {
    await exec(ffmpeg.ffmpeg, ['-v', 'error', '-y', '-display_rotation', '90', '-i', input, '-c', 'copy', output]);
  } catch {
    // ffmpeg before 6.1 has no -display_rotation; there the rotate tag sets the display matrix.
    await exec(ffmpeg.ffmpeg, ['-v', 'error', '-y', '-i', input, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', output]);
  }
  return readFile(output);
}

/** The types of an ISO-BMFF file's top-level boxes, in file order. */
function topLevelBoxes(data: Buffer): string[] {
  const types: string[] = [];
  for (let offset = 0; offset + 8 <= data.length; ) {
    const size32 = data.readUInt32BE(offset);
    const size = size32 === 1 ? Number(data.readBigUInt64BE(offset + 8)) : size32 === 0 ? data.length - offset : size32;
    types.push(data.toString('latin1', offset + 4, offset + 8));
    if (size < 8) break;
    offset += size;
  }
  return types;
}

async function download(server: ApiServer, url: string, headers: Record<string, string> = {}): Promise<{ response: Response; bytes: Buffer }> {
  const response = await fetch(local(server, url), { headers });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Uploads `data`, expects Mastodon's 202 for video, and waits for the job runner to finish it. */
async function uploadAndProcess(t: ExecutionContext, server: ApiServer, token: string, data: Buffer, type: string): Promise<any> {
  const upload = await uploadFile(server.url, token, data, { type });
  t.is(upload.status, 202, JSON.stringify(upload.body));
  const done = await waitUntilProcessed(server, token, upload.body.id);
  t.is(done.status, 200, JSON.stringify(done.body));
  return done.body;
}

for (const target of await databaseTargets()) {
  // One at a time: each transcode gets the CPU, so none waits long behind the others.
  const videoTest = tools ? test.serial : test.skip;

  videoTest(`${target.name}: a video is accepted at once, processed by the job runner into a faststart H.264/AAC MP4 with a JPEG poster`, async (t) => {
    const ffmpeg = tools!;
    // No job runner yet: the upload must still be accepted and readable while pending.
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    const clip = await makeVideo(ffmpeg, tempDir(t), { width: 640, height: 360, seconds: 2 });
    const upload = await uploadFile(server.url, alice.token, clip, { type: 'video/mp4', filename: 'clip.mp4', description: 'Test pattern' });
    t.is(upload.status, 202, JSON.stringify(upload.body));
    t.is(upload.body.type, 'video');
    t.is(upload.body.url, null);
    t.is(upload.body.description, 'Test pattern');
    const pending = await getJson(server, `/api/v1/media/${upload.body.id}`, alice.token);
    t.is(pending.status, 206);
    t.is(pending.body.url, null);
    t.is(pending.body.preview_url, null);

    const runner = startJobRunner(server.config, `video-test-${target.name}`);
    t.teardown(() => runner.stop());
    const { status, body: media } = await waitUntilProcessed(server, alice.token, upload.body.id);
    t.is(status, 200, JSON.stringify(media));
    t.is(media.type, 'video');
    t.is(media.description, 'Test pattern');
    t.is(media.meta.original.width, 640);
    t.is(media.meta.original.height, 360);
    t.true(media.meta.original.duration > 1.5 && media.meta.original.duration < 2.5, `duration ${media.meta.original.duration}`);
    t.true(isBlurhashValid(media.blurhash).result, `blurhash ${media.blurhash}`);

    const video = await download(server, media.url);
    t.is(video.response.status, 200);
    t.is(video.response.headers.get('content-type'), 'video/mp4');
    const probe = await ffprobe(t, ffmpeg, video.bytes);
    t.regex(probe.format.format_name, /mp4/);
    t.deepEqual(probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort(), ['audio:aac', 'video:h264']);
    const boxes = topLevelBoxes(video.bytes);
    t.true(boxes.includes('moov') && boxes.includes('mdat'), `boxes ${boxes}`);
    t.true(boxes.indexOf('moov') < boxes.indexOf('mdat'), `faststart: moov before mdat (${boxes})`);

    const poster = await download(server, media.preview_url);
    t.is(poster.response.status, 200);
    const still = await sharp(poster.bytes).metadata();
    t.is(still.format, 'jpeg');
    t.true(still.width! > still.height!, `poster ${still.width}x${still.height} is landscape like the video`);

    // The raw upload goes right after the row is marked ready.
    await eventually(async () => !(await mediaFiles(server)).some((file) => file.startsWith('uploads/')));
  });

  videoTest(`${target.name}: the processed video answers byte ranges, as players seek`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const alice = await createUser(server, 'alice');
    const media = await uploadAndProcess(t, server, alice.token, await makeVideo(tools!, tempDir(t), { width: 320, height: 240, seconds: 2 }), 'video/mp4');
    const whole = await download(server, media.url);
    t.is(whole.response.status, 200);
    t.is(whole.response.headers.get('accept-ranges'), 'bytes');
    const size = whole.bytes.length;
    t.true(size > 1000, `size ${size}`);
    t.is(Number(whole.response.headers.get('content-length')), size);

    const head = await download(server, media.url, { Range: 'bytes=0-99' });
    t.is(head.response.status, 206);
    t.is(head.response.headers.get('content-range'), `bytes 0-99/${size}`);
    t.is(head.response.headers.get('content-type'), 'video/mp4');
    t.deepEqual(head.bytes, whole.bytes.subarray(0, 100));

    const middle = await download(server, media.url, { Range: 'bytes=500-999' });
    t.is(middle.response.status, 206);
    t.is(middle.response.headers.get('content-range'), `bytes 500-999/${size}`);
    t.deepEqual(middle.bytes, whole.bytes.subarray(500, 1000));

    const tail = await download(server, media.url, { Range: 'bytes=-300' });
    t.is(tail.response.status, 206);
    t.is(tail.response.headers.get('content-range'), `bytes ${size - 300}-${size - 1}/${size}`);
    t.deepEqual(tail.bytes, whole.bytes.subarray(size - 300));

    const past = await download(server, media.url, { Range: `bytes=${size}-` });
    t.is(past.response.status, 416);
    t.is(past.response.headers.get('content-range'), `bytes */${size}`);
  });

  videoTest(`${target.name}: an animated GIF becomes a gifv: a silent MP4 with a JPEG poster`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const alice = await createUser(server, 'alice');
    const media = await uploadAndProcess(t, server, alice.token, await animatedGif(), 'image/gif');
    t.is(media.type, 'gifv', 'clients loop a gifv and show no controls');
    t.deepEqual([media.meta.original.width, media.meta.original.height], [64, 48]);
    t.true(isBlurhashValid(media.blurhash).result);
    const video = await download(server, media.url);
    t.is(video.response.status, 200);
    t.is(video.response.headers.get('content-type'), 'video/mp4');
    const probe = await ffprobe(t, tools!, video.bytes);
    t.deepEqual(probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`), ['video:h264'], 'one H.264 stream and no audio');
    const poster = await download(server, media.preview_url);
    t.is((await sharp(poster.bytes).metadata()).format, 'jpeg');
  });

  videoTest(`${target.name}: a vertical video stays vertical, also one stored landscape with a rotation as phones record`, async (t) => {
    const ffmpeg = tools!;
    const server = await startApiServer(t, target, {}, { jobs: true });
    const alice = await createUser(server, 'alice');
    const dir = tempDir(t);
    const upright = await makeVideo(ffmpeg, dir, { width: 360, height: 640, seconds: 1, name: 'upright.mp4' });
    await makeVideo(ffmpeg, dir, { width: 640, height: 360, seconds: 1, name: 'landscape.mp4' });
    const rotated = await rotate90(ffmpeg, join(dir, 'landscape.mp4'), join(dir, 'rotated.mp4'));
    t.truthy((await ffprobe(t, ffmpeg, rotated)).streams.find((s) => s.codec_type === 'video' && s.side_data_list?.some((d) => Math.abs(Number(d.rotation)) === 90)), 'the fixture carries a rotation');

    for (const [name, clip] of [['upright', upright], ['rotated', rotated]] as const) {
      const media = await uploadAndProcess(t, server, alice.token, clip, 'video/mp4');
      t.is(media.type, 'video');
      t.deepEqual([media.meta.original.width, media.meta.original.height], [360, 640], name);
      t.true(media.meta.original.aspect < 1);
      const probe = await ffprobe(t, ffmpeg, (await download(server, media.url)).bytes);
      const stream = probe.streams.find((s) => s.codec_type === 'video')!;
      // Pixels upright, so players that ignore rotation metadata show it right too.
      t.deepEqual([stream.width, stream.height], [360, 640], name);
      t.falsy(stream.side_data_list?.some((d) => Number(d.rotation) % 360 !== 0), `${name}: no rotation left to apply`);
      const poster = await sharp((await download(server, media.preview_url)).bytes).metadata();
      t.true(poster.height! > poster.width!, `${name}: poster ${poster.width}x${poster.height}`);
    }
  });
}
