// Issue 5: notification jobs (e.g. `status` notifications for subscribers), filled in by the notifications work.
import type { Config } from '../../../config/load.ts';
import type { Db } from '../../db/knex.ts';
import type { JobRegistry } from '../../jobs/registry.ts';

export function registerNotificationJobs(_registry: JobRegistry, _db: Db, _config: Config): void {}
