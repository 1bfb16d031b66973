// The attachments of a remote Note as plain data. Fedify's getters give type,
// URL, mediaType, alt text and size; blurhash and focal point, which the
// vocabulary does not have, come from the document's own JSON (matched by
// URL). Only embedded attachments are read: one given as a bare URL is
// skipped, never fetched.
import { Document, Image, Link, Page, Video, type DocumentLoader, type Note } from '@fedify/vocab';
import { EMBEDDED_ONLY } from './no-fetch.ts';
import { extension, objectsAt, TOOT, urlIn, type JsonObject } from './raw-json.ts';
import { hrefOf, textOrNull } from './vocab-values.ts';
import type { RemoteAttachment } from '../../server/services/media/remote-media.service.ts';

/** The services' shape of a remote attachment (what remote-media.service stores). */
export type IncomingAttachment = RemoteAttachment;

/** Some servers send sizes as strings; anything but a positive integer is unknown. */
export function positiveInteger(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}

function kindOf(document: Document, mediaType: string | null): IncomingAttachment['kind'] {
  const type = mediaType?.toLowerCase() ?? '';
  // Animated GIFs become gifv here as they do for our own uploads.
  if (type === 'image/gif') return 'gifv';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type !== '') return 'unknown';
  if (document instanceof Image) return 'image';
  if (document instanceof Video) return 'video';
  return 'unknown';
}

function clampAxis(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? Math.min(1, Math.max(-1, n)) : null;
}

function extrasOf(raw: JsonObject | undefined): Pick<IncomingAttachment, 'blurhash' | 'focus'> {
  if (!raw) return { blurhash: null, focus: null };
  const blurhash = extension(raw, 'blurhash', TOOT, 'toot');
  const point = extension(raw, 'focalPoint', TOOT, 'toot');
  const x = Array.isArray(point) ? clampAxis(point[0]) : null;
  const y = Array.isArray(point) ? clampAxis(point[1]) : null;
  return {
    blurhash: typeof blurhash === 'string' && blurhash !== '' ? blurhash : null,
    focus: x !== null && y !== null ? { x, y } : null,
  };
}

export async function readAttachments(note: Note, json: JsonObject | null, contextLoader?: DocumentLoader): Promise<IncomingAttachment[]> {
  const rawByUrl = new Map<string, JsonObject>();
  for (const raw of objectsAt(json, 'attachment')) {
    const url = urlIn(raw.url);
    if (url !== null) rawByUrl.set(url, raw);
  }
  const attachments: IncomingAttachment[] = [];
  for await (const item of note.getAttachments({ ...EMBEDDED_ONLY, contextLoader })) {
    // Media only: not PropertyValue, Link or a web Page.
    if (!(item instanceof Document) || item instanceof Page) continue;
    const link = item.url instanceof Link ? item.url : null;
    const url = hrefOf(item.url);
    if (url === null) continue;
    const mediaType = item.mediaType ?? link?.mediaType ?? null;
    attachments.push({
      url,
      mediaType,
      kind: kindOf(item, mediaType),
      // GoToSocial announced moving alt text to `summary`; read either.
      name: textOrNull(item.name) ?? textOrNull(item.summary),
      width: positiveInteger(item.width),
      height: positiveInteger(item.height),
      ...extrasOf(rawByUrl.get(url)),
    });
  }
  return attachments;
}
