// The work of the `media.process` job for one upload: photos through the image
// pipeline, videos and animated GIFs through ffmpeg (with a poster frame that
// goes through the image pipeline for its sizes and blurhash). Every rendered
// file is stored; when anything fails midway, what was stored is removed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../../config/load.ts';
import { processImage, type ImageVariants, type Variant } from '../../../media/image/process-image.ts';
import type { MediaStorage } from '../../../media/storage/storage.ts';
import { requireVideoTools } from '../../../media/video/ffmpeg.ts';
import { transcodeVideo } from '../../../media/video/transcode.ts';
import type { Media, MediaVariants, ProcessedMedia, StoredVariant } from '../../db/media.repo.ts';
import { videoTools } from './video-tools.ts';

type RenderConfig = Pick<Config, 'uploads' | 'media'>;

const EXTENSIONS = { jpeg: 'jpg', webp: 'webp', avif: 'avif' } as const;

export async function renderMedia(media: Media, upload: Buffer, config: RenderConfig, storage: MediaStorage): Promise<ProcessedMedia> {
  const stored: string[] = [];
  const put = async (data: Buffer, ext: string) => {
    const key = await storage.put(data, ext);
    stored.push(key);
    return key;
  };
  try {
    return media.kind === 'image' ? await renderPhoto(media, upload, config, put) : await renderVideo(media, upload, config, put);
  } catch (error) {
    await Promise.allSettled(stored.map((key) => storage.delete(key)));
    throw error;
  }
}

type Put = (data: Buffer, ext: string) => Promise<string>;

async function renderPhoto(media: Media, upload: Buffer, config: RenderConfig, put: Put): Promise<ProcessedMedia> {
  const image = await processImage(upload, {
    maxBytes: config.uploads.maxImageBytes,
    maxPixels: config.uploads.maxImagePixels,
    originalMaxEdge: config.media.originalMaxEdge,
    focus: { x: media.focusX, y: media.focusY },
    avif: config.media.avif,
    keepCameraInfo: media.keepCameraInfo,
  });
  return { variants: await storeImageVariants(image.variants, put), width: image.width, height: image.height, duration: null, blurhash: image.blurhash };
}

async function renderVideo(media: Media, upload: Buffer, config: RenderConfig, put: Put): Promise<ProcessedMedia> {
  const tools = requireVideoTools(await videoTools(config));
  const dir = await mkdtemp(join(tmpdir(), 'viewfinder-video-'));
  try {
    const input = join(dir, 'upload');
    await writeFile(input, upload);
    const video = await transcodeVideo(input, dir, tools, {
      maxShortEdge: config.media.videoMaxShortEdge,
      threads: config.media.ffmpegThreads,
      gifv: media.kind === 'gifv',
    });
    const [mp4, posterJpeg] = await Promise.all([readFile(video.file), readFile(video.poster)]);
    const poster = await processImage(posterJpeg, {
      maxBytes: Infinity,
      maxPixels: config.uploads.maxImagePixels,
      originalMaxEdge: config.media.originalMaxEdge,
      focus: { x: media.focusX, y: media.focusY },
      avif: config.media.avif,
    });
    const stills = await storeImageVariants(poster.variants, put);
    const { original: posterOriginal, ...sizes } = stills;
    const variants: MediaVariants = {
      ...sizes,
      poster: posterOriginal,
      original: { key: await put(mp4, 'mp4'), width: video.width, height: video.height, size: mp4.length, duration: video.duration },
    };
    return { variants, width: video.width, height: video.height, duration: video.duration, blurhash: poster.blurhash };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function storeImageVariants(variants: ImageVariants, put: Put): Promise<MediaVariants> {
  const entries = Object.entries(variants).filter((entry): entry is [string, Variant] => entry[1] !== undefined);
  const stored = await Promise.all(
    entries.map(async ([name, variant]): Promise<[string, StoredVariant]> => [
      name,
      { key: await put(variant.data, EXTENSIONS[variant.format]), width: variant.width, height: variant.height, size: variant.data.length },
    ]),
  );
  return Object.fromEntries(stored) as MediaVariants;
}
