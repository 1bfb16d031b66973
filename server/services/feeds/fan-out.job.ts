// Fan-out on write (docs/decisions/0005). `feed.fanout` plans: it splits the
// post's audience (its author's followers; for a public post, its hashtags'
// followers too) into batches of about a thousand follow rows, computed by the
// database, enqueues one `feed.deliver` job per batch but the first, which it
// delivers itself, and one low-priority `feed.trim` job per batch for the
// recipients whose feed is due for trimming. Each delivery is one short
// transaction (one INSERT … SELECT), so a 50,000-follower account neither
// stalls the queue nor holds the SQLite writer for long, and on Postgres
// batches run in parallel.
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

/** Feeds to trim: these accounts, or the recipients of one planned batch that are due (feed-settings' trimOneIn). */
export type TrimPayload = { accountIds: number[] } | DeliverPayload;

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

/** One batch: one statement in one short transaction. */
async function deliverBatch(db: Db, feedPost: FeedPost, audience: Audience, range: IdRange): Promise<number> {
  return db.transaction((trx) =>
    audience.kind === 'followers' ? deliverToFollowers(trx, feedPost, range) : deliverToTagFollowers(trx, feedPost, audience.hashtagIds, range),
  );
}

/** `feed.fanout`: plan the batches, deliver the first of each audience, enqueue the rest and the trims. */
export async function fanOutPost(db: Db, payload: FanoutPayload, tuning: FeedTuning): Promise<void> {
  const found = await feedPostOf(db, payload.postId);
  if (!found) return;
  const { post, feedPost } = found;
  const audiences: { audience: Audience; ranges: IdRange[] }[] = [{ audience: { kind: 'followers' }, ranges: rangesOf(await followerBatchBounds(db, post.accountId, tuning.fanoutBatch)) }];
  const hashtagIds = await tagAudience(db, post);
  if (hashtagIds.length > 0) {
    audiences.push({ audience: { kind: 'tags', hashtagIds }, ranges: rangesOf(await tagFollowerBatchBounds(db, hashtagIds, tuning.fanoutBatch)) });
  }
  const batches: DeliverPayload[] = audiences.flatMap(({ audience, ranges }) => ranges.map((range) => ({ postId: post.id, audience, ...range })));
  const key = (type: string, p: DeliverPayload) => `${type}:${p.postId}:${p.audience.kind}:${p.after}`;
  // The later batches first (other workers, on Postgres, start on them while this one delivers),
  // and each batch's trim, low priority so it runs after the deliveries. A retried plan
  // enqueues nothing twice while the first copies wait (dedupe keys).
  // The batches delivered here have their due recipients found now, so a
  // post whose few readers are not due (most posts: one in trimOneIn is)
  // queues no trim job at all.
  const first = batches.filter((b) => b.after === 0);
  const firstDue = await Promise.all(first.map((p) => dueForTrim(db, post, p, tuning)));
  const trims = [
    ...batches.filter((p) => p.after !== 0).map((p) => ({ payload: p as TrimPayload, dedupeKey: key(TRIM_JOB, p) })),
    ...first.flatMap((p, i) => (firstDue[i]!.length === 0 ? [] : [{ payload: { accountIds: firstDue[i]! } as TrimPayload, dedupeKey: key(TRIM_JOB, p) }])),
  ];
  await enqueueMany(db, [
    ...batches.filter((p) => p.after !== 0).map((p) => ({ type: DELIVER_JOB, payload: p, options: { dedupeKey: key(DELIVER_JOB, p) } })),
    ...trims.map(({ payload, dedupeKey }) => ({ type: TRIM_JOB, payload, options: { priority: TRIM_PRIORITY, delayMs: tuning.trimDelayMs, dedupeKey } })),
  ]);
  for (const p of first) await deliverBatch(db, feedPost, p.audience, p);
  // The author's own feed took the post when it was published; it is trimmed like any other.
  if (post.accountId % tuning.trimOneIn === post.id % tuning.trimOneIn) await enqueue(db, TRIM_JOB, { accountIds: [post.accountId] } satisfies TrimPayload, { priority: TRIM_PRIORITY, delayMs: tuning.trimDelayMs });
}

/** The recipients of one planned batch whose feed is due for trimming once the post is in it. */
function dueForTrim(db: Queryable, post: Post, p: DeliverPayload, tuning: FeedTuning): Promise<number[]> {
  const range = { after: p.after, until: p.until };
  return p.audience.kind === 'followers'
    ? followersToTrim(db, post.accountId, range, post.id, tuning.trimOneIn)
    : tagFollowersToTrim(db, p.audience.hashtagIds, range, post.id, tuning.trimOneIn);
}

/** `feed.deliver`: one planned batch. */
export async function deliverPlannedBatch(db: Db, payload: DeliverPayload): Promise<void> {
  const found = await feedPostOf(db, payload.postId);
  if (!found) return;
  await deliverBatch(db, found.feedPost, payload.audience, { after: payload.after, until: payload.until });
}

/** `feed.trim`: each due feed back to its newest entries, a few feeds per transaction. */
export async function trimPlannedFeeds(db: Db, payload: TrimPayload, tuning: FeedTuning): Promise<void> {
  let accountIds: number[];
  if ('accountIds' in payload) accountIds = payload.accountIds;
  else {
    const post = await findPostById(db, payload.postId);
    if (!post) return; // deleted: its purge takes its rows out
    accountIds = await dueForTrim(db, post, payload, tuning);
  }
  for (let start = 0; start < accountIds.length; start += TRIM_CHUNK) {
    await db.transaction((trx) => trimFeeds(trx, accountIds.slice(start, start + TRIM_CHUNK), tuning.feedSize));
  }
}
