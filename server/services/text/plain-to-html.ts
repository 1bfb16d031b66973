// Plain text someone typed (a bio, later a caption) → the HTML Mastodon apps
// render: escaped, URLs linked, @mentions of accounts we know and #hashtags
// linked, line breaks kept, blank lines starting paragraphs. Pure: the caller
// resolves mentions beforehand (extractMentions + a lookup) and passes them in.
import { find } from 'linkifyjs';
import { sanitizeRichText } from './sanitize.ts';

export interface MentionTarget {
  /** Profile URL the mention links to. */
  url: string;
  /** Shown after the @: the username. */
  username: string;
}

export interface FormatOptions {
  publicUrl: string;
  /** Our own domain, so @alice@<our domain> counts as local. */
  domain: string;
  /** Known accounts by lower-cased acct (`alice` for local, `bob@example.com` for remote). */
  mentions: Map<string, MentionTarget>;
}

export interface MentionName {
  username: string;
  /** Null for a bare @name, which means a local account. */
  domain: string | null;
}

// Like Mastodon's: not preceded by a word character or slash (so e-mail
// addresses and URL paths are no mentions), an optional @domain.
const MENTION = /(?<![\p{L}\p{N}_/@])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@([a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?))?/giu;
// A hashtag needs at least one non-digit (#1 is a number, not a tag).
const HASHTAG = /(?<![\p{L}\p{N}_/&#])#([\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*)/gu;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The @mentions in `text` (outside URLs), deduplicated, for the caller to look up. */
export function extractMentions(text: string, ownDomain: string): MentionName[] {
  const seen = new Map<string, MentionName>();
  for (const segment of segments(text)) {
    if (segment.kind !== 'text') continue;
    for (const match of segment.text.matchAll(MENTION)) {
      const domain = match[2] && match[2].toLowerCase() !== ownDomain.toLowerCase() ? match[2].toLowerCase() : null;
      const key = mentionKey(match[1]!, domain);
      if (!seen.has(key)) seen.set(key, { username: match[1]!, domain });
    }
  }
  return [...seen.values()];
}

/** The #hashtags in `text` (outside URLs), deduplicated by normalized name (NFKC, lower case), first spelling kept. */
export function extractHashtags(text: string): { name: string; displayName: string }[] {
  const seen = new Map<string, { name: string; displayName: string }>();
  for (const segment of segments(text)) {
    if (segment.kind !== 'text') continue;
    for (const match of segment.text.matchAll(HASHTAG)) {
      const displayName = match[1]!;
      const name = normalizeHashtag(displayName);
      if (!seen.has(name)) seen.set(name, { name, displayName });
    }
  }
  return [...seen.values()];
}

export function normalizeHashtag(tag: string): string {
  return tag.normalize('NFKC').toLowerCase();
}

export function mentionKey(username: string, domain: string | null): string {
  return domain === null ? username.toLowerCase() : `${username.toLowerCase()}@${domain.toLowerCase()}`;
}

export function plainTextToHtml(text: string, options: FormatOptions): string {
  const normalized = text.replace(/\r\n?/g, '\n').trim();
  if (normalized === '') return '';
  const paragraphs = normalized.split(/\n{2,}/);
  const html = paragraphs.map((paragraph) => `<p>${paragraph.split('\n').map((line) => formatLine(line, options)).join('<br>')}</p>`).join('');
  // Everything above is built from escaped text, but the allow-list is the
  // guarantee: nothing outside it reaches a client even if a bug slips in.
  return sanitizeRichText(html);
}

/**
 * A profile field value → HTML, as Mastodon serves `fields[].value`: escaped,
 * http(s) URLs linked with rel="me" (so a site linking back can verify it).
 * One line, no paragraphs.
 */
export function fieldValueToHtml(value: string): string {
  const html = segments(value.replace(/\s*[\r\n]+\s*/g, ' '))
    .map((segment) => (segment.kind === 'url' ? linkUrl(segment.href, segment.text, 'me nofollow noopener noreferrer') : escapeHtml(segment.text)))
    .join('');
  return sanitizeRichText(html);
}

type Segment = { kind: 'text'; text: string } | { kind: 'url'; text: string; href: string };

/** Splits text into URL spans (http/https only, as Mastodon links) and the plain text between them. */
function segments(text: string): Segment[] {
  const result: Segment[] = [];
  let at = 0;
  for (const link of find(text, 'url')) {
    if (!/^https?:\/\//i.test(link.value)) continue;
    if (link.start > at) result.push({ kind: 'text', text: text.slice(at, link.start) });
    result.push({ kind: 'url', text: link.value, href: link.href });
    at = link.end;
  }
  if (at < text.length) result.push({ kind: 'text', text: text.slice(at) });
  return result;
}

function formatLine(line: string, options: FormatOptions): string {
  return segments(line)
    .map((segment) => (segment.kind === 'url' ? linkUrl(segment.href, segment.text) : formatText(segment.text, options)))
    .join('');
}

function linkUrl(href: string, text: string, rel = 'nofollow noopener noreferrer'): string {
  const display = text.replace(/^https?:\/\/(www\.)?/i, '');
  return `<a href="${escapeHtml(href)}" target="_blank" rel="${rel}" translate="no">${escapeHtml(display)}</a>`;
}

/** Mentions and hashtags in plain text; everything else escaped. */
function formatText(text: string, options: FormatOptions): string {
  type Hit = { start: number; end: number; html: string };
  const hits: Hit[] = [];
  for (const match of text.matchAll(MENTION)) {
    const domain = match[2] && match[2].toLowerCase() !== options.domain.toLowerCase() ? match[2] : null;
    const target = options.mentions.get(mentionKey(match[1]!, domain));
    if (!target) continue; // unknown accounts stay plain text, as on Mastodon
    hits.push({
      start: match.index,
      end: match.index + match[0].length,
      html: `<span class="h-card" translate="no"><a href="${escapeHtml(target.url)}" class="u-url mention">@<span>${escapeHtml(target.username)}</span></a></span>`,
    });
  }
  for (const match of text.matchAll(HASHTAG)) {
    const start = match.index;
    if (hits.some((hit) => start >= hit.start && start < hit.end)) continue;
    const tag = match[1]!;
    hits.push({
      start,
      end: start + match[0].length,
      html: `<a href="${escapeHtml(`${options.publicUrl}/tags/${encodeURIComponent(normalizeHashtag(tag))}`)}" class="mention hashtag" rel="tag">#<span>${escapeHtml(tag)}</span></a>`,
    });
  }
  hits.sort((a, b) => a.start - b.start);
  let html = '';
  let at = 0;
  for (const hit of hits) {
    if (hit.start < at) continue;
    html += escapeHtml(text.slice(at, hit.start)) + hit.html;
    at = hit.end;
  }
  return html + escapeHtml(text.slice(at));
}
