// Media made in the test run (no binary fixtures to keep in step): photos with
// sharp, videos with ffmpeg, and an upload through the real multipart API.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { pngChunk } from '../../media/image/png-icc.ts';
import { findFfmpeg, type VideoTools } from '../../media/video/ffmpeg.ts';

const exec = promisify(execFile);

/** A JPEG stored landscape with a red top-left corner, EXIF orientation 6 (display rotated 90° clockwise), camera and GPS tags. */
export async function rotatedJpegWithGps(width = 2000, height = 1500): Promise<Buffer> {
  const side = Math.round(Math.min(width, height) / 5);
  const corner = await sharp({ create: { width: side, height: side, channels: 3, background: '#ff0000' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#808080' } })
    .composite([{ input: corner, left: 0, top: 0 }])
    .withExif({
      IFD0: { Make: 'Acme', Model: 'Test' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' },
    })
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A plain JPEG of one colour. */
export function solidJpeg(width = 400, height = 300, background = '#3366cc'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } }).jpeg().toBuffer();
}

/** A PNG of a few dozen bytes whose header declares a `width`×`height` canvas. */
export function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), pngChunk('IEND', Buffer.alloc(0))]);
}

let tools: Promise<VideoTools | null> | undefined;

/**
 * ffmpeg for tests that need it. Missing: null with a printed notice (the
 * caller skips those tests), except under CI=true, where it fails the run.
 */
export async function testVideoTools(what: string): Promise<VideoTools | null> {
  tools ??= findFfmpeg();
  const found = await tools;
  if (!found) {
    if (process.env.CI === 'true') throw new Error('ffmpeg/ffprobe are missing and CI=true requires them (apt-get install ffmpeg)');
    console.warn(`NOTICE: ffmpeg/ffprobe not found on PATH; ${what} are SKIPPED. Install ffmpeg to run them.`);
  }
  return found;
}

/** An H.264/AAC MP4 test pattern with a tone, `seconds` long, written in `dir`. */
export async function makeVideo(ffmpeg: VideoTools, dir: string, options: { width: number; height: number; seconds: number; name?: string }): Promise<Buffer> {
  const file = join(dir, options.name ?? `clip-${options.width}x${options.height}-${options.seconds}.mp4`);
  const size = `${options.width}x${options.height}`;
  await exec(ffmpeg.ffmpeg, [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc=duration=${options.seconds}:size=${size}:rate=15`,
    '-f', 'lavfi', '-i', `sine=duration=${options.seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file,
  ]);
  return readFile(file);
}

/** An animated GIF of two frames. */
export async function animatedGif(): Promise<Buffer> {
  const frame = (background: string) => sharp({ create: { width: 64, height: 48, channels: 3, background } }).png().toBuffer();
  return sharp([await frame('#ff0000'), await frame('#0000ff')], { join: { animated: true } }).gif().toBuffer();
}

export interface UploadResult {
  status: number;
  body: any;
}

/** POST /api/v2/media (or v1) as apps do it: multipart with `file`, optional description and focus. */
export async function uploadFile(
  baseUrl: string,
  token: string,
  data: Buffer,
  options: { filename?: string; type?: string; description?: string; focus?: string; version?: 1 | 2 } = {},
): Promise<UploadResult> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type: options.type ?? 'application/octet-stream' }), options.filename ?? 'upload.bin');
  if (options.description !== undefined) form.append('description', options.description);
  if (options.focus !== undefined) form.append('focus', options.focus);
  const response = await fetch(`${baseUrl}/api/v${options.version ?? 2}/media`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
  return { status: response.status, body: await response.json() };
}
