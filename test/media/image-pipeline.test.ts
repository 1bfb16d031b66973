// The image pipeline: upright, metadata-free, sRGB variants of the expected
// sizes with a blurhash that decodes, and clear errors for bad input (413 for
// too many bytes, 422 for corrupt, unsupported or pixel-bomb files, a typed
// error for animated GIFs). Fixtures are generated here with sharp, and real
// HEIC files with ffmpeg + libx265 (test/media/heic-fixture.ts; skipped without).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { decode, isBlurhashValid } from 'blurhash';
import { AnimatedGifError, focusCrop, isHeic, processImage, type Variant } from '../../media/image/process-image.ts';
import { AppError } from '../../server/errors.ts';
import { canEncodeHevc, makeHeic } from './heic-fixture.ts';
import { pngDeclaring, rotatedJpegWithGps } from '../helpers/media-fixtures.ts';

const limits = { maxBytes: 20 * 1024 * 1024, maxPixels: 50_000_000 };

async function pixelAt(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [...data.subarray(i, i + 3)];
}

async function assertClean(t: import('ava').ExecutionContext, variant: Variant) {
  const metadata = await sharp(variant.data).metadata();
  t.is(metadata.format, variant.format === 'jpeg' ? 'jpeg' : variant.format === 'webp' ? 'webp' : 'heif');
  t.is(metadata.width, variant.width);
  t.is(metadata.height, variant.height);
  t.is(metadata.exif, undefined, 'no EXIF (so no GPS)');
  t.is(metadata.xmp, undefined, 'no XMP');
  t.is(metadata.orientation, undefined, 'no orientation left to apply');
  t.false(metadata.hasAlpha);
}

test('a JPEG with EXIF orientation and GPS comes out upright, stripped, at the expected sizes, with a blurhash that decodes', async (t) => {
  const input = await rotatedJpegWithGps();
  const inputMetadata = await sharp(input).metadata();
  t.is(inputMetadata.orientation, 6);
  t.true(inputMetadata.exif!.includes(Buffer.from([0x25, 0x88, 0x04, 0x00])), 'the fixture has a GPS IFD pointer');

  const image = await processImage(input, limits);
  t.is(image.width, 1500);
  t.is(image.height, 2000);
  t.is(image.aspect, 0.75);
  t.deepEqual(image.focus, { x: 0, y: 0 });
  const sizes = Object.fromEntries(Object.entries(image.variants).map(([name, v]) => [name, [v.format, v.width, v.height]]));
  t.deepEqual(sizes, {
    original: ['jpeg', 1500, 2000],
    large: ['jpeg', 1080, 1440],
    small: ['jpeg', 480, 640],
    thumbnail: ['jpeg', 320, 320],
    largeWebp: ['webp', 1080, 1440],
    smallWebp: ['webp', 480, 640],
    thumbnailWebp: ['webp', 320, 320],
  });
  for (const variant of Object.values(image.variants)) await assertClean(t, variant);

  // Stored top-left is displayed top-right after a 90° clockwise turn.
  const [r, g, b] = await pixelAt(image.variants.original.data, 1500 - 20, 20);
  t.true(r! > 200 && g! < 60 && b! < 60, `top-right is red: ${[r, g, b]}`);
  const [r2] = await pixelAt(image.variants.original.data, 20, 20);
  t.true(r2! < 160, 'top-left is grey');

  t.true(isBlurhashValid(image.blurhash).result);
  t.is(decode(image.blurhash, 32, 32).length, 32 * 32 * 4);
});

test('the original is capped on its long edge; small images are not enlarged', async (t) => {
  const input = await rotatedJpegWithGps();
  const capped = await processImage(input, { ...limits, originalMaxEdge: 1000 });
  t.deepEqual([capped.width, capped.height], [750, 1000]);
  t.deepEqual([capped.variants.large.width, capped.variants.large.height], [750, 1000]);

  const tiny = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#336699' } }).png().toBuffer();
  const small = await processImage(tiny, limits);
  t.deepEqual([small.width, small.height], [200, 100]);
  t.deepEqual([small.variants.large.width, small.variants.small.width], [200, 200]);
  t.deepEqual([small.variants.thumbnail.width, small.variants.thumbnail.height], [100, 100]);
});

