// The home feeds' numbers and job names (docs/decisions/0005). The numbers are
// constants until config/ has settings for them; tests pass their own through
// registerFeedJobs' tuning argument.

/** Entries each home feed keeps, newest first (Mastodon's number). */
export const FEED_SIZE = 800;
/** Follower rows one fan-out transaction inserts (DESIGN.md: about a thousand). */
export const FANOUT_BATCH = 1000;
/** A delivery trims a recipient's feed once in this many posts, chosen by ids (trimming costs a walk of the feed). */
export const TRIM_ONE_IN = 32;
/** Recent posts of a newly followed account that come into the follower's feed. */
export const BACKFILL_POSTS = 40;
/** Feeds one trim transaction works on. */
export const TRIM_CHUNK = 100;
/** Rows one removal transaction deletes. */
export const REMOVE_BATCH = 1000;

export interface FeedTuning {
  feedSize: number;
  fanoutBatch: number;
  trimOneIn: number;
  /** How long after a fan-out its trims become due (see TRIM_DELAY_MS). */
  trimDelayMs: number;
  backfillPosts: number;
}

export const FANOUT_JOB = 'feed.fanout';
export const DELIVER_JOB = 'feed.deliver';
export const TRIM_JOB = 'feed.trim';
export const BACKFILL_JOB = 'feed.backfill';
export const REMOVE_AUTHOR_JOB = 'feed.remove';

/**
 * Trims wait behind deliveries: a reader should get the post before anyone
 * tidies up. Low priority alone is not enough: a worker with a free slot
 * would claim a trim while the last batches of a large fan-out still run,
 * and on SQLite the two then queue for the one connection; so trims are also
 * due only some seconds later (a 50k-follower fan-out takes about two).
 */
export const TRIM_PRIORITY = -1;
export const TRIM_DELAY_MS = 10_000;

export const DEFAULT_TUNING: FeedTuning = { feedSize: FEED_SIZE, fanoutBatch: FANOUT_BATCH, trimOneIn: TRIM_ONE_IN, trimDelayMs: TRIM_DELAY_MS, backfillPosts: BACKFILL_POSTS };
