// Avatars and headers: until the full media pipeline exists, a plain resize.
// Avatar → 400×400 JPEG, header → 1500×500 JPEG (cropped to fill, like
// Mastodon), turned upright from EXIF and stripped of all metadata (sharp
// writes none unless asked), decoding no more than the configured pixels.
import sharp from 'sharp';
import { AppError, unprocessable } from '../../server/errors.ts';

export type ProfileImageKind = 'avatar' | 'header';

export const PROFILE_IMAGE_SIZES: Record<ProfileImageKind, { width: number; height: number }> = {
  avatar: { width: 400, height: 400 },
  header: { width: 1500, height: 500 },
};

// What we accept as input; sharp decodes more (e.g. SVG, PDF), which we refuse.
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'heif', 'avif', 'tiff']);

export interface ProfileImageLimits {
  maxImagePixels: number;
}

export async function processProfileImage(input: Buffer, kind: ProfileImageKind, limits: ProfileImageLimits): Promise<Buffer> {
  const options = { limitInputPixels: limits.maxImagePixels, failOn: 'error' as const };
  let format: string | undefined;
  let pixels = 0;
  try {
    const metadata = await sharp(input, options).metadata();
    format = metadata.format;
    pixels = (metadata.width ?? 0) * (metadata.height ?? 0);
  } catch (cause) {
    throw new AppError(422, `The ${kind} is not an image we can read`, { cause });
  }
  if (!format || !ACCEPTED_FORMATS.has(format)) throw unprocessable(`The ${kind} must be a JPEG, PNG, WebP, GIF, HEIC or AVIF image`);
  if (pixels > limits.maxImagePixels) throw unprocessable(`The ${kind} is larger than ${limits.maxImagePixels} pixels`);
  const { width, height } = PROFILE_IMAGE_SIZES[kind];
  try {
    return await sharp(input, options)
      .rotate() // apply the EXIF orientation before it is dropped
      .resize(width, height, { fit: 'cover', position: 'attention' })
      .flatten({ background: '#ffffff' }) // JPEG has no alpha
      .jpeg({ quality: 85, mozjpeg: true })
      .toBuffer();
  } catch (cause) {
    throw new AppError(422, `The ${kind} could not be processed`, { cause });
  }
}
