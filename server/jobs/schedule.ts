// Periodic jobs, all listed here. Every process may run the scheduler: a tick
// only enqueues a job with the dedupe key `cron:<name>`, so while one is
// queued or running, the ticks of other processes (and late ticks of this
// one) add nothing, and the work itself runs on a worker like any other job.
import { createTask, validate, type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import { checkpoint, type Db } from '../db/knex.ts';
import { getLogger } from '../logging.ts';
import { purgeDeadJobs } from './admin.ts';
import { enqueue } from './queue.ts';
import type { JobRegistry } from './registry.ts';

export interface PeriodicJob {
  name: string;
  /** node-cron syntax (optional seconds field), evaluated in UTC. */
  cron: string;
  type: string;
  payload?: unknown;
}

export const DEAD_JOB_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export const periodicJobs: PeriodicJob[] = [
  // PASSIVE WAL checkpoints off the request path (DESIGN.md, "SQLite in one process"); no-op on Postgres.
  { name: 'db.checkpoint', cron: '* * * * *', type: 'db.checkpoint' },
  { name: 'jobs.purge-old-dead', cron: '17 4 * * *', type: 'jobs.purge-old-dead' },
  // Handler registered by the federation KvStore module.
  { name: 'kv.expire', cron: '*/10 * * * *', type: 'kv.expire' },
  { name: 'sessions.cleanup', cron: '23 3 * * *', type: 'sessions.cleanup' },
  { name: 'oauth.purge-codes', cron: '41 * * * *', type: 'oauth.purge-codes' },
  // Uploads never attached to a post within 24 hours.
  { name: 'media.cleanup-orphans', cron: '7 * * * *', type: 'media.cleanup-orphans' },
];

const log = getLogger('scheduler');

const cronLogger: CronLogger = {
  info: (message) => log.info('{message}', { message }),
  warn: (message) => log.warn('{message}', { message }),
  error: (message, error) => log.error('{message} {error}', { message: String(message), error }),
  debug: (message, error) => log.debug('{message} {error}', { message: String(message), error }),
};

/** Starts one node-cron task per periodic job; each tick enqueues the job unless one is pending. */
export function startScheduler(db: Db, jobs: PeriodicJob[] = periodicJobs): { stop(): void } {
  const invalid = jobs.filter((job) => !validate(job.cron));
  if (invalid.length > 0) throw new Error(`invalid cron expression: ${invalid.map((job) => `${job.name} "${job.cron}"`).join(', ')}`);
  const tasks: ScheduledTask[] = jobs.map((job) => {
    const task = createTask(
      job.cron,
      async () => {
        try {
          await enqueue(db, job.type, job.payload ?? null, { dedupeKey: `cron:${job.name}` });
        } catch (error) {
          log.error('Could not enqueue periodic job {name}: {error}', { name: job.name, error });
        }
      },
      { name: `viewfinder:${job.name}`, timezone: 'UTC', noOverlap: true, logger: cronLogger },
    );
    // A tick missed while the event loop was busy is harmless: the next one enqueues.
    task.on('execution:missed', () => log.debug('Missed a tick of {name}', { name: job.name }));
    Promise.resolve(task.start()).catch((error: unknown) => log.error('Could not start periodic job {name}: {error}', { name: job.name, error }));
    return task;
  });
  return {
    stop() {
      for (const task of tasks) {
        Promise.resolve(task.destroy()).catch((error: unknown) => log.warn('Could not stop a scheduled task: {error}', { error }));
      }
    },
  };
}

/** Handlers of the queue's and database's own periodic jobs. */
export function registerMaintenanceJobs(registry: JobRegistry, db: Db): void {
  registry.register('db.checkpoint', { handler: () => checkpoint(db), maxAttempts: 3, backoffBaseMs: 5000 });
  registry.register('jobs.purge-old-dead', async () => {
    const purged = await purgeDeadJobs(db, { olderThanMs: DEAD_JOB_RETENTION_MS });
    if (purged > 0) log.info('Purged {purged} dead jobs older than 30 days', { purged });
  });
}
