// The video pipeline against real ffmpeg: inputs are generated here (MP4, MOV,
// WebM, animated GIF, a rotated phone-style clip, a 1440p clip), probed and
// transcoded; bad inputs are refused with 413/422 and leave no files behind.
// Without ffmpeg the tests are skipped with a printed notice, except under
// CI=true, where its absence fails the run (as for Chromium in helpers/browser.ts).
import test from 'ava';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { isAppError } from '../../server/errors.ts';
import { tempDir } from '../helpers/databases.ts';
import { findFfmpeg, requireVideoTools, VIDEO_UNAVAILABLE_MESSAGE, type VideoTools } from '../../media/video/ffmpeg.ts';
import { probeVideo } from '../../media/video/probe.ts';
import { targetSize, transcodeVideo } from '../../media/video/transcode.ts';

const exec = promisify(execFile);
const LIMITS = { maxBytes: 50 * 1024 * 1024, maxSeconds: 60 };

const found = await findFfmpeg();
if (!found) {
  if (process.env.CI === 'true') throw new Error('ffmpeg/ffprobe are missing and CI=true requires them (apt-get install ffmpeg)');
  console.warn('NOTICE: ffmpeg/ffprobe not found on PATH; video pipeline tests are SKIPPED. Install ffmpeg to run them.');
}

test('requireVideoTools without ffmpeg gives the clear 422', (t) => {
  const error = t.throws(() => requireVideoTools(null));
  t.true(isAppError(error));
  t.is((error as { status?: number }).status, 422);
  t.is(error?.message, VIDEO_UNAVAILABLE_MESSAGE);
});

test('targetSize caps the short edge, never upscales, keeps sides even', (t) => {
  t.deepEqual(targetSize(3840, 2160, 1080), { width: 1920, height: 1080 });
  t.deepEqual(targetSize(1080, 1920, 1080), { width: 1080, height: 1920 });
  t.deepEqual(targetSize(640, 360, 1080), { width: 640, height: 360 });
  t.deepEqual(targetSize(165, 95, 1080), { width: 166, height: 96 });
});

if (found) registerFfmpegTests(found);

