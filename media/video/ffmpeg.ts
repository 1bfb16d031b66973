// Finding ffmpeg and ffprobe. Video (and gifv) needs both; without them the
// server still runs and handles images, and video uploads get a clear 422.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../../server/errors.ts';

export interface VideoTools {
  ffmpeg: string;
  ffprobe: string;
}

export const VIDEO_UNAVAILABLE_MESSAGE = 'Video is not available on this server: ffmpeg is not installed';

/** Thrown (and shown to the client as 422) when a video or animated GIF arrives and no ffmpeg was found. */
export class VideoUnavailableError extends AppError {
  constructor() {
    super(422, VIDEO_UNAVAILABLE_MESSAGE);
    this.name = 'VideoUnavailableError';
  }
}

/** The tools, or a VideoUnavailableError when the server has none. */
export function requireVideoTools(tools: VideoTools | null | undefined): VideoTools {
  if (!tools) throw new VideoUnavailableError();
  return tools;
}

/**
 * Finds working ffmpeg and ffprobe binaries. `path` (from config) may name the
 * ffmpeg binary (ffprobe is then looked for beside it) or the folder holding
 * both; when it is set nothing else is tried, so a wrong setting shows up as
 * null instead of silently using another ffmpeg. Without it, both are looked
 * up on PATH. Each candidate must answer `-version`.
 */
export async function findFfmpeg(path?: string): Promise<VideoTools | null> {
  let candidates: VideoTools;
  if (path) {
    const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
    candidates = isDir
      ? { ffmpeg: join(path, 'ffmpeg'), ffprobe: join(path, 'ffprobe') }
      : { ffmpeg: path, ffprobe: join(dirname(path), basename(path).replace(/ffmpeg/i, 'ffprobe')) };
    if (candidates.ffprobe === candidates.ffmpeg) return null;
  } else {
    candidates = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' };
  }
  const [ffmpegRuns, ffprobeRuns] = await Promise.all([runs(candidates.ffmpeg, ['-version']), runs(candidates.ffprobe, ['-version'])]);
  return ffmpegRuns && ffprobeRuns ? candidates : null;
}

let niceCheck: Promise<boolean> | undefined;

/** Whether `nice` can be spawned here (checked once per process). */
export function niceAvailable(): Promise<boolean> {
  niceCheck ??= process.platform === 'win32' ? Promise.resolve(false) : runs('nice', ['-n', '10', 'true']);
  return niceCheck;
}

function runs(file: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 10_000, windowsHide: true }, (error) => resolve(!error));
  });
}
