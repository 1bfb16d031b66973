// Probing an upload with ffprobe before any transcoding: what it is, how big
// and how long, and whether we accept it at all.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import ffmpeg from 'fluent-ffmpeg';
import { AppError, payloadTooLarge, unprocessable } from '../../server/errors.ts';
import type { VideoTools } from './ffmpeg.ts';

export interface VideoProbe {
  /** Seconds. */
  duration: number;
  /** Display width: after the rotation and the sample aspect ratio are applied. */
  width: number;
  /** Display height: after the rotation and the sample aspect ratio are applied. */
  height: number;
  fps: number;
  hasAudio: boolean;
  /** Video codec name as ffprobe spells it (h264, hevc, vp9, gif, …). */
  codec: string;
  /** Display rotation in quarter turns as degrees (0, 90, 180, 270), from the display matrix or the rotate tag; 90 and 270 swap width and height. ffmpeg applies it when transcoding. */
  rotation: number;
  /** Container family: 'mp4' (MP4/MOV), 'webm' (WebM/Matroska) or 'gif'. */
  container: 'mp4' | 'webm' | 'gif';
}

export interface ProbeLimits {
  maxBytes: number;
  maxSeconds: number;
}

const CORRUPT_MESSAGE = 'The video file could not be read: it is corrupt or not a supported video format (MP4, MOV, WebM, GIF)';

/**
 * Probes `file` and refuses what we will not transcode: too big (413), not a
 * readable video, no video stream, an unsupported container or too long (422).
 */
export async function probeVideo(file: string, tools: VideoTools, limits: ProbeLimits): Promise<VideoProbe> {
  const { size } = await stat(file);
  if (size > limits.maxBytes) {
    throw payloadTooLarge(`The video is too large: ${formatBytes(size)}, the limit is ${formatBytes(limits.maxBytes)}`);
  }
  if (size === 0) throw unprocessable(CORRUPT_MESSAGE);

  const data = await runFfprobe(file, tools);
  const container = containerOf(String(data.format.format_name ?? ''));
  const video = data.streams.find((s) => s.codec_type === 'video' && !isCoverArt(s));
  if (!video) throw unprocessable('The file has no video stream');
  if (!container) throw unprocessable('Unsupported video format: upload an MP4, MOV, WebM or GIF');

  const codedWidth = Number(video.width);
  const codedHeight = Number(video.height);
  if (!(codedWidth > 0 && codedHeight > 0)) throw unprocessable(CORRUPT_MESSAGE);

  // Browser-recorded WebM (MediaRecorder) carries no duration: measure it by a fast remux.
  const duration = firstPositive(data.format.duration, video.duration) ?? (await measureDuration(file, tools));
  if (duration === undefined) throw unprocessable('The length of the video could not be determined: it may be corrupt or still being recorded');
  if (duration > limits.maxSeconds) {
    throw unprocessable(`The video is too long: ${duration.toFixed(1)} s, the limit is ${limits.maxSeconds} s`, {
      duration,
      max_seconds: limits.maxSeconds,
    });
  }

  const rotation = rotationOf(video);
  const sar = parseRatio(video.sample_aspect_ratio);
  const displayWidth = sar && sar > 0 && sar !== 1 ? Math.round(codedWidth * sar) : codedWidth;
  const quarterTurn = rotation === 90 || rotation === 270;
  return {
    duration,
    width: quarterTurn ? codedHeight : displayWidth,
    height: quarterTurn ? displayWidth : codedHeight,
    fps: parseRatio(video.avg_frame_rate) || parseRatio(video.r_frame_rate) || 0,
    hasAudio: data.streams.some((s) => s.codec_type === 'audio'),
    codec: String(video.codec_name ?? 'unknown'),
    rotation,
    container,
  };
}

function runFfprobe(file: string, tools: VideoTools): Promise<ffmpeg.FfprobeData> {
  return new Promise((resolve, reject) => {
    ffmpeg(file)
      .setFfprobePath(tools.ffprobe)
      .ffprobe(0, ['-v', 'error'], (error, data) => {
        if (error) reject(new AppError(422, CORRUPT_MESSAGE, { cause: error }));
        else resolve(data);
      });
  });
}

/** Seconds up to the last video packet, by remuxing to nowhere (no decoding); undefined when that fails. */
function measureDuration(file: string, tools: VideoTools): Promise<number | undefined> {
  const args = ['-v', 'error', '-nostdin', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'null', '-progress', 'pipe:1', '-nostats', '-'];
  return new Promise((resolve) => {
    execFile(tools.ffmpeg, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (error, stdout) => {
      if (error) return resolve(undefined);
      const times = [...stdout.matchAll(/^out_time_us=(\d+)$/gm)].map((m) => Number(m[1]) / 1e6);
      resolve(firstPositive(times.at(-1)));
    });
  });
}

function containerOf(formatName: string): VideoProbe['container'] | undefined {
  const names = formatName.split(',');
  if (names.includes('mp4') || names.includes('mov')) return 'mp4';
  if (names.includes('webm') || names.includes('matroska')) return 'webm';
  if (names.includes('gif')) return 'gif';
  return undefined;
}

/** An embedded cover picture (e.g. in an audio file) is not a video stream. */
function isCoverArt(stream: ffmpeg.FfprobeStream): boolean {
  return Number(stream.disposition?.attached_pic) === 1;
}

/** Degrees in [0, 360), a multiple of 90. ffprobe reports the display matrix counter-clockwise, the legacy tag clockwise. */
function rotationOf(stream: ffmpeg.FfprobeStream): number {
  const fields = stream as unknown as Record<string, unknown>;
  const fromMatrix = Number(fields.rotation);
  const fromTag = Number(stream.tags?.rotate);
  const degrees = Number.isFinite(fromMatrix) && fields.rotation !== undefined && fields.rotation !== '' ? -fromMatrix : Number.isFinite(fromTag) ? fromTag : 0;
  return ((Math.round(degrees / 90) * 90) % 360 + 360) % 360;
}

/** "30000/1001" or "16:9" as a number; undefined for "0/0", "N/A" and the like. */
function parseRatio(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  const match = /^(\d+(?:\.\d+)?)[/:](\d+(?:\.\d+)?)$/.exec(String(value ?? ''));
  if (!match) return undefined;
  const ratio = Number(match[1]) / Number(match[2]);
  return Number.isFinite(ratio) && ratio > 0 ? ratio : undefined;
}

function firstPositive(...values: unknown[]): number | undefined {
  for (const value of values) {
    const n = Number(value);
    if (Number.isFinite(n) && n > 0) return n;
  }
  return undefined;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
