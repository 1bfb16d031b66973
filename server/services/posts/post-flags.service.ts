// Flags only the author sets on their post: pinned to the profile (Mastodon's
// featured posts, at most five) and archived (Instagram's Archive: hidden from
// everyone else and from the profile, kept for the owner).
import type { Db } from '../../db/knex.ts';
import { countPinnedPosts, updatePost, type Post } from '../../db/posts.repo.ts';
import { unprocessable } from '../../errors.ts';
import { findOwnPost } from './own-post.ts';

export const MAX_PINNED = 5;

export async function setPinned(db: Db, accountId: number, id: number, pinned: boolean): Promise<Post> {
  const post = await findOwnPost(db, accountId, id);
  if (pinned && post.pinnedAt === null) {
    if (post.visibility === 'direct') throw unprocessable('Validation failed: a direct message cannot be pinned');
    if (post.inReplyToId !== null) throw unprocessable('Validation failed: a comment cannot be pinned');
    if ((await countPinnedPosts(db, accountId)) >= MAX_PINNED) throw unprocessable(`Validation failed: you can pin at most ${MAX_PINNED} posts`);
    await updatePost(db, id, { pinnedAt: Date.now() });
  } else if (!pinned && post.pinnedAt !== null) {
    await updatePost(db, id, { pinnedAt: null });
  }
  return findOwnPost(db, accountId, id);
}

export async function setArchived(db: Db, accountId: number, id: number, archived: boolean): Promise<Post> {
  const post = await findOwnPost(db, accountId, id);
  if (archived !== (post.archivedAt !== null)) await updatePost(db, id, { archivedAt: archived ? Date.now() : null });
  return findOwnPost(db, accountId, id);
}
