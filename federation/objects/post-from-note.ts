// A remote Note → plain data for the services to store (IncomingNote). Reads
// only what the Note carries: ids from the `*Id(s)` getters, embedded objects
// through getters given a loader that refuses (no-fetch.ts), and extension
// keys from the Note's JSON. Content HTML is returned as received; the caller
// sanitizes it (server/services/text/sanitize.ts).
import { Hashtag, LanguageString, Link, Mention, Place, type DocumentLoader, type Note } from '@fedify/vocab';
import { unprocessable } from '../../server/errors.ts';
import { normalizeHashtag } from '../../server/services/text/plain-to-html.ts';
import { inferVisibility, isPublic } from './addressing.ts';
import { readAttachments } from './incoming-attachments.ts';
import type { IncomingNote } from '../../server/services/posts/remote-post-content.ts';
import type { RemoteAttachment as IncomingAttachment } from '../../server/services/media/remote-media.service.ts';
import { msFromInstant } from './instant.ts';
import { EMBEDDED_ONLY } from './no-fetch.ts';
import { asObject, extension, PIXELFED, type JsonObject } from './raw-json.ts';
import { hrefOf } from './vocab-values.ts';

// The shapes are the services' (what they store); this module fills them.
export type { IncomingAttachment, IncomingNote };

export interface ReadNoteOptions {
  /** Accepted for symmetry with Fedify's options, never used: nothing is fetched. */
  documentLoader?: DocumentLoader;
  /** For JSON-LD contexts of embedded objects that carry their own @context. */
  contextLoader?: DocumentLoader;
  /** The author's followers collection, when known (recognizes followers-only posts). */
  authorFollowersUri: string | null;
  /**
   * The Note's JSON as received, for the keys the vocabulary drops (blurhash,
   * focal point, commentsEnabled). Defaults to `note.toJsonLd()`, which is that
   * JSON for a Note parsed on its own (fetched); for a Note embedded in an
   * activity pass `(await activity.toJsonLd()).object`.
   */
  json?: unknown;
  /** Publication time for a Note without `published` (default: now). */
  now?: number;
}

const unique = (values: string[]) => [...new Set(values)];

/** `content`, else the first language's; the language is the contentMap entry matching it. */
function contentOf(note: Note): { html: string; language: string | null } {
  const contents = note.contents;
  const plain = contents.find((c) => !(c instanceof LanguageString));
  const tagged = contents.filter((c): c is LanguageString => c instanceof LanguageString);
  const html = plain !== undefined ? String(plain) : tagged.length > 0 ? String(tagged[0]) : '';
  const match = tagged.find((c) => String(c) === html) ?? tagged[0];
  return { html, language: match ? match.locale.baseName : null };
}

function coordinate(value: unknown): number | null {
  // Pixelfed sends latitude and longitude as decimal strings.
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

async function locationOf(note: Note, contextLoader?: DocumentLoader): Promise<IncomingNote['location']> {
  const location = await note.getLocation({ ...EMBEDDED_ONLY, contextLoader });
  if (location === null || location instanceof Link) return null;
  const name = location.name === null ? null : String(location.name);
  if (location instanceof Place) return { name, latitude: coordinate(location.latitude), longitude: coordinate(location.longitude) };
  return name === null ? null : { name, latitude: null, longitude: null };
}

async function tagsOf(note: Note, contextLoader?: DocumentLoader): Promise<{ hashtags: string[]; mentionUris: string[] }> {
  const hashtags: string[] = [];
  const mentionUris: string[] = [];
  for await (const tag of note.getTags({ ...EMBEDDED_ONLY, contextLoader })) {
    if (tag instanceof Hashtag && tag.name !== null) {
      // Normalized as our own tags are (NFKC, lower case), so #Café finds both.
      const name = normalizeHashtag(String(tag.name).replace(/^#/, '').trim());
      if (name !== '') hashtags.push(name);
    } else if (tag instanceof Mention && tag.href !== null) {
      mentionUris.push(tag.href.href);
    }
  }
  return { hashtags: unique(hashtags), mentionUris: unique(mentionUris) };
}

/** An audience that names nobody: Pixelfed writes `"[]"` (a string) for "no one may reply". */
function namesNobody(value: unknown): boolean {
  return value === null || value === '' || value === '[]' || (Array.isArray(value) && value.length === 0);
}

/**
 * Off when Pixelfed says so (`commentsEnabled: false`, or a `capabilities`
 * reply set naming nobody) or GoToSocial's `interactionPolicy.canReply`
 * approves no one but the author.
 */
function commentsEnabledOf(note: Note, json: JsonObject | null, authorUri: string): boolean {
  if (json) {
    const flag = extension(json, 'commentsEnabled', PIXELFED, 'pixelfed');
    if (flag === false || flag === 'false') return false;
    const capabilities = asObject(extension(json, 'capabilities', PIXELFED, 'pixelfed'));
    if (capabilities && 'reply' in capabilities && namesNobody(capabilities.reply)) return false;
  }
  const canReply = note.interactionPolicy?.canReply;
  if (canReply) {
    const approved = [...canReply.automaticApprovals, ...canReply.manualApprovals].map((u) => u.href);
    if (approved.every((uri) => uri === authorUri)) return false;
  }
  return true;
}

export async function readNote(note: Note, options: ReadNoteOptions): Promise<IncomingNote> {
  const uri = note.id?.href;
  if (!uri) throw unprocessable('The Note has no id');
  const authorUri = (note.attributionId ?? note.attributionIds[0])?.href;
  if (!authorUri) throw unprocessable('The Note has no attributedTo');
  const { contextLoader } = options;
  const json = asObject(options.json ?? (await note.toJsonLd({ contextLoader })));

  const { html, language } = contentOf(note);
  const { hashtags, mentionUris } = await tagsOf(note, contextLoader);
  const to = note.toIds.map((u) => u.href);
  const cc = note.ccIds.map((u) => u.href);
  const followers = options.authorFollowersUri;
  return {
    uri,
    url: hrefOf(note.url),
    authorUri,
    contentHtml: html,
    summary: note.summary === null ? '' : String(note.summary),
    sensitive: note.sensitive ?? false,
    language,
    published: msFromInstant(note.published) ?? msFromInstant(note.updated) ?? options.now ?? Date.now(),
    updated: msFromInstant(note.updated),
    inReplyToUri: note.replyTargetId?.href ?? null,
    visibility: inferVisibility(to, cc, followers, mentionUris),
    recipientUris: unique([...to, ...cc].filter((u) => !isPublic(u) && u !== followers)),
    mentionUris,
    hashtags,
    attachments: await readAttachments(note, json, contextLoader),
    location: await locationOf(note, contextLoader),
    commentsEnabled: commentsEnabledOf(note, json, authorUri),
  };
}
