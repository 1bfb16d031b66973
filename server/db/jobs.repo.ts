// All SQL of the durable job queue (DESIGN.md rules 8 and 9, docs/decisions/0002).
// A claim is identified by (id, locked_by, attempts): every write that ends or
// extends a claim matches all three, so a worker whose lease expired and whose
// job was claimed again elsewhere can no longer touch it.
import type { Knex } from 'knex';
import { isSqlite, type Queryable } from './knex.ts';
import { newId } from './ids.ts';

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

export interface NewJob {
  type: string;
  /** JSON text. */
  payload: string;
  priority: number;
  maxAttempts: number | null;
  dedupeKey: string | null;
  /** Already digested; jobs sharing it are claimed one at a time, in id order. */
  orderingKey: string | null;
  runAt: number;
}

/** What a worker holds after claiming a job. */
export interface Claim {
  id: number;
  attempts: number;
  lockedBy: string;
}

// SQLite allows at most 500 terms in a compound SELECT, which is how knex
// writes a multi-row insert there; 12 columns × 400 rows also stays far below
// the bound-parameter limit.
const INSERT_CHUNK = 400;
// Row-value lists ((id, attempts) IN …) use two parameters per claim.
const CLAIM_CHUNK = 500;

function toRow(job: NewJob, id: number, now: number) {
  return {
    id,
    type: job.type,
    payload: job.payload,
    state: 'queued',
    priority: job.priority,
    attempts: 0,
    max_attempts: job.maxAttempts,
    dedupe_key: job.dedupeKey,
    ordering_key: job.orderingKey,
    run_at: job.runAt,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Inserts one job; null when an unfinished job holds the same dedupe key.
 * The insert ignores every conflict (not only dedupe_key's) so that a rare id
 * collision with another process never aborts the caller's Postgres
 * transaction; we then tell the two cases apart and retry with a fresh id.
 */
export async function insertJob(db: Queryable, job: NewJob, now = Date.now()): Promise<number | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = newId();
    const inserted = await db('jobs').insert(toRow(job, id, now)).onConflict().ignore().returning('id');
    if (inserted.length > 0) return id;
    if (job.dedupeKey !== null) {
      const holder = await db('jobs').where('dedupe_key', job.dedupeKey).first('id');
      if (holder) return null;
    }
  }
  throw new Error(`could not insert a job of type ${job.type}: id collisions`);
}

/** Inserts many jobs in chunks, in order (ids increase along `jobs`); those whose dedupe key is taken are skipped. */
export async function insertJobs(db: Queryable, jobs: NewJob[], now = Date.now()): Promise<void> {
  for (let start = 0; start < jobs.length; start += INSERT_CHUNK) {
    const chunk = jobs.slice(start, start + INSERT_CHUNK);
    if (chunk.some((job) => job.orderingKey !== null)) await insertOrderedChunk(db, chunk, now);
    else await insertChunk(db, chunk, now);
  }
}

async function insertChunk(db: Queryable, chunk: NewJob[], now: number): Promise<void> {
  const rows = chunk.map((job) => toRow(job, newId(), now));
  const inserted = await db('jobs').insert(rows).onConflict().ignore().returning('id');
  if (inserted.length === rows.length) return;
  // Some rows were skipped: a taken dedupe key (intended) or, rarely, an id
  // collision with another thread or process; the single-row path sorts them out.
  const done = new Set(inserted.map((row: { id: number }) => row.id));
  for (let i = 0; i < rows.length; i++) {
    if (!done.has(rows[i]!.id)) await insertJob(db, chunk[i]!, now);
  }
}

/**
 * A chunk with ordering keys must keep its ids in chunk order, so a row lost
 * to an id collision is not retried alone with a later id: the whole chunk is
 * written again with fresh ids, inside a transaction so that no worker ever
 * sees the first try.
 */
async function insertOrderedChunk(db: Queryable, chunk: NewJob[], now: number): Promise<void> {
  if (!db.isTransaction) return db.transaction((tx) => insertOrderedChunk(tx, chunk, now));
  for (let attempt = 0; attempt < 5; attempt++) {
    const rows = chunk.map((job) => toRow(job, newId(), now));
    const inserted = await db('jobs').insert(rows).onConflict().ignore().returning('id');
    if (inserted.length === rows.length) return;
    const done = new Set(inserted.map((row: { id: number }) => row.id));
    let collided = false;
    for (let i = 0; i < rows.length && !collided; i++) {
      if (done.has(rows[i]!.id)) continue;
      const dedupeKey = chunk[i]!.dedupeKey;
      collided = dedupeKey === null || (await db('jobs').where('dedupe_key', dedupeKey).first('id')) === undefined;
    }
    if (!collided) return;
    await db('jobs').whereIn('id', [...done]).delete();
  }
  throw new Error(`could not insert ${chunk.length} jobs: id collisions`);
}

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
