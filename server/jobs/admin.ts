// Looking at and repairing the queue: the CLI (`viewfinder jobs …`), the admin
// panel and /readyz use these.
import type { Queryable } from '../db/knex.ts';
import type { JobRecord } from '../db/jobs.repo.ts';
import { countJobs, deleteDeadJobs, findJobs, reviveDeadJobs } from '../db/jobs-admin.repo.ts';

export interface JobRow {
  id: number;
  type: string;
  payload: unknown;
  state: 'queued' | 'running' | 'dead';
  priority: number;
  attempts: number;
  /** null: the job type's limit (or the default) applies. */
  maxAttempts: number | null;
  runAt: number;
  leaseUntil: number | null;
  lastError: string | null;
  createdAt: number;
}

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Shown as stored: a listing must not fail on one broken row.
    return text;
  }
}

function toJobRow(record: JobRecord): JobRow {
  return {
    id: record.id,
    type: record.type,
    payload: parsePayload(record.payload),
    state: record.state,
    priority: record.priority,
    attempts: record.attempts,
    maxAttempts: record.max_attempts,
    runAt: record.run_at,
    leaseUntil: record.lease_until,
    lastError: record.last_error,
    createdAt: record.created_at,
  };
}

/** Jobs by state and/or type (default limit 100): queued in claim order, dead newest first. */
export async function listJobs(db: Queryable, filter: { state?: JobRow['state']; type?: string; limit?: number } = {}): Promise<JobRow[]> {
  if (filter.limit !== undefined && (!Number.isSafeInteger(filter.limit) || filter.limit < 1)) {
    throw new RangeError(`limit must be a positive integer (got ${filter.limit})`);
  }
  return (await findJobs(db, filter)).map(toJobRow);
}

/** Dead jobs back to queued, attempts reset, due now; returns how many were revived. */
export async function retryJobs(db: Queryable, which: { ids?: number[]; allDead?: boolean }): Promise<number> {
  return reviveDeadJobs(db, { ids: which.ids, all: which.allDead === true });
}

/** Deletes dead jobs, or only those dead for longer than `olderThanMs`; returns how many. */
export async function purgeDeadJobs(db: Queryable, options: { olderThanMs?: number } = {}): Promise<number> {
  return deleteDeadJobs(db, options.olderThanMs === undefined ? undefined : Date.now() - options.olderThanMs);
}

export interface QueueStats {
  queued: number;
  running: number;
  dead: number;
  /** Queued jobs whose run_at has passed. */
  due: number;
  /** How long the oldest due job has been waiting; null when none is due. */
  oldestDueAgeMs: number | null;
}

export async function queueStats(db: Queryable): Promise<QueueStats> {
  const now = Date.now();
  const counts = await countJobs(db, now);
  return {
    queued: counts.queued,
    running: counts.running,
    dead: counts.dead,
    due: counts.due,
    oldestDueAgeMs: counts.oldestDueRunAt === null ? null : Math.max(0, now - counts.oldestDueRunAt),
  };
}
