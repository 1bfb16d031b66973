// The image pipeline (issue 4): check size and header, then decode upright,
// in sRGB from the embedded ICC profile, alpha flattened onto white: once at
// full size straight into the original JPEG, once shrunk on load into the raw
// pixels that every smaller variant and the blurhash are rendered from.
// Outputs carry no metadata at all: sharp writes none unless asked, so EXIF
// (GPS included), XMP and the ICC profile are gone; the pixels are sRGB.
// Only when the owner asks (keepCameraInfo) are the camera tags written back,
// never the location (media/image/camera-info.ts).
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import type { CameraExif } from './camera-info.ts';
import { AppError, payloadTooLarge } from '../../server/errors.ts';
import { inspectHeader, isHeic } from './detect-format.ts';
import { decodeHeic, findIccProfile } from './decode-heic.ts';
import { withPngIccProfile } from './png-icc.ts';
import { cameraInfoFrom } from './camera-info.ts';
import {
  computeBlurhash,
  encodeVariant,
  LARGE_WIDTH,
  resizeRaw,
  SMALL_EDGE,
  THUMBNAIL_SIZE,
  type Focus,
  type RawImage,
  type Variant,
} from './variants.ts';

export { AnimatedGifError, isHeic } from './detect-format.ts';
export { focusCrop } from './variants.ts';
export type { Focus, Variant, VariantFormat } from './variants.ts';

export interface ProcessImageOptions {
  maxBytes: number;
  maxPixels: number;
  /** Long edge of the `original` JPEG (default 4096). */
  originalMaxEdge?: number;
  /** Mastodon's focal point, each axis in -1..1 (default the centre). */
  focus?: Focus;
  /** Also render AVIF for large, small and thumbnail. */
  avif?: boolean;
  /** Keep camera make, model, lens and exposure in every output; never the location. */
  keepCameraInfo?: boolean;
}

export interface ImageVariants {
  original: Variant;
  large: Variant;
  small: Variant;
  thumbnail: Variant;
  largeWebp: Variant;
  smallWebp: Variant;
  thumbnailWebp: Variant;
  largeAvif?: Variant;
  smallAvif?: Variant;
  thumbnailAvif?: Variant;
}

export interface ProcessedImage {
  /** Size of the `original` variant (upright). */
  width: number;
  height: number;
  aspect: number;
  blurhash: string;
  focus: Focus;
  variants: ImageVariants;
}

export const DEFAULT_ORIGINAL_MAX_EDGE = 4096;
const ORIGINAL_QUALITY = 90;
const VARIANT_QUALITY = 82;

