// Enqueueing jobs. Pass the transaction of the write a job follows from
// (DESIGN.md rule 4): a rolled-back write enqueues nothing, a committed one
// leaves a job that runs even if the process dies right after the commit.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Queryable } from '../db/knex.ts';
import { insertJob, insertJobs, type NewJob } from '../db/jobs-insert.repo.ts';

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
  /**
   * Jobs sharing this key run one at a time, in id order: a job is not claimed
   * while an earlier one of its key is queued (due, delayed or backing off) or
   * running; a dead one no longer holds the key back. Ids (server/db/ids.ts)
   * increase strictly within a thread, so that is enqueue order for enqueues
   * from one thread; between threads or processes it is commit order for
   * transactions that commit one after the other, unless the later one enqueues
   * within the same millisecond (ids are time-based; or machines' clocks
   * disagree). Two transactions open at the same time that enqueue the same
   * key are not ordered against each other (if the later id commits first, its
   * job may be running when the earlier appears). Stored as a digest: any length.
   */
  orderingKey?: string;
}

export const DEFAULT_MAX_ATTEMPTS = 10;

/** What the `ordering_key` column holds for a key (43 characters; migrations/20261202000700 has a frozen copy). */
export function orderingKeyDigest(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

function toNewJob(type: string, payload: unknown, options: EnqueueOptions, now: number): NewJob {
  if (!type || type.length > 64) throw new RangeError(`job type must be 1-64 characters (got "${type}")`);
  const priority = options.priority ?? 0;
  if (!Number.isSafeInteger(priority)) throw new RangeError(`job priority must be an integer (got ${priority})`);
  const maxAttempts = options.maxAttempts ?? null;
  if (maxAttempts !== null && (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1)) throw new RangeError(`job maxAttempts must be a positive integer (got ${maxAttempts})`);
  const dedupeKey = options.dedupeKey ?? null;
  if (dedupeKey !== null && (dedupeKey.length === 0 || dedupeKey.length > 255)) throw new RangeError('job dedupeKey must be 1-255 characters');
  if (options.orderingKey !== undefined && (typeof options.orderingKey !== 'string' || options.orderingKey.length === 0)) throw new RangeError('job orderingKey must be a non-empty string');
  const orderingKey = options.orderingKey === undefined ? null : orderingKeyDigest(options.orderingKey);
  const runAt = options.runAt ?? now + (options.delayMs ?? 0);
  if (!Number.isFinite(runAt)) throw new RangeError(`job runAt must be epoch milliseconds (got ${runAt})`);
  return { type, payload: JSON.stringify(payload ?? null), priority, maxAttempts, dedupeKey, orderingKey, runAt: Math.round(runAt) };
}

// Workers of this thread that share a database handle hear of the jobs
// enqueued through it once they are committed, and claim them at once rather
// than at their next poll: a job's follow-up (a post's delivery after its
// fan-out) starts without the poll's wait. Keyed by the handle's config
// object, which its transactions share. Jobs enqueued elsewhere (another
// thread or process) are still found by polling.
const committedListeners = new WeakMap<object, Set<(types: readonly string[]) => void>>();

type OpenTransaction = Knex.Transaction & { parentTransaction?: OpenTransaction; executionPromise?: Promise<unknown> };

/** Calls `listener` with the jobs' types whenever jobs enqueued through `db` (or its transactions) are committed; returns the unsubscribe. */
export function onJobsCommitted(db: Queryable, listener: (types: readonly string[]) => void): () => void {
  const key = db.client.config as object;
  let listeners = committedListeners.get(key);
  if (!listeners) committedListeners.set(key, (listeners = new Set()));
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function announce(db: Queryable, types: readonly string[]): void {
  const listeners = committedListeners.get(db.client.config as object);
  if (!listeners || listeners.size === 0) return;
  const notify = () => {
    for (const listener of listeners) listener(types);
  };
  if (!db.isTransaction) return notify();
  // After the outermost transaction commits; a rollback enqueued nothing.
  let outer = db as OpenTransaction;
  while (outer.parentTransaction) outer = outer.parentTransaction;
  outer.executionPromise?.then(notify, () => {});
}

/** Adds a job; returns its id, or null when an unfinished job with the same dedupeKey exists. */
export async function enqueue(db: Queryable, type: string, payload: unknown, options: EnqueueOptions = {}): Promise<number | null> {
  const now = Date.now();
  const id = await insertJob(db, toNewJob(type, payload, options, now), now);
  if (id !== null) announce(db, [type]);
  return id;
}

/** Adds many jobs in few statements (fan-out, benchmarks); duplicates by dedupeKey are skipped. */
export async function enqueueMany(db: Queryable, jobs: { type: string; payload: unknown; options?: EnqueueOptions }[]): Promise<void> {
  const now = Date.now();
  await insertJobs(
    db,
    jobs.map((job) => toNewJob(job.type, job.payload, job.options ?? {}, now)),
    now,
  );
  if (jobs.length > 0) announce(db, [...new Set(jobs.map((job) => job.type))]);
}
