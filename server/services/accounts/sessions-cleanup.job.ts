// `sessions.cleanup`: deletes expired web sessions (they stop working at
// expiry anyway; this only keeps the table small). Meant to run daily from
// the scheduler's periodic jobs.
import type { Db } from '../../db/knex.ts';
import { deleteExpiredSessions } from '../../db/sessions.repo.ts';
import type { JobRegistry } from '../../jobs/registry.ts';

export const SESSIONS_CLEANUP_JOB = 'sessions.cleanup';

export function registerSessionsCleanupJob(registry: JobRegistry, db: Db): void {
  registry.register(SESSIONS_CLEANUP_JOB, async () => {
    await deleteExpiredSessions(db);
  });
}
