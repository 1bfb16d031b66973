// The public page of one post: author, every photo and video (with their alt
// text), caption, place, time and counts, with link-preview tags.
import type { MastodonAccount } from '../../server/api/entities/account.ts';
import type { MastodonMediaAttachment } from '../../server/api/entities/media-attachment.ts';
import type { MastodonStatus } from '../../server/api/entities/status.ts';
import { PROFILE_IMAGE_SIZES } from '../../media/images/profile-images.ts';
import { html, raw, type Html } from '../html.ts';
import { page } from '../layout.ts';
import { fullImage, isVideo, ownCopy, previewImage, videoPoster } from '../public/media-sources.ts';
import { count, htmlToText, readableDate, truncate } from '../public/text.ts';
import { picture } from './post-grid.ts';
import { nameOf } from './profile-page.ts';
import { socialMeta } from './social-meta.ts';

export interface PostPageView {
  status: MastodonStatus;
  author: MastodonAccount;
  handle: string;
  siteName: string;
}

function mediaItem(attachment: MastodonMediaAttachment): Html | null {
  const alt = attachment.description ?? '';
  if (isVideo(attachment)) {
    const src = ownCopy(attachment, attachment.url);
    if (!src) return null;
    const poster = videoPoster(attachment);
    const size = attachment.meta?.original;
    const sized = size ? html` width="${size.width}" height="${size.height}"` : null;
    // A gifv is a silent loop, as Mastodon plays it; a video waits for the viewer.
    const behaviour = attachment.type === 'gifv' ? raw(' autoplay loop muted playsinline') : raw(' controls preload="metadata"');
    return html`<figure><video${behaviour}${sized}${poster ? html` poster="${poster.url}"` : null} src="${src}"${alt ? html` aria-label="${alt}"` : null}></video>${alt ? html`<figcaption class="alt">${alt}</figcaption>` : null}</figure>`;
  }
  const image = fullImage(attachment);
  return image ? html`<figure>${picture(image, alt)}</figure>` : null;
}

function mediaBlock(status: MastodonStatus): Html | null {
  const items = status.media_attachments.map(mediaItem).filter((item): item is Html => item !== null);
  if (items.length === 0) return null;
  const media = html`<div class="media">${items}</div>`;
  // Sensitive media waits behind a click, as in the apps (a content warning already covers it).
  return status.sensitive && status.spoiler_text === '' ? html`<details class="sensitive"><summary>Sensitive content: show</summary>${media}</details>` : media;
}

function countsLine(status: MastodonStatus): string {
  const parts = [];
  if (!status.hide_like_count) parts.push(count(status.favourites_count, 'like', 'likes'));
  parts.push(count(status.replies_count, 'comment', 'comments'), count(status.reblogs_count, 'share', 'shares'));
  return parts.join(' · ');
}

export function postPage(view: PostPageView): string {
  const { status, author, handle } = view;
  const name = nameOf(author);
  const caption = htmlToText(status.content);
  const media = status.media_attachments.length;
  const summary = status.spoiler_text || caption || (media > 0 ? count(media, 'photo or video', 'photos and videos') : '');
  const image = previewImage(status);
  const head = socialMeta({
    type: 'article',
    title: `${name} (@${handle})`,
    description: truncate(summary, 300),
    url: status.url,
    siteName: view.siteName,
    image: image ?? { url: author.avatar, ...PROFILE_IMAGE_SIZES.avatar, alt: name },
    largeImage: image !== null,
    activityPubId: status.uri,
    published: status.created_at,
    noindex: author.noindex === true,
  });
  const content = html`${mediaBlock(status)}
${status.content ? html`<div class="caption">${raw(status.content)}</div>` : null}`;
  const body = html`<article class="post"${status.language ? html` lang="${status.language}"` : null}>
<header class="author">
<a href="${author.url}"><img class="avatar" src="${author.avatar}" alt="${name}" width="48" height="48"></a>
<div><a href="${author.url}"><strong>${name}</strong></a><br><span class="handle">@${handle}</span></div>
</header>
${status.spoiler_text ? html`<details class="spoiler"><summary>${status.spoiler_text}</summary>${content}</details>` : content}
<p class="meta">${status.place ? html`<span class="place">${status.place.name}</span> · ` : null}<a href="${status.url}"><time datetime="${status.created_at}">${readableDate(status.created_at)}</time></a>${status.edited_at ? ' · edited' : null}</p>
<p class="counts">${countsLine(status)}</p>
</article>`;
  const first = status.media_attachments[0];
  const title = caption ? `${name}: “${truncate(caption, 60)}”` : `${name}: ${first ? (isVideo(first) ? 'video' : 'photo') : 'post'}`;
  return page({ title, head, mainClass: 'public', showTitle: false }, body);
}
