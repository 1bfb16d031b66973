// The square grid of a profile or hashtag page: one tile per post, its first
// photo (or a video's poster frame) linking to the post page; text posts, and
// posts behind a content warning, as a tile of text instead of the picture.
import type { MastodonStatus } from '../../server/api/entities/status.ts';
import { html, type Html } from '../html.ts';
import { isVideo, tileImage, type ImageSource } from '../public/media-sources.ts';
import { htmlToText, truncate, webUrl } from '../public/text.ts';

/** <picture> with the WebP and AVIF renditions for browsers that take them, the JPEG for the rest. */
export function picture(image: ImageSource, alt: string, options: { lazy?: boolean; sizes?: string } = {}): Html {
  return html`<picture>${image.avif ? html`<source type="image/avif" srcset="${image.avif}">` : null}${image.webp ? html`<source type="image/webp" srcset="${image.webp}">` : null}<img src="${image.url}" alt="${alt}"${image.width ? html` width="${image.width}"` : null}${image.height ? html` height="${image.height}"` : null}${options.lazy ? html` loading="lazy"` : null} decoding="async"></picture>`;
}

function badge(status: MastodonStatus): Html | null {
  const media = status.media_attachments;
  if (media.length > 1) return html`<span class="badge" title="${media.length} photos or videos">${media.length}</span>`;
  if (media[0] && isVideo(media[0])) return html`<span class="badge" title="Video">▶</span>`;
  return null;
}

function tile(status: MastodonStatus): Html {
  const first = status.media_attachments[0];
  const image = first ? tileImage(first) : null;
  const caption = htmlToText(status.content);
  const hidden = status.spoiler_text !== '' || status.sensitive;
  let inner: Html;
  if (image && !hidden) {
    // The description is the alt text; without one, the caption says what the tile leads to.
    const alt = first!.description || truncate(caption, 120) || 'Photo';
    inner = html`${picture(image, alt, { lazy: true })}${badge(status)}`;
  } else {
    const text = status.spoiler_text || (hidden ? 'Sensitive content' : truncate(caption, 140)) || 'Post';
    inner = html`<span class="text-tile${hidden ? ' warning' : ''}">${text}</span>`;
  }
  const href = webUrl(status.url);
  return href ? html`<li><a class="tile" href="${href}">${inner}</a></li>` : html`<li><span class="tile">${inner}</span></li>`;
}

export function postGrid(statuses: MastodonStatus[], emptyText: string): Html {
  if (statuses.length === 0) return html`<p class="empty">${emptyText}</p>`;
  return html`<ul class="grid">${statuses.map(tile)}</ul>`;
}

/** The link to the next, older page of a grid, when there is one. */
export function olderLink(path: string, olderMaxId: string | null): Html | null {
  return olderMaxId ? html`<p class="pager"><a rel="next" href="${path}?max_id=${olderMaxId}">Older posts</a></p>` : null;
}
