// SQL for what a viewer has done with posts: liked, saved, shared. One query
// per kind for a whole page of posts, never one per post.
import type { Queryable } from './knex.ts';

export interface ViewerPostState {
  liked: Set<number>;
  bookmarked: Set<number>;
  reblogged: Set<number>;
}

type Row = Record<string, unknown>;

export async function findViewerPostState(db: Queryable, viewerId: number, postIds: number[]): Promise<ViewerPostState> {
  if (postIds.length === 0) return { liked: new Set(), bookmarked: new Set(), reblogged: new Set() };
  const [likes, bookmarks, reblogs] = await Promise.all([
    db('likes').where('account_id', viewerId).whereIn('post_id', postIds).select('post_id') as Promise<Row[]>,
    db('bookmarks').where('account_id', viewerId).whereIn('post_id', postIds).select('post_id') as Promise<Row[]>,
    db('posts').where('account_id', viewerId).whereIn('reblog_of_id', postIds).whereNull('deleted_at').select('reblog_of_id') as Promise<Row[]>,
  ]);
  return {
    liked: new Set(likes.map((row) => Number(row.post_id))),
    bookmarked: new Set(bookmarks.map((row) => Number(row.post_id))),
    reblogged: new Set(reblogs.map((row) => Number(row.reblog_of_id))),
  };
}
