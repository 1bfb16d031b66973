// Keeping camera info is the owner's choice: with it, every output of the image
// pipeline carries make, model, lens and exposure; never the GPS position,
// whatever the upload held; without it, nothing at all.
import test from 'ava';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { cameraInfoFrom } from '../../media/image/camera-info.ts';
import { processImage } from '../../media/image/process-image.ts';

const limits = { maxBytes: 20 * 1024 * 1024, maxPixels: 50_000_000 };

function phonePhoto(): Promise<Buffer> {
  return sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#7090b0' } })
    .withExif({
      IFD0: { Make: 'Apple', Model: 'iPhone 15 Pro', Software: '17.1', Artist: 'Someone' },
      IFD2: { ExposureTime: '1/125', FNumber: '178/100', ISOSpeedRatings: '64', FocalLength: '6765/1000', LensModel: 'iPhone 15 Pro back camera', DateTimeOriginal: '2026:11:30 10:11:12' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' },
    })
    .withMetadata({ orientation: 6 })
    .jpeg()
    .toBuffer();
}

test('camera info, when kept, is in every output; the location and other tags never are', async (t) => {
  const image = await processImage(await phonePhoto(), { ...limits, keepCameraInfo: true });
  t.deepEqual([image.width, image.height], [1200, 1600], 'still turned upright');
  for (const [name, variant] of Object.entries(image.variants)) {
    if (!variant) continue;
    const metadata = await sharp(variant.data).metadata();
    t.truthy(metadata.exif, `${name} has EXIF`);
    t.true(metadata.orientation === undefined || metadata.orientation === 1, `${name} needs no turning`);
    const exif = exifReader(metadata.exif!);
    t.is(exif.Image?.Make, 'Apple', name);
    t.is(exif.Image?.Model, 'iPhone 15 Pro', name);
    t.is(exif.Photo?.LensModel, 'iPhone 15 Pro back camera', name);
    t.is(exif.Photo?.ExposureTime, 1 / 125, name);
    t.is(exif.Photo?.FNumber, 1.78, name);
    t.is(exif.Photo?.ISOSpeedRatings, 64, name);
    t.is(exif.Photo?.FocalLength, 6.765, name);
    t.is((exif.Photo?.DateTimeOriginal as Date | undefined)?.toISOString(), '2026-11-30T10:11:12.000Z', name);
    t.is(exif.GPSInfo, undefined, `${name} has no GPS`);
    t.is(exif.Image?.Artist, undefined, `${name} keeps only camera tags`);
    t.false(variant.data.includes(Buffer.from('GPS')), name);
  }
});

test('without the choice, outputs carry no EXIF at all', async (t) => {
  const image = await processImage(await phonePhoto(), limits);
  for (const variant of Object.values(image.variants)) {
    if (variant) t.is((await sharp(variant.data).metadata()).exif, undefined);
  }
});

test('cameraInfoFrom ignores missing or broken EXIF', (t) => {
  t.is(cameraInfoFrom(undefined), undefined);
  t.is(cameraInfoFrom(Buffer.from('Exif\0\0garbage')), undefined);
});
