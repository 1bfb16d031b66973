// The job queue's SQL for people rather than workers: listing, counting,
// reviving and deleting jobs from the CLI and the admin panel
// (server/jobs/admin.ts). The workers' SQL is in jobs.repo.ts.
import type { Queryable } from './knex.ts';
import type { JobRecord, JobState } from './jobs.repo.ts';

export interface JobFilter {
  state?: JobState;
  type?: string;
  limit?: number;
}

/** Jobs in claim order (dead ones newest first), for the CLI and admin panel. */
export async function findJobs(db: Queryable, filter: JobFilter = {}): Promise<JobRecord[]> {
  const q = db('jobs').select('*').limit(filter.limit ?? 100);
  if (filter.state) q.where('state', filter.state);
  if (filter.type) q.where('type', filter.type);
  if (filter.state === 'dead') q.orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'id', order: 'desc' }]);
  else q.orderBy([{ column: 'priority', order: 'desc' }, 'run_at', 'id']);
  return q;
}

/** dead → queued, attempts reset, due now; returns how many were revived. */
export async function reviveDeadJobs(db: Queryable, which: { ids?: number[]; all?: boolean }, now = Date.now()): Promise<number> {
  if (!which.all && (!which.ids || which.ids.length === 0)) return 0;
  const q = db('jobs').where('state', 'dead');
  if (!which.all) q.whereIn('id', which.ids!);
  return q.update({ state: 'queued', attempts: 0, run_at: now, lease_until: null, locked_by: null, updated_at: now });
}

/** Deletes dead jobs that died before `before` (epoch ms; all when omitted). */
export async function deleteDeadJobs(db: Queryable, before?: number): Promise<number> {
  const q = db('jobs').where('state', 'dead');
  if (before !== undefined) q.where('updated_at', '<', before);
  return q.delete();
}

export interface JobCounts {
  queued: number;
  running: number;
  dead: number;
  due: number;
  oldestDueRunAt: number | null;
}

export async function countJobs(db: Queryable, now = Date.now()): Promise<JobCounts> {
  const counts: JobCounts = { queued: 0, running: 0, dead: 0, due: 0, oldestDueRunAt: null };
  const byState = (await db('jobs').select('state').count({ n: '*' }).groupBy('state')) as { state: JobState; n: number | string }[];
  for (const row of byState) {
    if (row.state in counts) counts[row.state] = Number(row.n);
  }
  const due = (await db('jobs')
    .where('state', 'queued')
    .where('run_at', '<=', now)
    .first(db.raw('count(*) as n'), db.raw('min(run_at) as oldest'))) as { n: number | string; oldest: number | string | null } | undefined;
  counts.due = Number(due?.n ?? 0);
  counts.oldestDueRunAt = due?.oldest == null ? null : Number(due.oldest);
  return counts;
}
