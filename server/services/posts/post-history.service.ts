// A post's versions (GET /api/v1/statuses/:id/history) and its source text
// (GET /api/v1/statuses/:id/source, what an app's editor starts from).
import type { Queryable } from '../../db/knex.ts';
import { findMediaByIds, type Media } from '../../db/media.repo.ts';
import { countPostEdits, insertPostEdit, listPostEdits, type MediaSnapshot, type PostEdit } from '../../db/post-edits.repo.ts';
import type { Post } from '../../db/posts.repo.ts';
import type { ViewerId } from '../visibility/post-visibility.ts';
import type { PostView } from './post-views.ts';
import { getPostView } from './read-posts.service.ts';

export interface PostVersion {
  edit: Omit<PostEdit, 'media'>;
  /** Attachments as they were in this version (alt text and focus of then), where the file still exists. */
  media: Media[];
}

/** Oldest first; a post never edited has one version, itself. */
export async function getPostHistory(db: Queryable, viewer: ViewerId, id: number): Promise<{ view: PostView; versions: PostVersion[] }> {
  const view = await getPostView(db, viewer, id);
  const edits = await listPostEdits(db, id);
  if (edits.length === 0) {
    const { post } = view;
    const edit = { id: post.id, postId: post.id, caption: post.caption, captionHtml: post.captionHtml, spoilerText: post.spoilerText, sensitive: post.sensitive, locationName: post.locationName, createdAt: post.createdAt };
    return { view, versions: [{ edit, media: view.media }] };
  }
  const files = new Map((await findMediaByIds(db, [...new Set(edits.flatMap((e) => e.media.map((m) => m.id)))])).map((m) => [m.id, m]));
  const versions = edits.map(({ media, ...edit }) => ({
    edit,
    media: media.flatMap((snapshot) => {
      const file = files.get(snapshot.id);
      return file ? [{ ...file, description: snapshot.description, focusX: snapshot.focusX, focusY: snapshot.focusY }] : [];
    }),
  }));
  return { view, versions };
}

/**
 * Before a post's first edit is stored, its original is kept as a version
 * too, so the history starts where the post did (local and remote edits alike).
 */
export async function keepOriginalVersion(trx: Queryable, post: Post, media: MediaSnapshot[]): Promise<void> {
  if ((await countPostEdits(trx, post.id)) > 0) return;
  await insertPostEdit(trx, {
    postId: post.id,
    caption: post.caption,
    captionHtml: post.captionHtml,
    spoilerText: post.spoilerText,
    sensitive: post.sensitive,
    media,
    locationName: post.locationName,
    createdAt: post.createdAt,
  });
}
