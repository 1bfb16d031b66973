// Mastodon's MediaAttachment (https://docs.joinmastodon.org/entities/MediaAttachment/)
// from a media row. While processing, `url` is null (apps keep polling);
// `meta` has Mastodon's original/small plus our large, and `variants` lists
// every rendered size and format for srcset-minded clients (ours).
// Remote media (a remote post's attachment, `remote_url` set) is served from
// our rendered copies once ready; until then, and when fetching it failed,
// `url` is the remote URL itself (and `preview_url` too for a photo), with the
// remote's own size in `meta`, as Mastodon shows media it has not cached.
import type { Media, StoredVariant } from '../../db/media.repo.ts';
import { mediaUrl, type SerializeContext } from './account.ts';

interface MetaSize {
  width: number;
  height: number;
  size: string;
  aspect: number;
  duration?: number;
  frame_rate?: string;
}

export interface MastodonMediaAttachment {
  id: string;
  type: 'image' | 'video' | 'gifv' | 'audio' | 'unknown';
  url: string | null;
  preview_url: string | null;
  remote_url: string | null;
  preview_remote_url: null;
  text_url: null;
  meta: { original?: MetaSize; small?: MetaSize; large?: MetaSize; focus?: { x: number; y: number } } | null;
  description: string | null;
  blurhash: string | null;
  /** Viewfinder: every rendered file by size, then format. */
  variants?: Record<string, Record<string, string>>;
}

function size(variant: StoredVariant, extra: { duration?: number } = {}): MetaSize {
  const meta: MetaSize = {
    width: variant.width,
    height: variant.height,
    size: `${variant.width}x${variant.height}`,
    aspect: variant.height > 0 ? variant.width / variant.height : 1,
  };
  if (extra.duration !== undefined) meta.duration = extra.duration;
  return meta;
}

export function serializeMediaAttachment(ctx: SerializeContext, media: Media): MastodonMediaAttachment {
  const v = media.variants;
  const url = (variant: StoredVariant | undefined) => (variant ? mediaUrl(ctx, variant.key) : null);
  const ready = media.state === 'ready';
  const meta: NonNullable<MastodonMediaAttachment['meta']> = { focus: { x: media.focusX, y: media.focusY } };
  if (ready && v.original) meta.original = size(v.original, media.kind === 'image' ? {} : { duration: media.duration ?? v.original.duration });
  if (ready && v.small) meta.small = size(v.small);
  if (ready && v.large) meta.large = size(v.large);

  const variants: Record<string, Record<string, string>> = {};
  for (const name of ['large', 'small', 'thumbnail'] as const) {
    const formats: Record<string, string> = {};
    for (const [format, variant] of [['jpeg', v[name]], ['webp', v[`${name}Webp`]], ['avif', v[`${name}Avif`]]] as const) {
      if (variant) formats[format] = mediaUrl(ctx, variant.key);
    }
    if (Object.keys(formats).length > 0) variants[name] = formats;
  }

  const uncached = !ready && media.remoteUrl !== null; // remote media not (yet) rendered here
  if (uncached && media.width !== null && media.height !== null) {
    meta.original = { width: media.width, height: media.height, size: `${media.width}x${media.height}`, aspect: media.height > 0 ? media.width / media.height : 1 };
  }

  const entity: MastodonMediaAttachment = {
    id: String(media.id),
    type: media.kind,
    url: ready ? url(v.original) : uncached ? media.remoteUrl : null,
    // A video's or an unknown file's URL is no picture to preview.
    preview_url: ready ? url(v.small) : uncached && media.kind === 'image' ? media.remoteUrl : null,
    remote_url: media.remoteUrl,
    preview_remote_url: null,
    text_url: null,
    meta,
    description: media.description,
    blurhash: media.blurhash,
  };
  if (ready && Object.keys(variants).length > 0) entity.variants = variants;
  return entity;
}
