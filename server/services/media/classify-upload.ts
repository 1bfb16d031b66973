// What an upload is, decided before anything is stored, so that a refused file
// leaves no row and no file: a video container by its magic bytes (then
// probed with ffprobe against the limits), an animated GIF (a video: gifv),
// or an image whose header passes the size and pixel checks.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../../config/load.ts';
import { AnimatedGifError, inspectHeader, isHeic } from '../../../media/image/detect-format.ts';
import { requireVideoTools } from '../../../media/video/ffmpeg.ts';
import { probeVideo, type VideoProbe } from '../../../media/video/probe.ts';
import type { MediaKind } from '../../db/media.repo.ts';
import { payloadTooLarge } from '../../errors.ts';
import { videoTools } from './video-tools.ts';

export interface ClassifiedUpload {
  kind: Extract<MediaKind, 'image' | 'video' | 'gifv'>;
  /** Extension the raw upload is stored under. */
  ext: string;
  mimeType: string;
  probe?: VideoProbe;
}

const IMAGE_TYPES: Record<string, { ext: string; mimeType: string }> = {
  jpeg: { ext: 'jpg', mimeType: 'image/jpeg' },
  png: { ext: 'png', mimeType: 'image/png' },
  gif: { ext: 'gif', mimeType: 'image/gif' },
  webp: { ext: 'webp', mimeType: 'image/webp' },
  avif: { ext: 'avif', mimeType: 'image/avif' },
  heic: { ext: 'heic', mimeType: 'image/heic' },
};

export async function classifyUpload(input: Buffer, config: Pick<Config, 'uploads' | 'media'>): Promise<ClassifiedUpload> {
  const { uploads } = config;
  if (looksLikeVideo(input)) return classifyVideo(input, 'video', config);
  if (input.length > uploads.maxImageBytes) throw payloadTooLarge(`The image is larger than the limit of ${uploads.maxImageBytes} bytes`);
  if (isHeic(input)) return { kind: 'image', ...IMAGE_TYPES.heic! };
  try {
    await inspectHeader(input, uploads.maxImagePixels);
  } catch (error) {
    if (error instanceof AnimatedGifError) return classifyVideo(input, 'gifv', config);
    throw error;
  }
  return { kind: 'image', ...IMAGE_TYPES[imageFormat(input)]! };
}

async function classifyVideo(input: Buffer, kind: 'video' | 'gifv', config: Pick<Config, 'uploads' | 'media'>): Promise<ClassifiedUpload> {
  const tools = requireVideoTools(await videoTools(config));
  const { maxVideoBytes, maxVideoSeconds } = config.uploads;
  if (input.length > maxVideoBytes) throw payloadTooLarge(`The video is larger than the limit of ${maxVideoBytes} bytes`);
  // ffprobe reads files: the upload goes to a private temp folder for the probe only.
  const dir = await mkdtemp(join(tmpdir(), 'viewfinder-probe-'));
  try {
    const file = join(dir, 'upload');
    await writeFile(file, input);
    const probe = await probeVideo(file, tools, { maxBytes: maxVideoBytes, maxSeconds: maxVideoSeconds });
    if (kind === 'gifv') return { kind, ext: 'gif', mimeType: 'image/gif', probe };
    return probe.container === 'webm' ? { kind, ext: 'webm', mimeType: 'video/webm', probe } : { kind, ext: 'mp4', mimeType: 'video/mp4', probe };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** MP4 or MOV (an ISO-BMFF `ftyp` whose brands are not an image's), or WebM/Matroska (EBML). */
function looksLikeVideo(input: Buffer): boolean {
  if (input.length >= 4 && input.readUInt32BE(0) === 0x1a45dfa3) return true;
  if (input.length < 12 || input.toString('latin1', 4, 8) !== 'ftyp') return false;
  const brand = input.toString('latin1', 8, 12);
  return !['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis'].includes(brand);
}

function imageFormat(input: Buffer): keyof typeof IMAGE_TYPES {
  if (input[0] === 0xff && input[1] === 0xd8) return 'jpeg';
  if (input.toString('latin1', 1, 4) === 'PNG') return 'png';
  if (input.toString('latin1', 0, 3) === 'GIF') return 'gif';
  if (input.toString('latin1', 0, 4) === 'RIFF' && input.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return 'avif'; // the only other format inspectHeader lets through
}
