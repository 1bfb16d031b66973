// The job queue's SQL for workers (DESIGN.md rules 8 and 9, docs/decisions/0002):
// claiming, finishing, retrying and handing back jobs. New jobs are written by
// jobs-insert.repo.ts, the CLI's and admin panel's queries are in jobs-admin.repo.ts.
// A claim is identified by (id, locked_by, attempts): every write that ends or
// extends a claim matches all three, so a worker whose lease expired and whose
// job was claimed again elsewhere can no longer touch it.
import type { Knex } from 'knex';
import { isSqlite, type Queryable } from './knex.ts';

export type JobState = 'queued' | 'running' | 'dead';

/** A `jobs` row as stored (payload is JSON text). */
export interface JobRecord {
  id: number;
  type: string;
  payload: string;
  state: JobState;
  priority: number;
  attempts: number;
  max_attempts: number | null;
  dedupe_key: string | null;
  /** Digest of the job's ordering key (server/jobs/queue.ts). */
  ordering_key: string | null;
  locked_by: string | null;
  last_error: string | null;
  run_at: number;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
}

/** What a worker holds after claiming a job. */
export interface Claim {
  id: number;
  attempts: number;
  lockedBy: string;
}

// Row-value lists ((id, attempts) IN …) use two parameters per claim.
const CLAIM_CHUNK = 500;

export interface ClaimOptions {
  types: string[];
  limit: number;
  leaseMs: number;
  workerId: string;
  now?: number;
}

/**
 * Claims up to `limit` jobs of the given types: due queued jobs and running
 * jobs whose lease expired (their worker died), highest priority first, then
 * oldest run_at. One atomic statement per dialect: SQLite has a single writer,
 * so UPDATE … WHERE id IN (SELECT … LIMIT) RETURNING cannot race; Postgres
 * locks the chosen rows with FOR UPDATE SKIP LOCKED so concurrent claimers
 * take disjoint sets without waiting for each other.
 *
 * The two kinds of candidates are read by two LIMITed branches (UNION ALL)
 * rather than one OR: each branch can then walk an index in claim order and
 * stop after `limit` rows, where an OR makes both databases sort every due
 * job on each claim, which grows with the backlog.
 *
 * Ordering keys: a job with one is a candidate only if no earlier job (smaller
 * id) of its key is left that is not dead: queued (due, delayed or backing
 * off) and running (held included) both block, finished ones are deleted.
 * That also keeps one claim from taking two jobs of a key. On Postgres the
 * NOT EXISTS reads without locking, so it sees an earlier job that another
 * claimer has locked (and skipped here) and keeps the later one back too.
 * Each candidate looks its key up in jobs_ordering_index. Blocked jobs that
 * are due are still walked, one lookup each: rescheduleJob moves a key's
 * waiting jobs to its retry time so the index passes them by, but those
 * enqueued since, or waiting behind a running job, cost every claim a little.
 */
export async function claimJobs(db: Queryable, options: ClaimOptions): Promise<JobRecord[]> {
  const { types, limit, leaseMs, workerId } = options;
  if (types.length === 0 || limit <= 0) return [];
  const now = options.now ?? Date.now();
  const sqlite = isSqlite(db);
  const claimOrder = [{ column: 'priority', order: 'desc' }, 'run_at', 'id'];
  const noEarlierOfKey = (q: Knex.QueryBuilder) =>
    q.whereNull('jobs.ordering_key').orWhereNotExists(
      db('jobs as earlier')
        .select(db.raw('1'))
        .whereRaw('earlier.ordering_key = jobs.ordering_key')
        .whereRaw('earlier.id < jobs.id')
        .whereNot('earlier.state', 'dead'),
    );
  const due = db('jobs')
    .select('id', 'priority', 'run_at')
    .where('state', 'queued')
    .where('run_at', '<=', now)
    .whereIn('type', types)
    .where(noEarlierOfKey)
    .orderBy(claimOrder)
    .limit(limit);
  const expired = db('jobs')
    .select('id', 'priority', 'run_at')
    .where('state', 'running')
    .where('lease_until', '<', now)
    .whereIn('type', types)
    .where(noEarlierOfKey)
    .orderBy('lease_until')
    .limit(limit);
  if (!sqlite) {
    due.forUpdate().skipLocked();
    expired.forUpdate().skipLocked();
  }
  const candidates = db
    .select('id')
    .from(db.select('*').from(due.as('due')).unionAll(db.select('*').from(expired.as('expired'))).as('candidates'))
    .orderBy(claimOrder)
    .limit(limit);
  const update = db('jobs').update({
    state: 'running',
    attempts: db.raw('attempts + 1'),
    lease_until: now + leaseMs,
    locked_by: workerId,
    updated_at: now,
  });
  const rows: JobRecord[] = sqlite
    ? await update.whereIn('id', candidates).returning('*')
    : // ANY(ARRAY(…)) makes Postgres run the locking subquery exactly once.
      await update.whereRaw('id = any(array(?))', [candidates]).returning('*');
  return rows.sort((a, b) => b.priority - a.priority || a.run_at - b.run_at || a.id - b.id);
}

