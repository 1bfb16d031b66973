// Enqueueing jobs. Pass the transaction of the write a job follows from
// (DESIGN.md rule 4): a rolled-back write enqueues nothing, a committed one
// leaves a job that runs even if the process dies right after the commit.
import type { Queryable } from '../db/knex.ts';
import { insertJob, insertJobs, type NewJob } from '../db/jobs.repo.ts';

export interface EnqueueOptions {
  /** When the job becomes due (epoch ms); default now. */
  runAt?: number;
  /** Due this many milliseconds from now (ignored when runAt is given). */
  delayMs?: number;
  /** Higher runs first; default 0. */
  priority?: number;
  /** While a queued or running job holds this key, enqueueing another with it is a no-op. */
  dedupeKey?: string;
  /** Attempts before the job goes dead; default 10 (a job type's definition may set its own). */
  maxAttempts?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 10;

function toNewJob(type: string, payload: unknown, options: EnqueueOptions, now: number): NewJob {
  if (!type || type.length > 64) throw new RangeError(`job type must be 1-64 characters (got "${type}")`);
  const priority = options.priority ?? 0;
  if (!Number.isSafeInteger(priority)) throw new RangeError(`job priority must be an integer (got ${priority})`);
  const maxAttempts = options.maxAttempts ?? null;
  if (maxAttempts !== null && (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1)) throw new RangeError(`job maxAttempts must be a positive integer (got ${maxAttempts})`);
  const dedupeKey = options.dedupeKey ?? null;
  if (dedupeKey !== null && (dedupeKey.length === 0 || dedupeKey.length > 255)) throw new RangeError('job dedupeKey must be 1-255 characters');
  const runAt = options.runAt ?? now + (options.delayMs ?? 0);
  if (!Number.isFinite(runAt)) throw new RangeError(`job runAt must be epoch milliseconds (got ${runAt})`);
  return { type, payload: JSON.stringify(payload ?? null), priority, maxAttempts, dedupeKey, runAt: Math.round(runAt) };
}

/** Adds a job; returns its id, or null when an unfinished job with the same dedupeKey exists. */
export async function enqueue(db: Queryable, type: string, payload: unknown, options: EnqueueOptions = {}): Promise<number | null> {
  const now = Date.now();
  return insertJob(db, toNewJob(type, payload, options, now), now);
}

/** Adds many jobs in few statements (fan-out, benchmarks); duplicates by dedupeKey are skipped. */
export async function enqueueMany(db: Queryable, jobs: { type: string; payload: unknown; options?: EnqueueOptions }[]): Promise<void> {
  const now = Date.now();
  await insertJobs(
    db,
    jobs.map((job) => toNewJob(job.type, job.payload, job.options ?? {}, now)),
    now,
  );
}
