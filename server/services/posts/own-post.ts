// The author's own post, for changes only its author may make.
import type { Queryable } from '../../db/knex.ts';
import { findPostById, type Post } from '../../db/posts.repo.ts';
import { notFound } from '../../errors.ts';

/**
 * Someone else's post is a 404, as Mastodon answers: whether it exists is not
 * theirs to learn. A share (reblog row) is not editable, pinnable or
 * archivable either; only deleting takes `shares: true`.
 */
export async function findOwnPost(db: Queryable, accountId: number, id: number, options: { shares?: boolean } = {}): Promise<Post> {
  const post = await findPostById(db, id);
  if (!post || post.accountId !== accountId) throw notFound();
  if (post.reblogOfId !== null && !options.shares) throw notFound();
  return post;
}
