// Liking (Mastodon's favourite). The like row, the post's count and the
// author's notification are written in one transaction; the count moves only
// when a row was really inserted or deleted, so double likes and concurrent
// requests never make it drift.
import type { Db } from '../../db/knex.ts';
import { adjustLikesCount, deleteLike, insertLike } from '../../db/likes.repo.ts';
import { notify, withdrawNotification } from '../notifications/notify.ts';
import { federate } from '../federation/outbound.ts';
import { retryOnIdCollision } from './id-collision.ts';
import { findOriginal, visibleTarget } from './target-post.ts';

/**
 * Likes the post (or the original of a share); returns the id of the post
 * liked. Local and remote likes alike: an inbox listener passes the Like
 * activity's id as `uri`.
 */
export async function likePost(db: Db, accountId: number, id: number, options: { uri?: string } = {}): Promise<number> {
  const { post } = await visibleTarget(db, accountId, id);
  await retryOnIdCollision(() =>
    db.transaction(async (trx) => {
      // The insert comes first: on SQLite the transaction takes the write lock at once.
      if (!(await insertLike(trx, accountId, post.id, options.uri ?? null))) return;
      await adjustLikesCount(trx, post.id, 1);
      if (post.accountId !== accountId) await notify(trx, { type: 'favourite', recipientId: post.accountId, fromAccountId: accountId, postId: post.id });
      await federate(trx, { type: 'like', accountId, postId: post.id, postAuthorId: post.accountId });
    }),
  );
  return post.id;
}

/**
 * Takes the like back. As on Mastodon this works even on a post the account
 * may no longer see; the answer (the post) then is a 404 to the caller.
 * Returns the id of the post unliked, or undefined when there is no such post.
 */
export async function unlikePost(db: Db, accountId: number, id: number): Promise<number | undefined> {
  const post = await findOriginal(db, id);
  if (!post) return undefined;
  await db.transaction(async (trx) => {
    if (await deleteLike(trx, accountId, post.id)) {
      await adjustLikesCount(trx, post.id, -1);
      // An undone like leaves no notification behind, as on Mastodon.
      await withdrawNotification(trx, { type: 'favourite', recipientId: post.accountId, fromAccountId: accountId, postId: post.id });
      await federate(trx, { type: 'undo-like', accountId, postId: post.id, postAuthorId: post.accountId });
    }
  });
  return post.id;
}
