// SQL for `media`: uploads and their rendered variants, local and remote.
// `variants` is JSON text in the column, an object here.
import { isSqlite, type Queryable } from './knex.ts';

export type MediaKind = 'image' | 'video' | 'gifv' | 'audio' | 'unknown';
export type MediaState = 'pending' | 'processing' | 'ready' | 'failed';

/** One rendered file: its storage key and pixel size. */
export interface StoredVariant {
  key: string;
  width: number;
  height: number;
  /** Bytes. */
  size?: number;
}

/**
 * What the pipeline produced. Images: original, large, small, thumbnail and
 * their WebP (and optional AVIF) siblings. Video and gifv: original (the MP4),
 * poster (full-size JPEG frame), small and thumbnail (rendered from the poster).
 */
export interface MediaVariants {
  original?: StoredVariant & { duration?: number; fps?: number; bitrate?: number };
  large?: StoredVariant;
  small?: StoredVariant;
  thumbnail?: StoredVariant;
  poster?: StoredVariant;
  largeWebp?: StoredVariant;
  smallWebp?: StoredVariant;
  thumbnailWebp?: StoredVariant;
  largeAvif?: StoredVariant;
  smallAvif?: StoredVariant;
  thumbnailAvif?: StoredVariant;
}

export interface Media {
  id: number;
  accountId: number;
  postId: number | null;
  position: number;
  kind: MediaKind;
  state: MediaState;
  /** Why processing failed, safe to show the uploader. */
  error: string | null;
  mimeType: string | null;
  fileSize: number | null;
  uploadKey: string | null;
  /** The uploader asked to keep camera make, model and exposure (never the location). */
  keepCameraInfo: boolean;
  variants: MediaVariants;
  remoteUrl: string | null;
  width: number | null;
  height: number | null;
  duration: number | null;
  blurhash: string | null;
  focusX: number;
  focusY: number;
  description: string | null;
  processedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

type Row = Record<string, unknown>;

function parseVariants(text: unknown): MediaVariants {
  try {
    const parsed: unknown = JSON.parse(String(text ?? '{}'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as MediaVariants) : {};
  } catch {
    return {};
  }
}

export function mediaFromRow(row: Row): Media {
  const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    id: Number(row.id),
    accountId: Number(row.account_id),
    postId: numberOrNull(row.post_id),
    position: Number(row.position),
    kind: row.kind as MediaKind,
    state: row.state as MediaState,
    error: (row.error as string | null) ?? null,
    mimeType: (row.mime_type as string | null) ?? null,
    fileSize: numberOrNull(row.file_size),
    uploadKey: (row.upload_key as string | null) ?? null,
    keepCameraInfo: Boolean(row.keep_camera_info),
    variants: parseVariants(row.variants),
    remoteUrl: (row.remote_url as string | null) ?? null,
    width: numberOrNull(row.width),
    height: numberOrNull(row.height),
    duration: numberOrNull(row.duration),
    blurhash: (row.blurhash as string | null) ?? null,
    focusX: Number(row.focus_x ?? 0),
    focusY: Number(row.focus_y ?? 0),
    description: (row.description as string | null) ?? null,
    processedAt: numberOrNull(row.processed_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export type NewMedia = Pick<Media, 'id' | 'accountId' | 'kind' | 'mimeType' | 'fileSize' | 'uploadKey' | 'keepCameraInfo' | 'description' | 'focusX' | 'focusY'>;

export async function insertMedia(db: Queryable, media: NewMedia, now = Date.now()): Promise<void> {
  await db('media').insert({
    id: media.id,
    account_id: media.accountId,
    kind: media.kind,
    state: 'pending',
    mime_type: media.mimeType,
    file_size: media.fileSize,
    upload_key: media.uploadKey,
    keep_camera_info: media.keepCameraInfo,
    description: media.description,
    focus_x: media.focusX,
    focus_y: media.focusY,
    created_at: now,
    updated_at: now,
  });
}

export async function findMediaById(db: Queryable, id: number): Promise<Media | undefined> {
  const row = await db('media').where({ id }).first();
  return row ? mediaFromRow(row) : undefined;
}

export async function findMediaByIds(db: Queryable, ids: number[]): Promise<Media[]> {
  if (ids.length === 0) return [];
  const rows: Row[] = await db('media').whereIn('id', ids);
  return rows.map(mediaFromRow);
}

/** The attachments of each post, in carousel order. */
export async function findMediaByPostIds(db: Queryable, postIds: number[]): Promise<Map<number, Media[]>> {
  const result = new Map<number, Media[]>();
  if (postIds.length === 0) return result;
  const rows: Row[] = await db('media').whereIn('post_id', postIds).orderBy([{ column: 'post_id' }, { column: 'position' }, { column: 'id' }]);
  for (const row of rows) {
    const media = mediaFromRow(row);
    const list = result.get(media.postId!) ?? [];
    list.push(media);
    result.set(media.postId!, list);
  }
  return result;
}

/** Claims a pending upload for processing; false when another run has it or it is done. */
export async function markMediaProcessing(db: Queryable, id: number, now = Date.now()): Promise<boolean> {
  const changed = await db('media').where({ id }).whereIn('state', ['pending', 'processing']).update({ state: 'processing', updated_at: now });
  return changed > 0;
}

export interface ProcessedMedia {
  variants: MediaVariants;
  width: number;
  height: number;
  duration: number | null;
  blurhash: string | null;
}

/** Stores what the pipeline made; false when the row is gone or no longer processing (deleted meanwhile). */
export async function markMediaReady(db: Queryable, id: number, result: ProcessedMedia, now = Date.now()): Promise<boolean> {
  const changed = await db('media')
    .where({ id, state: 'processing' })
    .update({
      state: 'ready',
      variants: JSON.stringify(result.variants),
      width: result.width,
      height: result.height,
      duration: result.duration,
      blurhash: result.blurhash,
      upload_key: null,
      error: null,
      processed_at: now,
      updated_at: now,
    });
  return changed > 0;
}

export async function markMediaFailed(db: Queryable, id: number, error: string, now = Date.now()): Promise<void> {
  await db('media').where({ id }).whereNot('state', 'ready').update({ state: 'failed', error, upload_key: null, updated_at: now });
}

export async function updateMediaDetails(
  db: Queryable,
  id: number,
  changes: { description?: string | null; focusX?: number; focusY?: number },
  now = Date.now(),
): Promise<void> {
  const row: Row = { updated_at: now };
  if (changes.description !== undefined) row.description = changes.description;
  if (changes.focusX !== undefined) row.focus_x = changes.focusX;
  if (changes.focusY !== undefined) row.focus_y = changes.focusY;
  await db('media').where({ id }).update(row);
}

/** Attaches media to a post in the given order; only rows of `accountId` not attached elsewhere are taken. */
export async function attachMedia(db: Queryable, postId: number, accountId: number, orderedIds: number[], now = Date.now()): Promise<number> {
  let attached = 0;
  for (const [position, id] of orderedIds.entries()) {
    attached += await db('media')
      .where({ id, account_id: accountId })
      .where((q) => q.whereNull('post_id').orWhere('post_id', postId))
      .update({ post_id: postId, position, updated_at: now });
  }
  return attached;
}

/**
 * Deletes rows and returns every storage key they held (variants and uploads),
 * for a file-removal job. `unattachedOnly` leaves any that a post took
 * meanwhile (the orphan cleanup racing a post); call it in a transaction.
 */
export async function deleteMediaRows(db: Queryable, ids: number[], options: { unattachedOnly?: boolean } = {}): Promise<string[]> {
  if (ids.length === 0) return [];
  const select = db('media').whereIn('id', ids);
  if (options.unattachedOnly) {
    select.whereNull('post_id');
    // Postgres: hold the rows so a concurrent attach waits; SQLite's one writer serializes anyway.
    if (!isSqlite(db)) select.forUpdate();
  }
  const rows = ((await select) as Row[]).map(mediaFromRow);
  if (rows.length > 0) await db('media').whereIn('id', rows.map((row) => row.id)).delete();
  return rows.flatMap(storageKeysOf);
}

export function storageKeysOf(media: Pick<Media, 'variants' | 'uploadKey'>): string[] {
  const keys = Object.values(media.variants).map((variant) => variant?.key).filter((key): key is string => typeof key === 'string');
  if (media.uploadKey) keys.push(media.uploadKey);
  return [...new Set(keys)];
}

/** Ids of uploads never attached to a post and older than `before` (epoch ms), oldest first. */
export async function findOrphanMediaIds(db: Queryable, before: number, limit: number): Promise<number[]> {
  const rows: Row[] = await db('media').whereNull('post_id').whereNull('remote_url').where('created_at', '<', before).orderBy('created_at').limit(limit).select('id');
  return rows.map((row) => Number(row.id));
}