export async function processImage(input: Buffer, options: ProcessImageOptions): Promise<ProcessedImage> {
  if (input.length > options.maxBytes) throw payloadTooLarge(`The image is larger than ${options.maxBytes} bytes`);
  const focus = clampFocus(options.focus);
  const { normalized, width: sourceWidth, height: sourceHeight } = await openSource(input, options.maxPixels);
  const camera = options.keepCameraInfo ? cameraInfoFrom(await exifOf(input)) : undefined;
  const edge = options.originalMaxEdge ?? DEFAULT_ORIGINAL_MAX_EDGE;
  const target = scaleToFit(sourceWidth, sourceHeight, Math.min(1, edge / Math.max(sourceWidth, sourceHeight)));
  // Enough pixels for every smaller variant (1080 on the short edge), never more than the original.
  const workingScale = Math.min(1, LARGE_WIDTH / Math.min(target.width, target.height));
  const workingSize = scaleToFit(target.width, target.height, workingScale);
  // Two passes run side by side: the original at full size, streamed by
  // libvips straight into the JPEG encoder (never held as raw pixels), and
  // one shrink-on-load decode that every smaller variant is rendered from.
  const [original, base] = await decoding(() =>
    Promise.all([
      withCamera(normalized().resize({ ...target, fit: 'fill' }), camera)
        .jpeg({ quality: ORIGINAL_QUALITY, progressive: true })
        .toBuffer({ resolveWithObject: true })
        .then(({ data, info }): Variant => ({ data, format: 'jpeg', width: info.width, height: info.height })),
      normalized()
        .resize({ ...workingSize, fit: 'fill' })
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true })
        .then(({ data, info }): RawImage => {
          if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
          return { data, width: info.width, height: info.height, channels: 3 };
        }),
    ]),
  );
  const [large, small, thumbnail, blurhash] = await Promise.all([
    resizeRaw(base, { kind: 'width', width: LARGE_WIDTH }),
    resizeRaw(base, { kind: 'inside', edge: SMALL_EDGE }),
    resizeRaw(base, { kind: 'square', size: THUMBNAIL_SIZE, focus }),
    computeBlurhash(base),
  ]);
  const formats = options.avif ? (['jpeg', 'webp', 'avif'] as const) : (['jpeg', 'webp'] as const);
  const encodeAll = (raw: RawImage) => Promise.all(formats.map((format) => encodeVariant(raw, format, VARIANT_QUALITY, camera)));
  const [largeSet, smallSet, thumbnailSet] = await Promise.all([encodeAll(large), encodeAll(small), encodeAll(thumbnail)]);
  const variants: ImageVariants = {
    original,
    large: largeSet[0]!,
    small: smallSet[0]!,
    thumbnail: thumbnailSet[0]!,
    largeWebp: largeSet[1]!,
    smallWebp: smallSet[1]!,
    thumbnailWebp: thumbnailSet[1]!,
  };
  if (options.avif) {
    variants.largeAvif = largeSet[2];
    variants.smallAvif = smallSet[2];
    variants.thumbnailAvif = thumbnailSet[2];
  }
  const { width, height } = original;
  return { width, height, aspect: width / height, blurhash, focus, variants };
}

function scaleToFit(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function clampFocus(focus: Focus | undefined): Focus {
  const clamp = (value: number) => (Number.isFinite(value) ? Math.min(Math.max(value, -1), 1) : 0);
  return { x: clamp(focus?.x ?? 0), y: clamp(focus?.y ?? 0) };
}

/**
 * Checks the upload and returns a factory of pipelines that decode it upright,
 * flattened onto white and converted to sRGB from its embedded ICC profile
 * (e.g. Display P3), rather than by dropping the tag.
 */
interface Source {
  normalized: () => Sharp;
  /** Upright size. */
  width: number;
  height: number;
}

function withCamera(pipeline: Sharp, camera: CameraExif | undefined): Sharp {
  return camera ? pipeline.withExif(camera) : pipeline;
}

async function openSource(input: Buffer, maxPixels: number): Promise<Source> {
  if (isHeic(input)) {
    // libheif has applied the container's rotation. heic-decode drops the ICC
    // profile: put it back through an uncompressed PNG so that sharp converts
    // from it; without one the pixels are taken as sRGB.
    const rgba = await decodeHeic(input, maxPixels);
    const raw = { width: rgba.width, height: rgba.height, channels: 4 as const };
    const icc = findIccProfile(input);
    const pixels = icc ? withPngIccProfile(await sharp(rgba.data, { raw }).png({ compressionLevel: 0 }).toBuffer(), icc) : undefined;
    const normalized = () =>
      (pixels ? sharp(pixels, { limitInputPixels: maxPixels }) : sharp(rgba.data, { raw })).flatten({ background: '#ffffff' }).toColourspace('srgb');
    return { normalized, width: rgba.width, height: rgba.height };
  }
  const { width, height } = await inspectHeader(input, maxPixels);
  const normalized = () =>
    sharp(input, { limitInputPixels: maxPixels, failOn: 'error' }).autoOrient().flatten({ background: '#ffffff' }).toColourspace('srgb');
  return { normalized, width, height };
}

/** Header only; sharp reads HEIC metadata even where it cannot decode the pixels. */
async function exifOf(input: Buffer): Promise<Buffer | undefined> {
  try {
    return (await sharp(input, { limitInputPixels: false }).metadata()).exif;
  } catch {
    return undefined;
  }
}

async function decoding<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    throw new AppError(422, 'The image is corrupt or could not be decoded', { cause });
  }
}