test('a PNG with alpha is flattened onto white into JPEG and WebP', async (t) => {
  const input = await sharp({ create: { width: 800, height: 600, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
  t.true((await sharp(input).metadata()).hasAlpha);
  const image = await processImage(input, limits);
  for (const variant of Object.values(image.variants)) await assertClean(t, variant);
  t.deepEqual(await pixelAt(image.variants.original.data, 10, 10), [255, 255, 255]);
});

test('WebP and AVIF uploads are accepted; AVIF variants are made when asked', async (t) => {
  const webp = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#446688' } }).webp().toBuffer();
  t.is((await processImage(webp, limits)).variants.large.width, 1080);

  const avif = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#884466' } }).avif({ effort: 0 }).toBuffer();
  const image = await processImage(avif, { ...limits, avif: true });
  t.is(image.width, 1200);
  for (const name of ['largeAvif', 'smallAvif', 'thumbnailAvif'] as const) {
    const variant = image.variants[name];
    t.truthy(variant);
    t.is(variant!.format, 'avif');
    await assertClean(t, variant!);
  }
});

test('a static GIF is an image; an animated GIF throws AnimatedGifError for the video path', async (t) => {
  const frame = (colour: string) => sharp({ create: { width: 64, height: 48, channels: 4, background: colour } }).png().toBuffer();
  const still = await sharp(await frame('#ff0000')).gif().toBuffer();
  const image = await processImage(still, limits);
  t.deepEqual([image.width, image.height], [64, 48]);

  const animated = await sharp([await frame('#ff0000'), await frame('#0000ff')], { join: { animated: true } }).gif().toBuffer();
  t.is((await sharp(animated).metadata()).pages, 2);
  const error = await t.throwsAsync(processImage(animated, limits), { instanceOf: AnimatedGifError });
  t.is(error.status, 422);
});

test('a small file declaring a huge canvas is refused with 422, quickly and without allocating it', async (t) => {
  const bomb = pngDeclaring(100_000, 100_000);
  t.true(bomb.length < 100);
  const rssBefore = process.memoryUsage.rss();
  const start = performance.now();
  const error = await t.throwsAsync(processImage(bomb, limits), { instanceOf: AppError });
  t.is(error.status, 422);
  t.regex(error.message, /larger than 50000000 pixels/);
  t.true(performance.now() - start < 1000, 'rejected from the header');
  t.true(process.memoryUsage.rss() - rssBefore < 100 * 1024 * 1024, 'memory stays bounded');
});

test('a canvas within the byte limit but over the pixel limit is refused even when it would decode', async (t) => {
  const input = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#000' } }).png().toBuffer();
  const error = await t.throwsAsync(processImage(input, { ...limits, maxPixels: 5_000_000 }), { instanceOf: AppError });
  t.is(error.status, 422);
});

test('more bytes than allowed is refused with 413 before decoding', async (t) => {
  const error = await t.throwsAsync(processImage(randomBytes(2048), { ...limits, maxBytes: 1024 }), { instanceOf: AppError });
  t.is(error.status, 413);
});

test('random bytes, a truncated JPEG and an SVG are refused with 422', async (t) => {
  for (const input of [
    randomBytes(4096),
    (await rotatedJpegWithGps()).subarray(0, 2000),
    Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
  ]) {
    const error = await t.throwsAsync(processImage(input, limits), { instanceOf: AppError });
    t.is(error.status, 422);
    t.regex(error.message, /JPEG, PNG, WebP, AVIF, GIF or HEIC|corrupt/);
  }
});

/** An ISO-BMFF `ftyp` box with the given brands, then filler bytes. */
function ftyp(major: string, ...compatible: string[]): Buffer {
  const size = 16 + 4 * compatible.length;
  const box = Buffer.alloc(size);
  box.writeUInt32BE(size, 0);
  box.write('ftyp', 4, 'latin1');
  box.write(major, 8, 'latin1');
  compatible.forEach((brand, i) => box.write(brand, 16 + 4 * i, 'latin1'));
  return Buffer.concat([box, randomBytes(256)]);
}

test('HEIC is detected by its ftyp brands (AVIF is left to sharp); a broken HEIC is a 422', async (t) => {
  t.true(isHeic(ftyp('heic', 'mif1', 'heic')));
  t.true(isHeic(ftyp('mif1', 'mif1', 'heic')));
  t.true(isHeic(ftyp('heix')));
  t.false(isHeic(ftyp('avif', 'mif1', 'avif')));
  t.false(isHeic(ftyp('mif1', 'mif1', 'avif', 'miaf')));
  t.false(isHeic(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).avif().toBuffer()));
  t.false(isHeic(ftyp('isom', 'mp41')));
  t.false(isHeic(randomBytes(64)));

  const error = await t.throwsAsync(processImage(ftyp('heic', 'mif1', 'heic'), limits), { instanceOf: AppError });
  t.is(error.status, 422);
});

test('Display P3 is converted to sRGB through its profile, not washed out by dropping the tag', async (t) => {
  // sRGB (0, 200, 0) stored as Display P3 values with the P3 profile attached.
  const input = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 0, g: 200, b: 0 } } })
    .withIccProfile('p3')
    .png()
    .toBuffer();
  t.truthy((await sharp(input).metadata()).icc);
  const naive = [...(await sharp(input, { ignoreIcc: true }).raw().toBuffer()).subarray(0, 3)];
  t.true(naive[0]! > 60, `P3 values read as sRGB look dull: ${naive}`);

  const image = await processImage(input, limits);
  const [r, g, b] = await pixelAt(image.variants.original.data, 32, 32);
  t.true(r! < 20 && Math.abs(g! - 200) < 8 && b! < 20, `saturated green kept: ${[r, g, b]}`);
  t.is((await sharp(image.variants.original.data).metadata()).icc, undefined, 'no profile needed: the pixels are sRGB');
});

