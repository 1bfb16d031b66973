// What other services tell the home feeds, enqueued in their write's
// transaction (DESIGN.md rule 4); the jobs do the work (fan-out.job.ts,
// follow-feed.job.ts). Callers: posting and sharing, follows, blocks, mutes.
import { insertOwnFeedEntry } from '../../db/home-feed.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import type { Post } from '../../db/posts.repo.ts';
import { enqueue } from '../../jobs/queue.ts';
import { BACKFILL_JOB, FANOUT_JOB, REMOVE_AUTHOR_JOB } from './feed-settings.ts';

/**
 * A post (or a share: a reblog row) was published: it goes into its author's
 * own feed at once (one row, so the author sees it on their next read) and
 * to their followers' (and its hashtags' followers') feeds by a job.
 * Direct posts never come here (conversations carry them).
 */
export async function feedPostPublished(trx: Queryable, post: Post): Promise<void> {
  if (post.visibility === 'direct') return;
  // Only our own users have a home feed (a remote author's post has a uri).
  if (post.uri === null) await insertOwnFeedEntry(trx, post);
  await enqueue(trx, FANOUT_JOB, { postId: post.id });
}

/** `accountId` now follows `authorId`: their recent posts come into its feed. */
export async function feedFollowStarted(trx: Queryable, accountId: number, authorId: number): Promise<void> {
  await enqueue(trx, BACKFILL_JOB, { accountId, authorId });
}

/** `authorId`'s posts leave `accountId`'s feed (unfollow, block either way, mute). */
export async function feedAuthorRemoved(trx: Queryable, accountId: number, authorId: number): Promise<void> {
  await enqueue(trx, REMOVE_AUTHOR_JOB, { accountId, authorId });
}
