// The home feeds' numbers and job names (docs/decisions/0005). Feed size,
// fan-out batch and trim rate are operator settings (config/settings.ts:
// VIEWFINDER_HOME_FEED_SIZE, _FANOUT_BATCH, _TRIM_ONE_IN, whose defaults are
// 800, 1,000 and 32); the rest are constants here. Tests pass their own
// numbers through registerFeedJobs' tuning argument.
import type { Config } from '../../../config/load.ts';

/** Recent posts of a newly followed account that come into the follower's feed. */
export const BACKFILL_POSTS = 40;
/** Feeds one trim transaction works on. */
export const TRIM_CHUNK = 100;
/** Rows one removal transaction deletes. */
export const REMOVE_BATCH = 1000;

export interface FeedTuning {
  /** Entries each home feed keeps, newest first. */
  feedSize: number;
  /** Follower rows one fan-out transaction inserts (DESIGN.md: about a thousand). */
  fanoutBatch: number;
  /** A delivery trims a recipient's feed once in this many posts, chosen by ids (trimming costs a walk of the feed). */
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

/** The numbers the feed jobs run with: the configured ones, then the constants, then `overrides` (tests). */
export function feedTuning(config: Pick<Config, 'homeFeed'>, overrides: Partial<FeedTuning> = {}): FeedTuning {
  return {
    feedSize: config.homeFeed.size,
    fanoutBatch: config.homeFeed.fanoutBatch,
    trimOneIn: config.homeFeed.trimOneIn,
    trimDelayMs: TRIM_DELAY_MS,
    backfillPosts: BACKFILL_POSTS,
    ...overrides,
  };
}
