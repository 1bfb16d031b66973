// A follow brings the followee's recent posts into the follower's feed
// (`feed.backfill`); an unfollow, block or mute takes the author's posts out
// (`feed.remove`, in batches, reading the one feed on its primary key).
// Both look at the relationship as it is when they run, so a follow undone
// before its backfill ran, or an unfollow followed by a new follow, ends with
// the feed matching the relationship that stands.
import { findAccountById } from '../../db/accounts.repo.ts';
import { backfillFromAuthor, readerRelation, removeAuthorBatch, removeReblogsOfAuthor, trimFeeds } from '../../db/home-feed.repo.ts';
import type { Db } from '../../db/knex.ts';
import { REMOVE_BATCH, type FeedTuning } from './feed-settings.ts';

export interface FollowFeedPayload {
  accountId: number;
  authorId: number;
}

export async function backfillFollow(db: Db, { accountId, authorId }: FollowFeedPayload, tuning: FeedTuning): Promise<void> {
  const reader = await findAccountById(db, accountId);
  // A remote follower's feed lives on its own server.
  if (!reader || reader.domain !== null) return;
  const relation = await readerRelation(db, accountId, authorId);
  if (!relation.follows || relation.mutedOrBlocked) return;
  await db.transaction(async (trx) => {
    const inserted = await backfillFromAuthor(trx, accountId, authorId, { limit: tuning.backfillPosts, withReblogs: relation.showReblogs });
    if (inserted > 0) await trimFeeds(trx, [accountId], tuning.feedSize);
  });
}

export async function removeAuthorFromFeed(db: Db, { accountId, authorId }: FollowFeedPayload, signal: AbortSignal): Promise<void> {
  const relation = await readerRelation(db, accountId, authorId);
  // Followed again since, with nothing between them: the posts belong there.
  if (relation.follows && !relation.mutedOrBlocked) return;
  while (!(await db.transaction((trx) => removeAuthorBatch(trx, accountId, authorId, REMOVE_BATCH)))) {
    if (signal.aborted) throw new Error('stopped before the feed was cleared; it will be resumed');
  }
  // A block or mute hides others' shares of the author's posts too (an unfollow does not).
  if (relation.mutedOrBlocked) await db.transaction((trx) => removeReblogsOfAuthor(trx, accountId, authorId));
}