test('the thumbnail is cropped around the focal point', async (t) => {
  const half = (colour: string) => sharp({ create: { width: 1000, height: 1000, channels: 3, background: colour } }).png().toBuffer();
  const input = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#000' } })
    .composite([
      { input: await half('#ff0000'), left: 0, top: 0 },
      { input: await half('#0000ff'), left: 1000, top: 0 },
    ])
    .png()
    .toBuffer();
  const right = await processImage(input, { ...limits, focus: { x: 1, y: 0 } });
  t.deepEqual(right.focus, { x: 1, y: 0 });
  const [r1, , b1] = await pixelAt(right.variants.thumbnail.data, 160, 160);
  t.true(b1! > 200 && r1! < 40, 'focus on the right: blue');
  const left = await processImage(input, { ...limits, focus: { x: -1, y: 0 } });
  const [r2, , b2] = await pixelAt(left.variants.thumbnailWebp.data, 160, 160);
  t.true(r2! > 200 && b2! < 40, 'focus on the left: red');

  t.deepEqual(focusCrop(2000, 1000, { x: 0, y: 0 }), { left: 500, top: 0, width: 1000, height: 1000 });
  t.deepEqual(focusCrop(1000, 2000, { x: 0, y: 1 }), { left: 0, top: 0, width: 1000, height: 1000 });
  t.deepEqual(focusCrop(1000, 2000, { x: 0, y: -1 }), { left: 0, top: 1000, width: 1000, height: 1000 });
  t.deepEqual(focusCrop(1000, 2000, { x: 0, y: 0.5 }), { left: 0, top: 0, width: 1000, height: 1000 });
});

const heicTest = canEncodeHevc() ? test : test.skip;

heicTest('a real HEIC (HEVC) is decoded through heic-decode into the same variants, and its pixel limit holds', async (t) => {
  const heic = makeHeic(128, 96);
  t.true(isHeic(heic));
  const image = await processImage(heic, limits);
  t.deepEqual([image.width, image.height], [128, 96]);
  t.deepEqual([image.variants.thumbnail.width, image.variants.thumbnail.height], [96, 96]);
  for (const variant of Object.values(image.variants)) await assertClean(t, variant);
  t.true(isBlurhashValid(image.blurhash).result);

  // Same picture as ffmpeg renders it: a small mean difference (HEVC and JPEG are lossy).
  const reference = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=128x96', '-frames:v', '1',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']).stdout;
  const ours = await sharp(image.variants.original.data).raw().toBuffer();
  t.is(ours.length, reference.length);
  let difference = 0;
  for (let i = 0; i < ours.length; i++) difference += Math.abs(ours[i]! - reference[i]!);
  t.true(difference / ours.length < 20, `mean difference ${difference / ours.length}`);

  const error = await t.throwsAsync(processImage(heic, { ...limits, maxPixels: 10_000 }), { instanceOf: AppError });
  t.is(error.status, 422);
});

heicTest('a HEIC tagged Display P3 (as iPhones write) is converted from its profile, not read as sRGB', async (t) => {
  const p3 = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).withIccProfile('p3').png().toBuffer();
  const icc = (await sharp(p3).metadata()).icc!;
  // Display P3 (90, 197, 58) is sRGB (0, 200, 2): see the P3 test above.
  const untagged = await processImage(makeHeic(64, 48, { colour: '5AC53A' }), limits);
  const tagged = await processImage(makeHeic(64, 48, { colour: '5AC53A', icc }), limits);
  const [r1, , b1] = await pixelAt(untagged.variants.original.data, 32, 24);
  const [r2, g2, b2] = await pixelAt(tagged.variants.original.data, 32, 24);
  t.true(r1! > 70 && b1! > 40, `untagged values stay as they are: ${[r1, b1]}`);
  t.true(r2! < 25 && Math.abs(g2! - 200) < 10 && b2! < 25, `tagged values are converted from P3: ${[r2, g2, b2]}`);
});
