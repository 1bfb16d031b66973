// The author's own post, for changes only its author may make.
import type { Queryable } from '../../db/knex.ts';
import { findPostById, type Post } from '../../db/posts.repo.ts';
import { notFound } from '../../errors.ts';

/** Someone else's post is a 404, as Mastodon answers: whether it exists is not theirs to learn. */
export async function findOwnPost(db: Queryable, accountId: number, id: number): Promise<Post> {
  const post = await findPostById(db, id);
  if (!post || post.accountId !== accountId) throw notFound();
  return post;
}
