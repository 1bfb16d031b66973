// The post an interaction acts on. Liking, sharing or saving a share acts on
// its original, as Mastodon does; the post must be one the actor may see
// (the visibility policy: a block either way, a followers-only post of
// someone not followed…), else it is a 404, the same as a post that does not
// exist.
import { findAccountById, type Account } from '../../db/accounts.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { findPostById, type Post } from '../../db/posts.repo.ts';
import { notFound } from '../../errors.ts';
import { mayViewPost, type ViewerId } from '../visibility/post-visibility.ts';

export interface TargetPost {
  post: Post;
  author: Account;
}

/** The original behind `id` (itself, or the post a share points to), or undefined when there is none. */
export async function findOriginal(db: Queryable, id: number): Promise<Post | undefined> {
  const post = await findPostById(db, id);
  if (!post || post.reblogOfId === null) return post;
  return findPostById(db, post.reblogOfId);
}

/** The original behind `id`, if `viewer` may see it; otherwise 404. */
export async function visibleTarget(db: Queryable, viewer: ViewerId, id: number): Promise<TargetPost> {
  const post = await findOriginal(db, id);
  const author = post ? await findAccountById(db, post.accountId) : undefined;
  if (!post || !author || !(await mayViewPost(db, viewer, post, author))) throw notFound();
  return { post, author };
}
