// Transcoding an accepted video (or an animated GIF) into the one format every
// client plays: H.264 High / AAC in an MP4 whose index comes first, plus a
// JPEG poster frame. ffmpeg runs niced, with few threads and a time limit.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { AppError } from '../../server/errors.ts';
import { niceAvailable, type VideoTools } from './ffmpeg.ts';
import { probeVideo, type VideoProbe } from './probe.ts';

export interface TranscodeOptions {
  /** Longest allowed short edge in pixels (default 1080); smaller videos are never upscaled. */
  maxShortEdge?: number;
  /** ffmpeg threads (default 1). */
  threads?: number;
  /** Animated GIF → silent looping MP4 (Mastodon's gifv). */
  gifv?: boolean;
  /** The input's probe when the caller already has it (saves a second ffprobe). */
  probe?: VideoProbe;
  /** Kill ffmpeg after this many seconds (default 10 × duration + 60). */
  timeoutSeconds?: number;
}

export interface TranscodedVideo {
  /** Path of the MP4 in the output folder. */
  file: string;
  width: number;
  height: number;
  /** Seconds. */
  duration: number;
  /** Path of the JPEG poster frame in the output folder, same size as the video. */
  poster: string;
}

const NICENESS = 10;
const POSTER_AT_SECONDS = 0.5;

export async function transcodeVideo(input: string, outputDir: string, tools: VideoTools, options: TranscodeOptions = {}): Promise<TranscodedVideo> {
  const probe = options.probe ?? (await probeVideo(input, tools, { maxBytes: Infinity, maxSeconds: Infinity }));
  const { width, height } = targetSize(probe.width, probe.height, options.maxShortEdge ?? 1080);
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const timeoutSeconds = options.timeoutSeconds ?? Math.ceil(10 * probe.duration + 60);
  const base = join(outputDir, randomUUID());
  const file = `${base}.mp4`;
  const poster = `${base}.jpg`;
  const keepAudio = probe.hasAudio && !options.gifv;

  try {
    const video = ffmpeg(input)
      .inputOptions(['-threads', String(threads)])
      .outputOptions([
        '-map', '0:v:0',
        ...(keepAudio ? ['-map', '0:a:0', '-c:a', 'aac', '-b:a', '128k', '-ac', '2'] : ['-an']),
        '-sn', '-dn',
        // No metadata is carried over: an iPhone MOV holds the place it was filmed.
        '-map_metadata', '-1', '-map_chapters', '-1',
        '-vf', `scale=${width}:${height}:flags=bicubic,setsar=1,format=yuv420p`,
        '-c:v', 'libx264', '-profile:v', 'high', '-preset', 'veryfast', '-crf', '23',
        '-pix_fmt', 'yuv420p',
        '-movflags', '+faststart',
        '-threads', String(threads), '-filter_threads', String(threads),
      ])
      .format('mp4')
      .output(file);
    await run(video, tools, timeoutSeconds);

    const out = await probeVideo(file, tools, { maxBytes: Infinity, maxSeconds: Infinity });
    await extractPoster(file, poster, tools, out.duration, threads);
    return { file, width: out.width, height: out.height, duration: out.duration, poster };
  } catch (error) {
    await Promise.all([rm(file, { force: true }), rm(poster, { force: true })]);
    if (error instanceof AppError) throw error;
    if (/timeout/i.test((error as Error).message ?? '')) {
      throw new AppError(422, `The video took too long to convert (over ${timeoutSeconds} s)`, { cause: error });
    }
    throw new AppError(422, 'The video could not be converted: it may be corrupt or use an unsupported codec', { cause: error });
  }
}

/** Scales so the short edge is at most `maxShortEdge` (never up), keeping both sides even as yuv420p needs. */
export function targetSize(width: number, height: number, maxShortEdge: number): { width: number; height: number } {
  const scale = Math.min(1, maxShortEdge / Math.min(width, height));
  const even = (n: number) => Math.max(2, 2 * Math.round((n * scale) / 2));
  return { width: even(width), height: even(height) };
}

async function extractPoster(video: string, poster: string, tools: VideoTools, duration: number, threads: number): Promise<void> {
  const at = duration > POSTER_AT_SECONDS * 2 ? POSTER_AT_SECONDS : 0;
  const frame = (seek: number) =>
    ffmpeg(video)
      .seekInput(seek)
      .outputOptions(['-frames:v', '1', '-an', '-q:v', '3', '-threads', String(threads), '-update', '1'])
      .output(poster);
  await run(frame(at), tools, 60);
  if (at > 0 && !(await nonEmpty(poster))) await run(frame(0), tools, 60);
  if (!(await nonEmpty(poster))) throw new Error('ffmpeg wrote no poster frame');
}

/** Runs one ffmpeg command niced (or reniced right after spawn), rejecting on failure or timeout. */
async function run(command: ffmpeg.FfmpegCommand, tools: VideoTools, timeoutSeconds: number): Promise<void> {
  const viaNice = await niceAvailable();
  command.setFfmpegPath(tools.ffmpeg);
  // fluent-ffmpeg reads these from its options; `timeout` kills the process when it runs over.
  const settings = (command as unknown as { options: { niceness?: number; timeout?: number } }).options;
  settings.timeout = timeoutSeconds;
  if (viaNice) settings.niceness = NICENESS;
  await new Promise<void>((resolve, reject) => {
    command
      .on('start', () => {
        if (viaNice) return;
        const pid = (command as unknown as { ffmpegProc?: { pid?: number } }).ffmpegProc?.pid;
        if (pid === undefined) return;
        try {
          setPriority(pid, NICENESS);
        } catch (error) {
          // Not fatal: the transcode still works, only at normal priority.
          process.emitWarning(`could not lower ffmpeg's priority: ${(error as Error).message}`);
        }
      })
      .on('error', (error: Error) => {
        // On a timeout fluent-ffmpeg sends SIGTERM; make sure a wedged ffmpeg does not outlive us.
        const proc = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
        if (proc && proc.exitCode === null && proc.signalCode === null) {
          setTimeout(() => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
          }, 5000).unref();
        }
        reject(error);
      })
      .on('end', () => resolve())
      .run();
  });
}

async function nonEmpty(path: string): Promise<boolean> {
  return stat(path).then((s) => s.size > 0, () => false);
}
