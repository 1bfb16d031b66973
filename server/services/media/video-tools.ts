// ffmpeg and ffprobe as this process found them: looked up once (at the
// configured path, else on PATH) and remembered. Without them the server still
// runs: photos work, and video uploads get a clear 422.
import type { Config } from '../../../config/load.ts';
import { findFfmpeg, type VideoTools } from '../../../media/video/ffmpeg.ts';
import { getLogger } from '../../logging.ts';

const lookups = new Map<string, Promise<VideoTools | null>>();

export function videoTools(config: Pick<Config, 'media'>): Promise<VideoTools | null> {
  const path = config.media.ffmpegPath ?? '';
  let lookup = lookups.get(path);
  if (!lookup) {
    lookup = findFfmpeg(path || undefined).then((tools) => {
      if (!tools) {
        getLogger('media').warn(
          path
            ? `Video is unavailable: no working ffmpeg and ffprobe at VIEWFINDER_FFMPEG_PATH=${path}; video uploads will be refused`
            : 'Video is unavailable: ffmpeg and ffprobe were not found on PATH (install ffmpeg or set VIEWFINDER_FFMPEG_PATH); video uploads will be refused',
        );
      }
      return tools;
    });
    lookups.set(path, lookup);
  }
  return lookup;
}
