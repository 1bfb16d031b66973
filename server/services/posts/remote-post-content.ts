// A remote post as the federation layer parsed it from a `Note`, and what we
// store of it. Remote content is the remote's to write: anything past our own
// limits is cut or dropped, never refused (the post exists either way), and
// its HTML passes the same allow-list as ours.
import sanitizeHtml from 'sanitize-html';
import type { Media } from '../../db/media.repo.ts';
import type { PostKind, PostVisibility } from '../../db/posts.repo.ts';
import { isHttpUrl, type RemoteAttachment } from '../media/remote-media.service.ts';
import { sanitizeRichText } from '../text/sanitize.ts';
import { normalizeHashtag } from '../text/plain-to-html.ts';
import { MAX_LOCATION_NAME_LENGTH, MAX_SPOILER_LENGTH } from './compose-rules.ts';

/** A `Note` as federation/objects/post-from-note.ts reads it. */
export interface IncomingNote {
  uri: string;
  url: string | null;
  authorUri: string;
  contentHtml: string;
  summary: string;
  sensitive: boolean;
  language: string | null;
  /** Epoch ms. */
  published: number;
  /** Epoch ms; null when the Note was never edited. */
  updated: number | null;
  inReplyToUri: string | null;
  visibility: PostVisibility;
  recipientUris: string[];
  mentionUris: string[];
  hashtags: string[];
  attachments: RemoteAttachment[];
  location: { name: string | null; latitude: number | null; longitude: number | null } | null;
  commentsEnabled: boolean;
}

/** What of a Note goes into the posts row (and its hashtags), cleaned. */
export interface RemoteContent {
  caption: string;
  captionHtml: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
  url: string | null;
  locationName: string | null;
  latitude: number | null;
  longitude: number | null;
  hashtags: { name: string; displayName: string }[];
  commentsEnabled: boolean;
}

/** A remote clock ahead of ours by more than this is not believed (a post dated next year would top every timeline). */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const MAX_HASHTAGS = 60;
const MAX_HASHTAG_LENGTH = 100;
const HASHTAG_NAME = /^[\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*$/u;

/**
 * Other servers write markup ours has no place for (<strong>, <blockquote>,
 * lists, Misskey's <i>…). sanitizeRichText escapes what it does not allow,
 * which would show the tags as text: first, blocks become paragraphs and
 * other tags go with their text kept (script and style with their content).
 * The allow-list then applies as to everything we store.
 */
const REMOTE_MARKUP: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'a', 'span'],
  allowedAttributes: false,
  transformTags: Object.fromEntries(['div', 'blockquote', 'pre', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((tag) => [tag, 'p'])),
  disallowedTagsMode: 'discard',
};

export function remoteHtml(html: string): string {
  return sanitizeRichText(sanitizeHtml(html, REMOTE_MARKUP));
}

export function remoteContentOf(note: IncomingNote): RemoteContent {
  const captionHtml = remoteHtml(note.contentHtml);
  const spoilerText = cut(note.summary.trim(), MAX_SPOILER_LENGTH).trim();
  const location = note.location;
  const coordinates = location && validCoordinates(location.latitude, location.longitude);
  const name = location?.name?.trim() ?? '';
  return {
    caption: htmlToPlainText(captionHtml),
    captionHtml,
    spoilerText,
    // A content warning implies sensitive media, as for our own posts.
    sensitive: note.sensitive || spoilerText !== '',
    language: note.language && /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(note.language) ? note.language : null,
    url: note.url && isHttpUrl(note.url) ? note.url : null,
    locationName: name === '' ? null : cut(name, MAX_LOCATION_NAME_LENGTH).trim(),
    latitude: coordinates ? location.latitude : null,
    longitude: coordinates ? location.longitude : null,
    hashtags: cleanHashtags(note.hashtags),
    commentsEnabled: note.commentsEnabled,
  };
}

/** A remote time we may date a row with: at most a few minutes ahead of ours, `now` when unusable. */
export function believableTime(time: number | null, now: number): number {
  if (time === null || !Number.isFinite(time) || time <= 0) return now;
  return Math.min(Math.round(time), now + MAX_CLOCK_SKEW_MS);
}

/**
 * The kind of a remote post from the attachments it kept: several make a
 * carousel, a video (or a looping gifv) a video, anything else a photo; no
 * attachment, a text post (a comment or a toot).
 */
export function remoteKindOf(media: Pick<Media, 'kind'>[]): PostKind {
  if (media.length === 0) return 'text';
  if (media.length > 1) return 'carousel';
  return media[0]!.kind === 'video' || media[0]!.kind === 'gifv' ? 'video' : 'photo';
}

/**
 * Sanitized caption HTML → the plain text kept beside it (search, previews):
 * paragraphs become blank lines, <br> line breaks, tags go, entities are
 * decoded. The input has passed sanitizeRichText, so only its few tags remain.
 */
export function htmlToPlainText(html: string): string {
  const blocks = html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<\/?p[^>]*>/gi, '');
  const text = sanitizeHtml(blocks, { allowedTags: [], allowedAttributes: {}, disallowedTagsMode: 'discard' });
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .trim();
}

/** Names as our hashtags table holds them (NFKC, lower case), first spelling kept, `#` and junk dropped. */
function cleanHashtags(names: string[]): { name: string; displayName: string }[] {
  const seen = new Map<string, { name: string; displayName: string }>();
  for (const raw of names) {
    const displayName = raw.trim().replace(/^#/, '');
    const name = normalizeHashtag(displayName);
    if (seen.size >= MAX_HASHTAGS) break;
    if (!HASHTAG_NAME.test(name) || [...name].length > MAX_HASHTAG_LENGTH || seen.has(name)) continue;
    seen.set(name, { name, displayName });
  }
  return [...seen.values()];
}

function validCoordinates(lat: number | null, lon: number | null): boolean {
  return lat !== null && lon !== null && Number.isFinite(lat) && Number.isFinite(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
}


/** The first `max` code points. */
function cut(text: string, max: number): string {
  const points = [...text];
  return points.length <= max ? text : points.slice(0, max).join('');
}
