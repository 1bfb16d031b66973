// Camera info a photographer may choose to keep in their photos: make, model,
// lens, exposure, aperture, ISO, focal length and capture time. Read from the
// upload's EXIF and written back alone, so the location (the GPS IFD) and
// everything else stays stripped whatever the upload carried.
import exifReader from 'exif-reader';
import type { WriteableMetadata } from 'sharp';

export type CameraExif = NonNullable<WriteableMetadata['exif']>;

const IMAGE_TAGS = ['Make', 'Model'] as const;
const TEXT_PHOTO_TAGS = ['LensMake', 'LensModel'] as const;

/** The camera tags of an EXIF block, ready for sharp's withExif(); undefined when there are none (or it is unreadable). */
export function cameraInfoFrom(exif: Buffer | undefined): CameraExif | undefined {
  if (!exif) return undefined;
  let parsed: ReturnType<typeof exifReader>;
  try {
    parsed = exifReader(exif);
  } catch {
    return undefined; // a broken EXIF block only means there is nothing to keep
  }
  const ifd0: Record<string, string> = {};
  const ifd2: Record<string, string> = {};
  for (const tag of IMAGE_TAGS) {
    const value = parsed.Image?.[tag];
    if (typeof value === 'string' && value.trim()) ifd0[tag] = clean(value);
  }
  const photo = parsed.Photo ?? {};
  for (const tag of TEXT_PHOTO_TAGS) {
    const value = photo[tag];
    if (typeof value === 'string' && value.trim()) ifd2[tag] = clean(value);
  }
  const exposure = numberOf(photo.ExposureTime);
  if (exposure) ifd2.ExposureTime = exposure >= 1 ? rational(exposure, 10) : `1/${Math.round(1 / exposure)}`;
  const fNumber = numberOf(photo.FNumber);
  if (fNumber) ifd2.FNumber = rational(fNumber, 100);
  const focal = numberOf(photo.FocalLength);
  if (focal) ifd2.FocalLength = rational(focal, 1000);
  const iso = numberOf(Array.isArray(photo.ISOSpeedRatings) ? photo.ISOSpeedRatings[0] : photo.ISOSpeedRatings);
  if (iso) ifd2.ISOSpeedRatings = String(Math.round(iso));
  const taken = photo.DateTimeOriginal;
  if (taken instanceof Date && !Number.isNaN(taken.getTime())) ifd2.DateTimeOriginal = exifDate(taken);
  if (Object.keys(ifd0).length === 0 && Object.keys(ifd2).length === 0) return undefined;
  return { IFD0: ifd0, IFD2: ifd2 };
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** EXIF rationals are written as "numerator/denominator". */
function rational(value: number, denominator: number): string {
  return `${Math.round(value * denominator)}/${denominator}`;
}

// EXIF times carry no zone; exif-reader reads them as UTC, so they are written back the same way.
function exifDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}:${pad(date.getUTCMonth() + 1)}:${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

function clean(text: string): string {
  return text.replace(/\0/g, '').trim().slice(0, 128);
}
