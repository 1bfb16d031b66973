// One media row → the attachment of an outgoing Note. Image for photos, Video
// for video and gifv (our gifv is a looping MP4): Mastodon, Pixelfed and
// GoToSocial all take Image/Video/Document with a `mediaType`, and Pixelfed
// keeps only attachments whose mediaType it allows (JPEG, PNG, GIF, MP4 by
// default) and whose width and height are at most 5000: the `original`
// variant is a JPEG (or the MP4) of at most 4096 px on its long edge.
// `blurhash` and `focalPoint` are not in @fedify/vocab; attachmentExtras gives
// them as JSON-LD additions (see json-ld-extras.ts).
import { Document, Image, Video } from '@fedify/vocab';
import type { Media, StoredVariant } from '../../server/db/media.repo.ts';
import type { AttachmentExtras } from './json-ld-extras.ts';
import type { LocalUrls } from './local-urls.ts';

const TYPES_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  mp4: 'video/mp4',
  webm: 'video/webm',
};

/** The MIME type of a stored file, from its key's extension (keys end in one). */
export function mediaTypeOfKey(key: string, fallback: string | null = null): string | null {
  const extension = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  return TYPES_BY_EXTENSION[extension] ?? fallback;
}

/**
 * The file remote servers get: the largest rendered variant, never the upload
 * itself (uploads keep their metadata; rendered files have none).
 */
export function servedVariant(media: Media): StoredVariant | null {
  const { original, large, small } = media.variants;
  return original ?? large ?? small ?? null;
}

/** Null for media that has no rendered file yet (still processing, or failed). */
export function attachmentFromMedia(media: Media, urls: LocalUrls): Document | null {
  const variant = servedVariant(media);
  if (!variant) return null;
  const values = {
    url: urls.media(variant.key),
    mediaType: mediaTypeOfKey(variant.key, media.mimeType),
    width: variant.width,
    height: variant.height,
    name: media.description?.trim() ? media.description : null,
  };
  if (media.kind === 'image') return new Image(values);
  if (media.kind === 'video' || media.kind === 'gifv') {
    // Mastodon shows `icon` as the video's preview before it plays.
    const poster = media.variants.poster;
    const icon = poster
      ? new Image({ url: urls.media(poster.key), mediaType: mediaTypeOfKey(poster.key, 'image/jpeg'), width: poster.width, height: poster.height })
      : null;
    return new Video({ ...values, icon });
  }
  return new Document(values);
}

/** Mastodon's blurhash and focal point for the same attachment, keyed by its URL. */
export function attachmentExtras(media: Media, urls: LocalUrls): AttachmentExtras | null {
  const variant = servedVariant(media);
  if (!variant) return null;
  const properties: Record<string, unknown> = {};
  if (media.blurhash) properties.blurhash = media.blurhash;
  // Mastodon sends a focal point on every image; x and y in -1..1, y up.
  if (media.kind !== 'audio' && media.kind !== 'unknown') properties.focalPoint = [media.focusX, media.focusY];
  if (Object.keys(properties).length === 0) return null;
  return { url: urls.media(variant.key).href, properties };
}