function registerFfmpegTests(tools: VideoTools): void {
  const dir = mkdtempSync(join(tmpdir(), 'viewfinder-video-'));
  test.after.always(() => rmSync(dir, { recursive: true, force: true }));
  const inputs = makeInputs(tools, dir);
  // Keep the first failure visible instead of an unhandled rejection.
  inputs.catch(() => {});

  test('findFfmpeg takes an explicit binary or folder, and refuses a wrong one', async (t) => {
    t.deepEqual(await findFfmpeg(tools.ffmpeg === 'ffmpeg' ? undefined : tools.ffmpeg), tools);
    const viaWhich = (await exec('sh', ['-c', 'command -v ffmpeg'])).stdout.trim();
    const explicit = await findFfmpeg(viaWhich);
    t.truthy(explicit);
    t.regex(explicit!.ffprobe, /ffprobe$/);
    t.truthy(await findFfmpeg(join(viaWhich, '..')));
    t.is(await findFfmpeg('/nonexistent/ffmpeg'), null);
  });

  test('probe reads an MP4: duration, size, fps, audio, codec', async (t) => {
    const p = await probeVideo((await inputs).mp4, tools, LIMITS);
    t.true(Math.abs(p.duration - 2) < 0.2, `duration ${p.duration}`);
    t.is(p.width, 640);
    t.is(p.height, 360);
    t.true(Math.abs(p.fps - 30) < 0.01);
    t.true(p.hasAudio);
    t.is(p.codec, 'h264');
    t.is(p.container, 'mp4');
    t.is(p.rotation, 0);
  });

  test('probe reads a MOV and applies rotation metadata to the display size', async (t) => {
    const { mov, rotated } = await inputs;
    const m = await probeVideo(mov, tools, LIMITS);
    t.is(m.container, 'mp4');
    t.deepEqual([m.width, m.height], [320, 240]);
    const r = await probeVideo(rotated, tools, LIMITS);
    t.true(r.rotation === 90 || r.rotation === 270, `rotation ${r.rotation}`);
    t.deepEqual([r.width, r.height], [180, 320], 'a landscape-coded clip shown upright is portrait');
  });

  test('transcode gives H.264 High/AAC MP4 with faststart and a poster', async (t) => {
    const out = tempDir(t);
    const result = await transcodeVideo((await inputs).mp4, out, tools);
    const info = await ffprobeJson(tools, result.file);
    const video = info.streams.find((s) => s.codec_type === 'video')!;
    const audio = info.streams.find((s) => s.codec_type === 'audio');
    t.is(video.codec_name, 'h264');
    t.is(video.profile, 'High');
    t.is(video.pix_fmt, 'yuv420p');
    t.is(audio?.codec_name, 'aac');
    t.regex(String(info.format.format_name), /mp4/);
    t.deepEqual([result.width, result.height], [640, 360], 'no upscaling');
    t.true(Math.abs(result.duration - 2) < 0.2);
    await assertFaststart(t, result.file);
    const poster = await sharp(result.poster).metadata();
    t.is(poster.format, 'jpeg');
    t.deepEqual([poster.width, poster.height], [640, 360]);
    t.is((await readdir(out)).length, 2, 'only the MP4 and the poster');
  });

  test('a MOV transcodes too, and the place it was filmed is dropped', async (t) => {
    const { mov } = await inputs;
    const before = await ffprobeJson(tools, mov);
    t.truthy((before.format.tags as Record<string, string> | undefined)?.location, 'the input carries a location');
    const result = await transcodeVideo(mov, tempDir(t), tools);
    t.deepEqual([result.width, result.height], [320, 240]);
    await assertFaststart(t, result.file);
    const after = await ffprobeJson(tools, result.file);
    const tags = { ...(after.format.tags as Record<string, string> | undefined), ...after.streams[0]?.tags };
    t.false(Object.keys(tags).some((key) => /location|xyz/i.test(key)), JSON.stringify(tags));
  });

  test('a WebM (VP8/Opus) transcodes to H.264/AAC', async (t) => {
    const { webm } = await inputs;
    if (!webm) {
      console.warn('NOTICE: this ffmpeg has no libvpx encoder; the WebM variant is SKIPPED.');
      t.pass();
      return;
    }
    const p = await probeVideo(webm, tools, LIMITS);
    t.is(p.container, 'webm');
    t.true(Math.abs(p.duration - 3) < 0.2, `duration ${p.duration}`);
    const result = await transcodeVideo(webm, tempDir(t), tools, { probe: p });
    const info = await ffprobeJson(tools, result.file);
    t.deepEqual(info.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  });

  test('a WebM without a recorded duration (as browsers record them) is measured', async (t) => {
    const { webmNoDuration } = await inputs;
    if (!webmNoDuration) {
      console.warn('NOTICE: this ffmpeg has no libvpx encoder; the duration-less WebM variant is SKIPPED.');
      t.pass();
      return;
    }
    const p = await probeVideo(webmNoDuration, tools, LIMITS);
    t.true(p.duration > 1.8 && p.duration <= 2.1, `duration ${p.duration}`);
    const error = await t.throwsAsync(probeVideo(webmNoDuration, tools, { ...LIMITS, maxSeconds: 1 }));
    t.is(statusOf(error), 422);
  });

  test('a 1440p input comes out 1080 on the short edge', async (t) => {
    const result = await transcodeVideo((await inputs).big, tempDir(t), tools, { threads: 2 });
    t.deepEqual([result.width, result.height], [1920, 1080]);
    const poster = await sharp(result.poster).metadata();
    t.deepEqual([poster.width, poster.height], [1920, 1080]);
  });

  test('a rotated input comes out upright, with no rotation left to apply', async (t) => {
    const result = await transcodeVideo((await inputs).rotated, tempDir(t), tools);
    t.deepEqual([result.width, result.height], [180, 320]);
    const info = await ffprobeJson(tools, result.file);
    const video = info.streams.find((s) => s.codec_type === 'video')!;
    t.deepEqual([video.width, video.height], [180, 320], 'pixels are stored upright');
    const rotation = Number(video.side_data_list?.find((d) => 'rotation' in d)?.rotation ?? video.tags?.rotate ?? 0);
    t.is(rotation % 360, 0);
    const poster = await sharp(result.poster).metadata();
    t.deepEqual([poster.width, poster.height], [180, 320]);
  });

  test('an animated GIF becomes a silent MP4 (gifv) with even dimensions', async (t) => {
    const { gif } = await inputs;
    const p = await probeVideo(gif, tools, LIMITS);
    t.is(p.container, 'gif');
    t.false(p.hasAudio);
    const result = await transcodeVideo(gif, tempDir(t), tools, { gifv: true, probe: p });
    t.deepEqual([result.width, result.height], [166, 96]);
    const info = await ffprobeJson(tools, result.file);
    t.deepEqual(info.streams.map((s) => s.codec_type), ['video']);
    t.is(info.streams[0]!.pix_fmt, 'yuv420p');
    await assertFaststart(t, result.file);
  });

  test('too long is refused with 422 naming the limit', async (t) => {
    const error = await t.throwsAsync(probeVideo((await inputs).mp4, tools, { ...LIMITS, maxSeconds: 1 }));
    t.is(statusOf(error), 422);
    t.regex(error!.message, /too long.*limit is 1 s/);
  });

  test('too big is refused with 413 before ffprobe runs', async (t) => {
    const error = await t.throwsAsync(probeVideo((await inputs).mp4, tools, { ...LIMITS, maxBytes: 1000 }));
    t.is(statusOf(error), 413);
    t.regex(error!.message, /too large/);
  });

  test('an audio-only file is refused: no video stream', async (t) => {
    const error = await t.throwsAsync(probeVideo((await inputs).audioOnly, tools, LIMITS));
    t.is(statusOf(error), 422);
    t.regex(error!.message, /no video stream/);
  });

  test('garbage bytes are refused by probe and by transcode, leaving no files', async (t) => {
    const { garbage } = await inputs;
    const probeError = await t.throwsAsync(probeVideo(garbage, tools, LIMITS));
    t.is(statusOf(probeError), 422);
    t.regex(probeError!.message, /could not be read/);
    const out = tempDir(t);
    const error = await t.throwsAsync(transcodeVideo(garbage, out, tools));
    t.is(statusOf(error), 422);
    t.deepEqual(await readdir(out), []);
  });

  test('an ffmpeg run over its time limit is killed, 422, and its partial output removed', async (t) => {
    const out = tempDir(t);
    const error = await t.throwsAsync(transcodeVideo((await inputs).big, out, tools, { timeoutSeconds: 0.1 }));
    t.is(statusOf(error), 422);
    t.regex(error!.message, /too long to convert/);
    t.deepEqual(await readdir(out), []);
  });
}

interface Inputs {
  mp4: string;
  mov: string;
  webm: string | undefined;
  webmNoDuration: string | undefined;
  gif: string;
  rotated: string;
  big: string;
  audioOnly: string;
  garbage: string;
}

async function makeInputs(tools: VideoTools, dir: string): Promise<Inputs> {
  const ff = (...args: string[]) => exec(tools.ffmpeg, ['-v', 'error', '-y', ...args]);
  const src = (size: string, seconds: number, rate: number) => ['-f', 'lavfi', '-i', `testsrc=duration=${seconds}:size=${size}:rate=${rate}`];
  const sine = (seconds: number) => ['-f', 'lavfi', '-i', `sine=duration=${seconds}`];
  const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  const p = (name: string) => join(dir, name);

  const encoders = (await exec(tools.ffmpeg, ['-hide_banner', '-encoders'])).stdout;
  const hasVpx = /\blibvpx\b/.test(encoders);
  const webmAudio = /\blibopus\b/.test(encoders) ? ['-c:a', 'libopus'] : /\blibvorbis\b/.test(encoders) ? ['-c:a', 'libvorbis'] : ['-an'];

  await Promise.all([
    ff(...src('640x360', 2, 30), ...sine(2), ...x264, '-c:a', 'aac', '-shortest', p('clip.mp4')),
    ff(...src('320x240', 2, 30), ...sine(2), ...x264, '-c:a', 'aac', '-shortest', '-metadata', 'location=+48.8584+002.2945/', p('clip.mov')),
    hasVpx ? ff(...src('320x240', 3, 15), ...sine(3), '-c:v', 'libvpx', '-b:v', '300k', '-deadline', 'realtime', '-cpu-used', '8', ...webmAudio, '-shortest', p('clip.webm')) : undefined,
    // Written to a pipe the WebM muxer cannot go back to record the duration.
    hasVpx ? exec('sh', ['-c', `"$0" -v error -y -f lavfi -i testsrc=duration=2:size=160x120:rate=15 -c:v libvpx -deadline realtime -cpu-used 8 -f webm - > "$1"`, tools.ffmpeg, p('nodur.webm')]) : undefined,
    ff(...src('165x95', 1, 10), p('anim.gif')),
    ff(...src('320x180', 1, 15), ...x264, p('landscape.mp4')),
    ff(...src('2560x1440', 1, 5), ...x264, p('big.mp4')),
    ff(...sine(1), '-c:a', 'aac', p('audio.m4a')),
    writeFile(p('garbage.mp4'), randomBytes(64 * 1024)),
  ]);
  // Phone-style rotation: the pixels stay landscape, a display matrix says "turn 90°".
  // ffmpeg ≤ 6 writes it from the rotate tag on stream copy; ffmpeg ≥ 7 has -display_rotation.
  await ff('-i', p('landscape.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', p('rotated.mov')).catch(() => undefined);
  const probed = await ffprobeJson(tools, p('rotated.mov')).catch(() => undefined);
  const hasRotation = probed?.streams.some((s) => s.side_data_list?.some((d) => 'rotation' in d) || s.tags?.rotate);
  if (!hasRotation) await ff('-display_rotation:v:0', '90', '-i', p('landscape.mp4'), '-c', 'copy', p('rotated.mov'));

  return {
    mp4: p('clip.mp4'),
    mov: p('clip.mov'),
    webm: hasVpx ? p('clip.webm') : undefined,
    webmNoDuration: hasVpx ? p('nodur.webm') : undefined,
    gif: p('anim.gif'),
    rotated: p('rotated.mov'),
    big: p('big.mp4'),
    audioOnly: p('audio.m4a'),
    garbage: p('garbage.mp4'),
  };
}

interface ProbeJson {
  streams: Array<{
    codec_type?: string;
    codec_name?: string;
    profile?: string;
    pix_fmt?: string;
    width?: number;
    height?: number;
    tags?: Record<string, string>;
    side_data_list?: Array<Record<string, unknown>>;
  }>;
  format: Record<string, unknown>;
}

async function ffprobeJson(tools: VideoTools, file: string): Promise<ProbeJson> {
  const { stdout } = await exec(tools.ffprobe, ['-v', 'error', '-of', 'json', '-show_streams', '-show_format', file]);
  return JSON.parse(stdout) as ProbeJson;
}

/** Faststart: the top-level `moov` box comes before `mdat`, within the first bytes of the file. */
async function assertFaststart(t: import('ava').ExecutionContext, file: string): Promise<void> {
  const handle = await open(file, 'r');
  const head = Buffer.alloc(64 * 1024);
  const { bytesRead } = await handle.read(head, 0, head.length, 0);
  await handle.close();
  const order: string[] = [];
  let offset = 0;
  while (offset + 8 <= bytesRead) {
    let size = head.readUInt32BE(offset);
    const type = head.toString('latin1', offset + 4, offset + 8);
    order.push(type);
    if (type === 'mdat' || size === 0) break;
    if (size === 1) {
      if (offset + 16 > bytesRead) break;
      size = Number(head.readBigUInt64BE(offset + 8));
    }
    if (size < 8) break;
    offset += size;
  }
  const moov = order.indexOf('moov');
  const mdat = order.indexOf('mdat');
  t.true(moov >= 0 && (mdat < 0 || moov < mdat), `top-level boxes: ${order.join(', ')}`);
}

function statusOf(error: unknown): number | undefined {
  return isAppError(error) ? error.status : undefined;
}
