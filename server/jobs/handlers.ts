// Every job type the server knows is registered here, in one place, so any
// process that runs workers (a worker thread, a `--role worker` process) runs
// the same set.
import type { Config } from '../../config/load.ts';
import type { Db } from '../db/knex.ts';
import { JobRegistry } from './registry.ts';
import { registerMaintenanceJobs } from './schedule.ts';
import { registerKvExpireJob } from './kv-expire.job.ts';
import { registerSendMailJob } from '../services/mail/send-mail.job.ts';
import { registerSessionsCleanupJob } from '../services/accounts/sessions-cleanup.job.ts';
import { registerOAuthCodesCleanupJob } from '../services/oauth/codes-cleanup.job.ts';
import { registerProcessMediaJob } from '../services/media/process-media.job.ts';
import { registerFetchRemoteMediaJob } from '../services/media/fetch-remote-media.job.ts';
import { registerMediaCleanupJobs } from '../services/media/media-cleanup.job.ts';
import { registerRemoteProfileImagesJob } from '../services/accounts/remote-profile-images.job.ts';
import { createLocalDiskStorage } from '../../media/storage/local-disk.ts';
import { registerPurgePostJob } from '../services/posts/purge-post.job.ts';
import { registerFeedJobs } from '../services/feeds/feed-jobs.ts';
import { registerNotificationJobs } from '../services/notifications/notification-jobs.ts';
import { registerFederationJobs } from '../../federation/worker.ts';

export function createJobRegistry(db: Db, config: Config): JobRegistry {
  const registry = new JobRegistry();
  registerMaintenanceJobs(registry, db);
  registerKvExpireJob(registry, db);
  registerSendMailJob(registry, config);
  registerSessionsCleanupJob(registry, db);
  registerOAuthCodesCleanupJob(registry, db);
  const storage = createLocalDiskStorage(config.mediaDir);
  registerProcessMediaJob(registry, db, config, storage);
  registerFetchRemoteMediaJob(registry, db, config, storage);
  registerMediaCleanupJobs(registry, db, storage);
  registerRemoteProfileImagesJob(registry, db, config, storage);
  registerPurgePostJob(registry, db);
  registerFeedJobs(registry, db, config);
  registerNotificationJobs(registry, db, config);
  registerFederationJobs(registry, db, config);
  return registry;
}
