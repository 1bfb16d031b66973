// HEIC (HEVC in HEIF, iPhone photos) through the WebAssembly `heic-decode`:
// sharp's bundled libvips has no HEVC decoder. The size is read from the
// container before any pixel is decoded, so the pixel limit holds here too.
import { createRequire } from 'node:module';
import { AppError, unprocessable } from '../../server/errors.ts';

interface HeicImage {
  width: number;
  height: number;
  decode(): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
}
interface HeicDecode {
  all(options: { buffer: Uint8Array }): Promise<HeicImage[] & { dispose(): void }>;
}

const require = createRequire(import.meta.url);
let decoder: HeicDecode | undefined;

export interface RgbaPixels {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * The ICC profile of a `colr` box (types `prof`, `rICC`) in the container, as
 * iPhones store Display P3; heic-decode returns pixels without it. The first
 * profile is taken: HEIC files from cameras hold one, for the primary image.
 */
export function findIccProfile(input: Buffer): Buffer | undefined {
  for (let at = input.indexOf('colr', 8, 'latin1'); at !== -1; at = input.indexOf('colr', at + 4, 'latin1')) {
    const size = input.readUInt32BE(at - 4);
    const kind = input.toString('latin1', at + 4, at + 8);
    if ((kind === 'prof' || kind === 'rICC') && size > 12 && at - 4 + size <= input.length) return input.subarray(at + 8, at - 4 + size);
  }
  return undefined;
}

/** Decodes the primary image to RGBA (libheif applies the container's rotation and mirror). */
export async function decodeHeic(input: Buffer, maxPixels: number): Promise<RgbaPixels> {
  decoder ??= require('heic-decode') as HeicDecode;
  let images: Awaited<ReturnType<HeicDecode['all']>>;
  try {
    images = await decoder.all({ buffer: input });
  } catch (cause) {
    throw new AppError(422, 'The HEIC image could not be read', { cause });
  }
  try {
    const primary = images[0];
    if (!primary || !primary.width || !primary.height) throw unprocessable('The HEIC file holds no image');
    if (primary.width * primary.height > maxPixels) throw unprocessable(`The image is larger than ${maxPixels} pixels`);
    let decoded: Awaited<ReturnType<HeicImage['decode']>>;
    try {
      decoded = await primary.decode();
    } catch (cause) {
      throw new AppError(422, 'The HEIC image could not be decoded', { cause });
    }
    const data = Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
    return { data, width: decoded.width, height: decoded.height };
  } finally {
    images.dispose();
  }
}
