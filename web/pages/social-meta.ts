// The <head> tags that make a shared link look right: OpenGraph (Facebook,
// Slack, Discord, Mastodon's link cards), Twitter cards, the canonical URL,
// and the ActivityPub alternate, through which Mastodon and other servers
// find the actor or post behind a pasted page URL.
import { html, type Html } from '../html.ts';

export interface SocialMeta {
  type: 'profile' | 'article' | 'website';
  title: string;
  description: string;
  /** The page's own absolute URL (og:url, canonical). */
  url: string;
  siteName: string;
  image: { url: string; width: number | null; height: number | null; alt: string | null } | null;
  /** Whether the image is the page's subject (a photo) rather than an avatar: a large card. */
  largeImage: boolean;
  /** The ActivityPub id of the actor or post the page shows. */
  activityPubId: string | null;
  /** og:article / og:profile extras. */
  published?: string;
  username?: string;
  /** Keep search engines away (accounts that are not discoverable). */
  noindex?: boolean;
}

export function socialMeta(meta: SocialMeta): Html {
  const { image } = meta;
  return html`<meta name="description" content="${meta.description}">
${meta.noindex ? html`<meta name="robots" content="noindex, noarchive">` : null}
<link rel="canonical" href="${meta.url}">
${meta.activityPubId ? html`<link rel="alternate" type="application/activity+json" href="${meta.activityPubId}">` : null}
<meta property="og:site_name" content="${meta.siteName}">
<meta property="og:type" content="${meta.type}">
<meta property="og:title" content="${meta.title}">
<meta property="og:description" content="${meta.description}">
<meta property="og:url" content="${meta.url}">
${meta.published ? html`<meta property="article:published_time" content="${meta.published}">` : null}
${meta.username ? html`<meta property="profile:username" content="${meta.username}">` : null}
${image
    ? html`<meta property="og:image" content="${image.url}">
${image.width ? html`<meta property="og:image:width" content="${image.width}">` : null}
${image.height ? html`<meta property="og:image:height" content="${image.height}">` : null}
${image.alt ? html`<meta property="og:image:alt" content="${image.alt}">` : null}`
    : null}
<meta name="twitter:card" content="${image && meta.largeImage ? 'summary_large_image' : 'summary'}">
<meta name="twitter:title" content="${meta.title}">
<meta name="twitter:description" content="${meta.description}">
${image ? html`<meta name="twitter:image" content="${image.url}">` : null}
${image?.alt ? html`<meta name="twitter:image:alt" content="${image.alt}">` : null}`;
}
