// What an upload is, read from its header only: HEIC by its ISO-BMFF `ftyp`
// brands (sharp's bundled libvips cannot decode HEVC), everything else by
// sharp's header-only metadata(), which never decodes pixels.
import sharp from 'sharp';
import type { Metadata } from 'sharp';
import { AppError, unprocessable } from '../../server/errors.ts';

/** An animated GIF: the caller routes it to the video path (Mastodon's `gifv`). */
export class AnimatedGifError extends AppError {
  constructor() {
    super(422, 'Animated GIFs are processed as video');
    this.name = 'AnimatedGifError';
  }
}

const HEVC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis']);
const AV1_BRANDS = new Set(['avif', 'avis']);
const SHARP_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'heif']);
export const UNSUPPORTED_MESSAGE = 'The file must be a JPEG, PNG, WebP, AVIF, GIF or HEIC image';

/** True for an HEVC-coded HEIF (iPhone HEIC); AVIF (also HEIF) is left to sharp. */
export function isHeic(input: Buffer): boolean {
  if (input.length < 16 || input.toString('latin1', 4, 8) !== 'ftyp') return false;
  const boxSize = Math.min(input.readUInt32BE(0), input.length);
  const brands = [input.toString('latin1', 8, 12)];
  for (let offset = 16; offset + 4 <= boxSize; offset += 4) brands.push(input.toString('latin1', offset, offset + 4));
  if (brands.some((brand) => AV1_BRANDS.has(brand))) return false;
  return brands.some((brand) => HEVC_BRANDS.has(brand));
}

export interface SharpHeader {
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
}

/** Header-only checks for sharp-decodable input: format, animation, pixel count. */
export async function inspectHeader(input: Buffer, maxPixels: number): Promise<SharpHeader> {
  let metadata: Metadata;
  try {
    // unlimited pixels here on purpose: metadata() reads the header only, and
    // we want a clear "too many pixels" rather than a generic decode error.
    metadata = await sharp(input, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (cause) {
    throw new AppError(422, `${UNSUPPORTED_MESSAGE}; this one could not be read`, { cause });
  }
  if (!SHARP_FORMATS.has(metadata.format)) throw unprocessable(UNSUPPORTED_MESSAGE);
  if (metadata.format === 'heif' && metadata.compression !== 'av1') throw unprocessable(UNSUPPORTED_MESSAGE);
  if (metadata.format === 'gif' && (metadata.pages ?? 1) > 1) throw new AnimatedGifError();
  const { width, height } = metadata.autoOrient ?? metadata;
  if (!width || !height) throw unprocessable(`${UNSUPPORTED_MESSAGE}; this one has no size`);
  if (width * height > maxPixels) throw unprocessable(`The image is larger than ${maxPixels} pixels`);
  return { width, height };
}