function whereClaims(q: Knex.QueryBuilder, lockedBy: string, claims: Claim[]): Knex.QueryBuilder {
  return q
    .where('locked_by', lockedBy)
    .where('state', 'running')
    // The plain id list lets SQLite look rows up by primary key; on the
    // row-value list alone it scans every running job.
    .whereIn(
      'id',
      claims.map((c) => c.id),
    )
    .whereIn(
      ['id', 'attempts'],
      claims.map((c) => [c.id, c.attempts]),
    );
}

function groupByWorker(claims: Claim[]): Map<string, Claim[]> {
  const groups = new Map<string, Claim[]>();
  for (const claim of claims) {
    const group = groups.get(claim.lockedBy);
    if (group) group.push(claim);
    else groups.set(claim.lockedBy, [claim]);
  }
  return groups;
}

/** Deletes finished jobs (still held by these claims); returns how many were deleted. */
export async function ackJobs(db: Queryable, claims: Claim[]): Promise<number> {
  let deleted = 0;
  for (const [lockedBy, group] of groupByWorker(claims)) {
    for (let start = 0; start < group.length; start += CLAIM_CHUNK) {
      deleted += await whereClaims(db('jobs'), lockedBy, group.slice(start, start + CLAIM_CHUNK)).delete();
    }
  }
  return deleted;
}

/** Extends the leases of running jobs; returns the ids still held (the others were lost). */
export async function renewLeases(db: Queryable, claims: Claim[], leaseUntil: number, now = Date.now()): Promise<number[]> {
  const kept: number[] = [];
  for (const [lockedBy, group] of groupByWorker(claims)) {
    for (let start = 0; start < group.length; start += CLAIM_CHUNK) {
      const rows = await whereClaims(db('jobs'), lockedBy, group.slice(start, start + CLAIM_CHUNK))
        .update({ lease_until: leaseUntil, updated_at: now })
        .returning('id');
      for (const row of rows as { id: number }[]) kept.push(row.id);
    }
  }
  return kept;
}

function claimed(db: Queryable, claim: Claim): Knex.QueryBuilder {
  return db('jobs').where({ id: claim.id, locked_by: claim.lockedBy, attempts: claim.attempts, state: 'running' });
}

/**
 * A failed attempt with attempts left: queued again at `runAt`. False if the
 * claim was lost. The later jobs of its key cannot run before it, so they are
 * made due no earlier either: a claim then passes them by in the index instead
 * of checking each one against its key (those enqueued later are still checked
 * until the next retry moves them too).
 */
export async function rescheduleJob(db: Queryable, claim: Claim, runAt: number, error: string, now = Date.now()): Promise<boolean> {
  const rows: { ordering_key: string | null }[] = await claimed(db, claim)
    .update({ state: 'queued', run_at: runAt, last_error: error, lease_until: null, locked_by: null, updated_at: now })
    .returning('ordering_key');
  const key = rows[0]?.ordering_key;
  if (key != null) {
    await db('jobs').where('ordering_key', key).where('id', '>', claim.id).where('state', 'queued').where('run_at', '<', runAt).update({ run_at: runAt, updated_at: now });
  }
  return rows.length > 0;
}

/** The last attempt failed: the job stays as `dead` and frees its dedupe key. */
export async function buryJob(db: Queryable, claim: Claim, error: string, now = Date.now()): Promise<boolean> {
  const n = await claimed(db, claim).update({ state: 'dead', dedupe_key: null, last_error: error, lease_until: null, locked_by: null, updated_at: now });
  return n > 0;
}

/** Gives a claimed job back without counting the attempt (worker stopping, handler unregistered). */
export async function releaseJob(db: Queryable, claim: Claim, now = Date.now()): Promise<boolean> {
  const n = await claimed(db, claim).update({
    state: 'queued',
    attempts: db.raw('attempts - 1'),
    run_at: now,
    lease_until: null,
    locked_by: null,
    updated_at: now,
  });
  return n > 0;
}

/**
 * Gives back claimed jobs that never started (a worker's prefetched jobs that
 * waited too long for a free slot, or were held when it stopped): queued
 * again, the attempt not counted, their run_at kept so they keep their place.
 * Returns how many were still held.
 */
export async function releaseJobs(db: Queryable, claims: Claim[], now = Date.now()): Promise<number> {
  let released = 0;
  for (const [lockedBy, group] of groupByWorker(claims)) {
    for (let start = 0; start < group.length; start += CLAIM_CHUNK) {
      released += await whereClaims(db('jobs'), lockedBy, group.slice(start, start + CLAIM_CHUNK)).update({
        state: 'queued',
        attempts: db.raw('attempts - 1'),
        lease_until: null,
        locked_by: null,
        updated_at: now,
      });
    }
  }
  return released;
}
