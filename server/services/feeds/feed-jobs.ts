// The home-feed jobs (docs/decisions/0005): fan-out of a post in batches,
// trimming, backfill on follow, removal on unfollow/block/mute. Registered
// from server/jobs/handlers.ts with the configured numbers (config.homeFeed);
// tests pass their own as `tuning`.
import type { Config } from '../../../config/load.ts';
import type { Db } from '../../db/knex.ts';
import type { JobRegistry } from '../../jobs/registry.ts';
import { deliverPlannedBatch, fanOutPost, trimPlannedFeeds, type DeliverPayload, type FanoutPayload, type TrimPayload } from './fan-out.job.ts';
import { BACKFILL_JOB, DELIVER_JOB, FANOUT_JOB, REMOVE_AUTHOR_JOB, TRIM_JOB, feedTuning, type FeedTuning } from './feed-settings.ts';
import { backfillFollow, removeAuthorFromFeed, type FollowFeedPayload } from './follow-feed.job.ts';

export function registerFeedJobs(registry: JobRegistry, db: Db, config: Config, tuning: Partial<FeedTuning> = {}): void {
  const t = feedTuning(config, tuning);
  registry.register<FanoutPayload>(FANOUT_JOB, (payload) => fanOutPost(db, payload, t));
  registry.register<DeliverPayload>(DELIVER_JOB, (payload) => deliverPlannedBatch(db, payload));
  registry.register<TrimPayload>(TRIM_JOB, (payload) => trimPlannedFeeds(db, payload, t));
  registry.register<FollowFeedPayload>(BACKFILL_JOB, (payload) => backfillFollow(db, payload, t));
  registry.register<FollowFeedPayload>(REMOVE_AUTHOR_JOB, (payload, ctx) => removeAuthorFromFeed(db, payload, ctx.signal));
}
