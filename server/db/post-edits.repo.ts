// SQL for `post_edits`: snapshots of a post's earlier and current versions,
// shown by GET /api/v1/statuses/:id/history.
import { newId } from './ids.ts';
import type { Queryable } from './knex.ts';

/** An attachment as it was in one version. */
export interface MediaSnapshot {
  id: number;
  description: string | null;
  focusX: number;
  focusY: number;
}

export interface PostEdit {
  id: number;
  postId: number;
  caption: string;
  captionHtml: string;
  spoilerText: string;
  sensitive: boolean;
  media: MediaSnapshot[];
  locationName: string | null;
  createdAt: number;
}

type Row = Record<string, unknown>;

export async function insertPostEdit(db: Queryable, edit: Omit<PostEdit, 'id'>): Promise<void> {
  await db('post_edits').insert({
    // Ids sort by time: the snapshot of the original version is dated to the post.
    id: newId(edit.createdAt),
    post_id: edit.postId,
    caption: edit.caption,
    caption_html: edit.captionHtml,
    spoiler_text: edit.spoilerText,
    sensitive: edit.sensitive,
    media: JSON.stringify(edit.media),
    location_name: edit.locationName,
    created_at: edit.createdAt,
  });
}

export async function countPostEdits(db: Queryable, postId: number): Promise<number> {
  const row = await db('post_edits').where({ post_id: postId }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Oldest version first, as Mastodon lists them. */
export async function listPostEdits(db: Queryable, postId: number): Promise<PostEdit[]> {
  const rows: Row[] = await db('post_edits').where({ post_id: postId }).orderBy([{ column: 'created_at' }, { column: 'id' }]);
  return rows.map((row) => ({
    id: Number(row.id),
    postId: Number(row.post_id),
    caption: String(row.caption),
    captionHtml: String(row.caption_html),
    spoilerText: String(row.spoiler_text ?? ''),
    sensitive: Boolean(row.sensitive),
    media: parseSnapshot(row.media),
    locationName: (row.location_name as string | null) ?? null,
    createdAt: Number(row.created_at),
  }));
}

function parseSnapshot(text: unknown): MediaSnapshot[] {
  try {
    const parsed: unknown = JSON.parse(String(text ?? '[]'));
    return Array.isArray(parsed) ? (parsed as MediaSnapshot[]) : [];
  } catch {
    return [];
  }
}
