// Issue 5: the feed jobs (fan-out, backfill, removal), filled in by the feeds work.
import type { Config } from '../../../config/load.ts';
import type { Db } from '../../db/knex.ts';
import type { JobRegistry } from '../../jobs/registry.ts';

export function registerFeedJobs(_registry: JobRegistry, _db: Db, _config: Config): void {}
