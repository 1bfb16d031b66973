// A remote post's attachments (DESIGN.md rule 5): each becomes a media row
// that remembers the remote URL and what the remote said about it (alt text,
// blurhash, focal point, size), and a media.fetch-remote job, enqueued in the
// caller's transaction, fetches, checks and renders it like a local upload
// (none when remote media is off). Until then the Mastodon entity points at
// the remote URL.
import { isBlurhashValid } from 'blurhash';
import { newId } from '../../db/ids.ts';
import type { Queryable } from '../../db/knex.ts';
import { attachMedia, findMediaByPostIds, updateMediaDetails, type MediaKind } from '../../db/media.repo.ts';
import { insertRemoteMedia, type NewRemoteMedia } from '../../db/remote-media.repo.ts';
import { enqueueMany } from '../../jobs/queue.ts';
import { MAX_MEDIA } from '../posts/compose-rules.ts';
import { deleteMediaWithFiles } from './media-cleanup.job.ts';
import { MAX_DESCRIPTION_LENGTH, type Focus } from './media-details.ts';

export const FETCH_REMOTE_MEDIA_JOB = 'media.fetch-remote';
/** Below local work (0, photos 10): a remote server's carousel waits behind a local user's upload. */
export const FETCH_REMOTE_MEDIA_PRIORITY = -5;
export const FETCH_REMOTE_MEDIA_ATTEMPTS = 4;

/** One attachment as the federation layer read it from an `Image`/`Video`/`Document`. */
export interface RemoteAttachment {
  url: string;
  mediaType: string | null;
  kind: 'image' | 'video' | 'gifv' | 'unknown';
  /** Alt text. */
  name: string | null;
  width: number | null;
  height: number | null;
  blurhash: string | null;
  focus: Focus | null;
}

/**
 * Whether new attachments are fetched (config.federation.remoteMedia 'cache')
 * or only recorded (`off`: apps load them from the remote server, and a fetch
 * job would have nothing to do, so none is queued).
 */
export interface RemoteMediaOptions {
  fetch: boolean;
}

const FETCHED: RemoteMediaOptions = { fetch: true };

export interface RemoteMediaInput {
  /** The remote author. */
  accountId: number;
  postId: number;
  attachments: RemoteAttachment[];
}

/**
 * Adds a remote post's attachments in order and enqueues their fetching; returns
 * the new rows' ids in carousel order. Attachments that are not http(s) URLs are
 * left out (nothing could fetch them), as are any past our own carousel limit.
 */
export async function addRemoteMedia(trx: Queryable, input: RemoteMediaInput, options: RemoteMediaOptions = FETCHED): Promise<number[]> {
  const rows = usable(input.attachments).map((attachment, position) => newRow(input, attachment, position));
  await insertAndEnqueue(trx, rows, options);
  return rows.map((row) => row.id);
}

/**
 * An edited remote post's attachments: rows whose URL is still there stay
 * (rendered files and all) with the new alt text and focal point, removed ones
 * go with their files, new ones are added and fetched; the order is the new
 * one. Returns every attachment's id in carousel order.
 */
export async function replaceRemoteMedia(trx: Queryable, input: RemoteMediaInput, options: RemoteMediaOptions = FETCHED): Promise<number[]> {
  const current = (await findMediaByPostIds(trx, [input.postId])).get(input.postId) ?? [];
  const unmatched = [...current];
  const ordered: number[] = [];
  const added: NewRemoteMedia[] = [];
  for (const [position, attachment] of usable(input.attachments).entries()) {
    const index = unmatched.findIndex((media) => media.remoteUrl === attachment.url);
    if (index === -1) {
      const row = newRow(input, attachment, position);
      added.push(row);
      ordered.push(row.id);
      continue;
    }
    const [kept] = unmatched.splice(index, 1);
    const focus = cleanFocus(attachment.focus);
    await updateMediaDetails(trx, kept!.id, { description: cleanDescription(attachment.name), focusX: focus.x, focusY: focus.y });
    ordered.push(kept!.id);
  }
  await deleteMediaWithFiles(
    trx,
    unmatched.map((media) => media.id),
  );
  await insertAndEnqueue(trx, added, options);
  // Positions follow the new order, kept rows included.
  await attachMedia(trx, input.postId, input.accountId, ordered);
  return ordered;
}

/**
 * A remote post's media goes with the post (a remote `Delete`), files by a job,
 * in the caller's transaction. Call it where the post is deleted: the orphan
 * cleanup never takes remote rows, so nothing else would.
 */
export async function removeRemoteMedia(trx: Queryable, postId: number): Promise<void> {
  const media = (await findMediaByPostIds(trx, [postId])).get(postId) ?? [];
  await deleteMediaWithFiles(
    trx,
    media.map((m) => m.id),
  );
}

async function insertAndEnqueue(trx: Queryable, rows: NewRemoteMedia[], options: RemoteMediaOptions): Promise<void> {
  if (rows.length === 0) return;
  await insertRemoteMedia(trx, rows);
  if (!options.fetch) return;
  await enqueueMany(
    trx,
    rows.map((row) => ({
      type: FETCH_REMOTE_MEDIA_JOB,
      payload: { mediaId: row.id },
      options: { priority: FETCH_REMOTE_MEDIA_PRIORITY, maxAttempts: FETCH_REMOTE_MEDIA_ATTEMPTS },
    })),
  );
}

function usable(attachments: RemoteAttachment[]): RemoteAttachment[] {
  return attachments.filter((attachment) => isHttpUrl(attachment.url)).slice(0, MAX_MEDIA);
}

function newRow(input: RemoteMediaInput, attachment: RemoteAttachment, position: number): NewRemoteMedia {
  const focus = cleanFocus(attachment.focus);
  return {
    id: newId(),
    accountId: input.accountId,
    postId: input.postId,
    position,
    kind: attachment.kind satisfies MediaKind,
    mimeType: cleanMediaType(attachment.mediaType),
    remoteUrl: attachment.url,
    description: cleanDescription(attachment.name),
    blurhash: cleanBlurhash(attachment.blurhash),
    width: cleanDimension(attachment.width),
    height: cleanDimension(attachment.height),
    focusX: focus.x,
    focusY: focus.y,
  };
}

/** An http(s) URL of a sane length: all a remote document may point us at. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && text.length <= 2048;
  } catch {
    return false;
  }
}

/** A remote's alt text is theirs to write: too long is cut to our limit, not refused. */
function cleanDescription(name: string | null): string | null {
  const text = name?.trim() ?? '';
  if (text === '') return null;
  return [...text].slice(0, MAX_DESCRIPTION_LENGTH).join('').trim();
}

/** A blurhash that does not decode would break the apps that draw it; ours is computed instead. */
function cleanBlurhash(blurhash: string | null): string | null {
  if (!blurhash || blurhash.length > 128) return null;
  return isBlurhashValid(blurhash).result ? blurhash : null;
}

function cleanDimension(value: number | null): number | null {
  return value !== null && Number.isSafeInteger(value) && value > 0 && value <= 100_000 ? value : null;
}

function cleanFocus(focus: Focus | null): Focus {
  const axis = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) ? Math.min(1, Math.max(-1, n)) : 0);
  return { x: axis(focus?.x), y: axis(focus?.y) };
}

function cleanMediaType(mediaType: string | null): string | null {
  return mediaType && mediaType.length <= 64 && /^[\w.+-]+\/[\w.+-]+$/.test(mediaType) ? mediaType.toLowerCase() : null;
}
