// Which rendered file of an attachment each public page shows, read off the
// API's own MediaAttachment entity so page links and API links are the same
// URLs: the square thumbnail for grid tiles, the large rendition on the post
// page, and the image link previews (OpenGraph) point at.
import type { MastodonMediaAttachment } from '../../server/api/entities/media-attachment.ts';
import type { MastodonStatus } from '../../server/api/entities/status.ts';

export interface ImageSource {
  /** The JPEG (every client shows it). */
  url: string;
  webp: string | null;
  avif: string | null;
  width: number | null;
  height: number | null;
}

// The pipeline's square thumbnail (media/image/variants.ts THUMBNAIL_SIZE); the entity gives no size for it.
const THUMBNAIL_EDGE = 320;

/**
 * A file's URL if it is our own rendered copy. A remote attachment not yet
 * fetched carries the remote server's URL instead: our pages never load
 * those (the visitor's browser would call that server, and our CSP refuses it).
 */
export function ownCopy(attachment: MastodonMediaAttachment, url: string | null): string | null {
  return url !== null && url !== attachment.remote_url ? url : null;
}

function formats(attachment: MastodonMediaAttachment, name: 'large' | 'small' | 'thumbnail') {
  const set = attachment.variants?.[name];
  return set?.jpeg ? { url: set.jpeg, webp: set.webp ?? null, avif: set.avif ?? null } : null;
}

export function isVideo(attachment: MastodonMediaAttachment): boolean {
  return attachment.type === 'video' || attachment.type === 'gifv';
}

/** The grid tile: the square thumbnail, else the small rendition (a video's poster frame, as the small one is made from it). */
export function tileImage(attachment: MastodonMediaAttachment): ImageSource | null {
  const thumbnail = formats(attachment, 'thumbnail');
  if (thumbnail) return { ...thumbnail, width: THUMBNAIL_EDGE, height: THUMBNAIL_EDGE };
  return videoPoster(attachment);
}

/** The post page's image: the large rendition, else the original. Null while a file is not ready. */
export function fullImage(attachment: MastodonMediaAttachment): ImageSource | null {
  const large = formats(attachment, 'large');
  const meta = attachment.meta;
  if (large) return { ...large, width: meta?.large?.width ?? null, height: meta?.large?.height ?? null };
  const original = ownCopy(attachment, attachment.url);
  if (!original) return null;
  return { url: original, webp: null, avif: null, width: meta?.original?.width ?? null, height: meta?.original?.height ?? null };
}

/** The small rendition (a video's poster frame), with its size. */
export function videoPoster(attachment: MastodonMediaAttachment): ImageSource | null {
  const preview = ownCopy(attachment, attachment.preview_url);
  if (!preview) return null;
  const small = attachment.meta?.small;
  return { url: preview, webp: null, avif: null, width: small?.width ?? null, height: small?.height ?? null };
}

/** What a link preview shows for a post: its first photo (or video poster), with that file's alt text. */
export function previewImage(status: MastodonStatus): (ImageSource & { alt: string | null }) | null {
  // Sensitive media stays out of previews: other sites would show it unblurred.
  if (status.sensitive) return null;
  for (const attachment of status.media_attachments) {
    const image = isVideo(attachment) ? videoPoster(attachment) : fullImage(attachment);
    if (image) return { ...image, alt: attachment.description };
  }
  return null;
}
