// Fan-out on write (docs/decisions/0005). `feed.fanout` plans: it splits the
// post's audience (its author's followers; for a public post, its hashtags'
// followers too) into batches of about a thousand follow rows, computed by the
// database, delivers the first batch itself and enqueues one `feed.deliver`
// job per other batch, all in one transaction. Each delivery is one short
// transaction (one INSERT … SELECT), so a 50,000-follower account neither
// stalls the queue nor holds the SQLite writer for long, and on Postgres
// batches run in parallel. Recipients whose feed is due for trimming get a
// low-priority `feed.trim` job.
import { findHashtagsByPostIds } from '../../db/post-tags.repo.ts';
import {
  deliverToFollowers,
  deliverToTagFollowers,
  followerBatchBounds,
  followersToTrim,
  tagFollowerBatchBounds,
  tagFollowersToTrim,
  trimFeeds,
  type FeedPost,
  type IdRange,
} from '../../db/home-feed.repo.ts';
import type { Db, Queryable } from '../../db/knex.ts';
import { findPostById, type Post } from '../../db/posts.repo.ts';
import { enqueue, enqueueMany } from '../../jobs/queue.ts';
import { DELIVER_JOB, TRIM_CHUNK, TRIM_JOB, TRIM_PRIORITY, type FeedTuning } from './feed-settings.ts';

export interface FanoutPayload {
  postId: number;
}

type Audience = { kind: 'followers' } | { kind: 'tags'; hashtagIds: number[] };

export interface DeliverPayload {
  postId: number;
  audience: Audience;
  after: number;
  until: number | null;
}

export interface TrimPayload {
  accountIds: number[];
}

/** The post as fan-out needs it, or null when it is gone or goes to no feed. */
async function feedPostOf(db: Queryable, postId: number): Promise<{ post: Post; feedPost: FeedPost } | null> {
  const post = await findPostById(db, postId);
  if (!post || post.visibility === 'direct') return null;
  let reblogOf: FeedPost['reblogOf'] = null;
  if (post.reblogOfId !== null) {
    const original = await findPostById(db, post.reblogOfId);
    if (!original) return null;
    reblogOf = { id: original.id, accountId: original.accountId };
  }
  return { post, feedPost: { id: post.id, accountId: post.accountId, reblogOf, inReplyToAccountId: post.inReplyToAccountId } };
}

/** Bounds [b1, …, bk] → (0, b1], (b1, b2], …, (bk, end). */
function rangesOf(bounds: number[]): IdRange[] {
  const ranges: IdRange[] = [];
  let after = 0;
  for (const bound of bounds) {
    ranges.push({ after, until: bound });
    after = bound;
  }
  ranges.push({ after, until: null });
  return ranges;
}

/** Public, original posts reach the followers of their hashtags too (as Mastodon's). */
async function tagAudience(db: Queryable, post: Post): Promise<number[]> {
  if (post.visibility !== 'public' || post.reblogOfId !== null) return [];
  return ((await findHashtagsByPostIds(db, [post.id])).get(post.id) ?? []).map((tag) => tag.id);
}

/** One batch in one transaction: the rows, and the trims it makes due. */
async function deliverBatch(db: Db, feedPost: FeedPost, audience: Audience, range: IdRange, tuning: FeedTuning): Promise<number> {
  return db.transaction(async (trx) => {
    const inserted =
      audience.kind === 'followers' ? await deliverToFollowers(trx, feedPost, range) : await deliverToTagFollowers(trx, feedPost, audience.hashtagIds, range);
    if (inserted > 0) {
      const due =
        audience.kind === 'followers'
          ? await followersToTrim(trx, feedPost.accountId, range, feedPost.id, tuning.trimOneIn)
          : await tagFollowersToTrim(trx, audience.hashtagIds, range, feedPost.id, tuning.trimOneIn);
      await enqueueTrims(trx, due);
    }
    return inserted;
  });
}

async function enqueueTrims(trx: Queryable, accountIds: number[]): Promise<void> {
  const jobs = [];
  for (let start = 0; start < accountIds.length; start += TRIM_CHUNK) {
    jobs.push({ type: TRIM_JOB, payload: { accountIds: accountIds.slice(start, start + TRIM_CHUNK) } satisfies TrimPayload, options: { priority: TRIM_PRIORITY } });
  }
  if (jobs.length > 0) await enqueueMany(trx, jobs);
}

/** `feed.fanout`: plan the batches, deliver the first of each audience, enqueue the rest. */
export async function fanOutPost(db: Db, payload: FanoutPayload, tuning: FeedTuning): Promise<void> {
  const found = await feedPostOf(db, payload.postId);
  if (!found) return;
  const { post, feedPost } = found;
  const audiences: { audience: Audience; ranges: IdRange[] }[] = [{ audience: { kind: 'followers' }, ranges: rangesOf(await followerBatchBounds(db, post.accountId, tuning.fanoutBatch)) }];
  const hashtagIds = await tagAudience(db, post);
  if (hashtagIds.length > 0) {
    audiences.push({ audience: { kind: 'tags', hashtagIds }, ranges: rangesOf(await tagFollowerBatchBounds(db, hashtagIds, tuning.fanoutBatch)) });
  }
  const later: DeliverPayload[] = audiences.flatMap(({ audience, ranges }) => ranges.slice(1).map((range) => ({ postId: post.id, audience, ...range })));
  // The rest first, in their own transaction: other workers (Postgres) start on them while this one delivers.
  // A retried plan enqueues nothing twice while the first copies wait (dedupe keys).
  if (later.length > 0) await enqueueMany(db, later.map((p) => ({ type: DELIVER_JOB, payload: p, options: { dedupeKey: `${DELIVER_JOB}:${p.postId}:${p.audience.kind}:${p.after}` } })));
  for (const { audience, ranges } of audiences) await deliverBatch(db, feedPost, audience, ranges[0]!, tuning);
  // The author's own feed took the post when it was published; it is trimmed like any other.
  if (post.accountId % tuning.trimOneIn === post.id % tuning.trimOneIn) await enqueue(db, TRIM_JOB, { accountIds: [post.accountId] } satisfies TrimPayload, { priority: TRIM_PRIORITY });
}

/** `feed.deliver`: one planned batch. */
export async function deliverPlannedBatch(db: Db, payload: DeliverPayload, tuning: FeedTuning): Promise<void> {
  const found = await feedPostOf(db, payload.postId);
  if (!found) return;
  await deliverBatch(db, found.feedPost, payload.audience, { after: payload.after, until: payload.until }, tuning);
}

/** `feed.trim`: each feed back to its newest entries, a few feeds per transaction. */
export async function trimPlannedFeeds(db: Db, payload: TrimPayload, tuning: FeedTuning): Promise<void> {
  await db.transaction((trx) => trimFeeds(trx, payload.accountIds, tuning.feedSize));
}
