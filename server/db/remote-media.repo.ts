// SQL for remote media: rows that arrive with a remote post (its URL in
// `remote_url`, the remote's blurhash, size hints and alt text), and the step
// where the media.fetch-remote job records what it fetched before rendering.
import type { Queryable } from './knex.ts';
import type { MediaKind } from './media.repo.ts';

export interface NewRemoteMedia {
  id: number;
  accountId: number;
  postId: number;
  position: number;
  /** What the remote said it is; the fetched bytes decide in the end. */
  kind: MediaKind;
  mimeType: string | null;
  remoteUrl: string;
  description: string | null;
  blurhash: string | null;
  width: number | null;
  height: number | null;
  focusX: number;
  focusY: number;
}

/** Inserts pending rows attached to their post. */
export async function insertRemoteMedia(db: Queryable, rows: NewRemoteMedia[], now = Date.now()): Promise<void> {
  if (rows.length === 0) return;
  await db('media').insert(
    rows.map((media) => ({
      id: media.id,
      account_id: media.accountId,
      post_id: media.postId,
      position: media.position,
      kind: media.kind,
      state: 'pending',
      mime_type: media.mimeType,
      remote_url: media.remoteUrl,
      description: media.description,
      blurhash: media.blurhash,
      width: media.width,
      height: media.height,
      focus_x: media.focusX,
      focus_y: media.focusY,
      created_at: now,
      updated_at: now,
    })),
  );
}

/**
 * Records the fetched file of a row being processed: what it turned out to be
 * and the private key holding it. False when the row is gone or no longer
 * processing (deleted meanwhile): the caller then removes the file itself.
 */
export async function recordRemoteFetch(
  db: Queryable,
  id: number,
  fetched: { kind: MediaKind; mimeType: string; fileSize: number; uploadKey: string },
  now = Date.now(),
): Promise<boolean> {
  const changed = await db('media')
    .where({ id, state: 'processing' })
    .update({ kind: fetched.kind, mime_type: fetched.mimeType, file_size: fetched.fileSize, upload_key: fetched.uploadKey, error: null, updated_at: now });
  return changed > 0;
}
