// Image pipeline figures: a 12-megapixel JPEG (4000×3000, gradients plus
// noise so it compresses like a photo) through processImage (all variants and
// the blurhash), against the same outputs from bare sharp in the same run
// (each output decoded from the upload and resized on its own).
//   single   median ms one image at a time, peak RSS
//   parallel images/s with `--inFlight` images in flight
//   bare     the same for bare sharp, and the ratio pipeline / bare
// Options: --runs=10 --inFlight=2 --parallelImages=10
import sharp from 'sharp';
import { encode } from 'blurhash';
import { processImage } from '../media/image/process-image.ts';
import { focusCrop } from '../media/image/variants.ts';

interface Settings {
  runs: number;
  inFlight: number;
  parallelImages: number;
}

function parseArgs(args: string[]): Settings {
  const settings: Settings = { runs: 10, inFlight: 2, parallelImages: 10 };
  for (const arg of args) {
    const match = /^--([a-zA-Z]+)=(\d+)$/.exec(arg);
    if (!match || !(match[1]! in settings) || !(Number(match[2]) > 0)) throw new Error(`unknown option ${arg}`);
    settings[match[1] as keyof Settings] = Number(match[2]);
  }
  return settings;
}

async function photoLikeJpeg(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const noise = (random() >> 3) - 16;
      pixels[i] = Math.min(255, Math.max(0, ((x * 255) / width + noise) | 0));
      pixels[i + 1] = Math.min(255, Math.max(0, ((y * 255) / height + noise) | 0));
      pixels[i + 2] = Math.min(255, Math.max(0, 128 + 100 * Math.sin((x + y) / 150) + noise) | 0);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).blur(0.8).jpeg({ quality: 90 }).toBuffer();
}

const limits = { maxBytes: 64 * 1024 * 1024, maxPixels: 100_000_000 };

/** A straightforward implementation of the same outputs: decode and resize per output. */
async function bareSharp(input: Buffer): Promise<void> {
  const decode = () => sharp(input).autoOrient();
  const { width = 0, height = 0 } = (await sharp(input).metadata()).autoOrient;
  const crop = focusCrop(width, height, { x: 0, y: 0 });
  await Promise.all([
    decode().resize({ width: 4096, height: 4096, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 90, progressive: true }).toBuffer(),
    decode().resize({ width: 1080, withoutEnlargement: true }).jpeg({ quality: 82, progressive: true }).toBuffer(),
    decode().resize({ width: 1080, withoutEnlargement: true }).webp({ quality: 82 }).toBuffer(),
    decode().resize({ width: 640, height: 640, fit: 'inside' }).jpeg({ quality: 82, progressive: true }).toBuffer(),
    decode().resize({ width: 640, height: 640, fit: 'inside' }).webp({ quality: 82 }).toBuffer(),
    decode().extract(crop).resize(320, 320).jpeg({ quality: 82, progressive: true }).toBuffer(),
    decode().extract(crop).resize(320, 320).webp({ quality: 82 }).toBuffer(),
    decode()
      .resize(32, 32, { fit: 'inside' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
      .then(({ data, info }) => encode(new Uint8ClampedArray(data), info.width, info.height, 4, 3)),
  ]);
}

async function timeEach(runs: number, work: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return times;
}

async function throughput(images: number, inFlight: number, work: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < images) await work();
    }),
  );
  return images / ((performance.now() - start) / 1000);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (value: number) => Math.round(value * 10) / 10;

export async function run(args: string[]): Promise<unknown> {
  const settings = parseArgs(args);
  const input = await photoLikeJpeg(4000, 3000);
  const rssBeforeMiB = round(process.memoryUsage.rss() / 2 ** 20);
  const pipeline = () => processImage(input, limits);
  const bare = () => bareSharp(input);
  // warm up both (thread pool, libvips caches), then alternate so drift hits both alike
  await pipeline();
  await bare();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 5);
  const pipelineTimes: number[] = [];
  const bareTimes: number[] = [];
  for (let i = 0; i < settings.runs; i++) {
    pipelineTimes.push(...(await timeEach(1, pipeline)));
    bareTimes.push(...(await timeEach(1, bare)));
  }
  const singlePeakRss = peakRss;
  const pipelinePerSecond = await throughput(settings.parallelImages, settings.inFlight, pipeline);
  const barePerSecond = await throughput(settings.parallelImages, settings.inFlight, bare);
  clearInterval(sampler);
  const result = await pipeline();
  return {
    input: { width: 4000, height: 3000, bytes: input.length, rssBeforeMiB },
    settings: { ...settings, sharpConcurrency: sharp.concurrency(), uvThreadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)' },
    pipeline: {
      medianMs: round(median(pipelineTimes)),
      minMs: round(Math.min(...pipelineTimes)),
      maxMs: round(Math.max(...pipelineTimes)),
      peakRssMiB: round(singlePeakRss / 2 ** 20),
      imagesPerSecond: round(pipelinePerSecond),
    },
    bare: {
      medianMs: round(median(bareTimes)),
      minMs: round(Math.min(...bareTimes)),
      imagesPerSecond: round(barePerSecond),
    },
    // pipeline / bare: below 1 means the pipeline is faster (target ≤ 1.15)
    ratio: {
      medianTime: Math.round((median(pipelineTimes) / median(bareTimes)) * 100) / 100,
      timePerImageInFlight: Math.round((barePerSecond / pipelinePerSecond) * 100) / 100,
    },
    peakRssMiBWithParallelRuns: round(peakRss / 2 ** 20),
    outputs: Object.fromEntries(Object.entries(result.variants).map(([name, v]) => [name, `${v.width}x${v.height} ${v.format} ${v.data.length}B`])),
  };
}
