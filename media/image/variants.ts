// Renders variants from the decoded, upright, sRGB pixels kept in memory, so
// the upload is decoded once and each variant only resizes and encodes.
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { encode } from 'blurhash';
import type { CameraExif } from './camera-info.ts';

export type VariantFormat = 'jpeg' | 'webp' | 'avif';

export interface Variant {
  data: Buffer;
  format: VariantFormat;
  width: number;
  height: number;
}

/** Decoded pixels: 8-bit sRGB, 3 channels, EXIF orientation already applied. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

/** Mastodon's focal point: x from -1 (left) to 1 (right), y from -1 (bottom) to 1 (top). */
export interface Focus {
  x: number;
  y: number;
}

export const LARGE_WIDTH = 1080;
export const SMALL_EDGE = 640;
export const THUMBNAIL_SIZE = 320;
const BLURHASH_EDGE = 32;

export type Geometry =
  | { kind: 'width'; width: number }
  | { kind: 'inside'; edge: number }
  | { kind: 'square'; size: number; focus: Focus };

function fromRaw(raw: RawImage): Sharp {
  return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
}

/** The square crop window of side min(width, height) centred on the focal point, kept inside the image. */
export function focusCrop(width: number, height: number, focus: Focus): { left: number; top: number; width: number; height: number } {
  const side = Math.min(width, height);
  const centreX = ((focus.x + 1) / 2) * width;
  const centreY = ((1 - focus.y) / 2) * height;
  const clamp = (value: number, max: number) => Math.min(Math.max(Math.round(value), 0), max);
  return { left: clamp(centreX - side / 2, width - side), top: clamp(centreY - side / 2, height - side), width: side, height: side };
}

/** Resizes the raw pixels to the geometry, still raw: shared by the JPEG, WebP and AVIF encodes. */
export async function resizeRaw(raw: RawImage, geometry: Geometry): Promise<RawImage> {
  let pipeline = fromRaw(raw);
  if (geometry.kind === 'width') {
    pipeline = pipeline.resize({ width: geometry.width, withoutEnlargement: true });
  } else if (geometry.kind === 'inside') {
    pipeline = pipeline.resize({ width: geometry.edge, height: geometry.edge, fit: 'inside', withoutEnlargement: true });
  } else {
    const crop = focusCrop(raw.width, raw.height, geometry.focus);
    pipeline = pipeline.extract(crop).resize({ width: geometry.size, height: geometry.size, withoutEnlargement: true });
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

export async function encodeVariant(raw: RawImage, format: VariantFormat, quality: number, exif?: CameraExif): Promise<Variant> {
  let pipeline = fromRaw(raw);
  if (exif) pipeline = pipeline.withExif(exif);
  if (format === 'jpeg') pipeline = pipeline.jpeg({ quality, progressive: true });
  else if (format === 'webp') pipeline = pipeline.webp({ quality });
  else pipeline = pipeline.avif({ quality, effort: 2 });
  const data = await pipeline.toBuffer();
  return { data, format, width: raw.width, height: raw.height };
}

/** Blurhash of a tiny render, with more components along the longer edge. */
export async function computeBlurhash(raw: RawImage): Promise<string> {
  const { data, info } = await fromRaw(raw)
    .resize({ width: BLURHASH_EDGE, height: BLURHASH_EDGE, fit: 'inside' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const [componentsX, componentsY] = info.width >= info.height ? [4, 3] : [3, 4];
  return encode(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, componentsX, componentsY);
}
