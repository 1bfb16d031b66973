// Writing new jobs into the durable queue (DESIGN.md rules 8 and 9): one, or
// many in chunks, ids in order (ordering keys depend on it, server/jobs/queue.ts).
// Claiming and finishing them is in jobs.repo.ts.
import type { Queryable } from './knex.ts';
import { newId } from './ids.ts';

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

// SQLite allows at most 500 terms in a compound SELECT, which is how knex
// writes a multi-row insert there; 12 columns × 400 rows also stays far below
// the bound-parameter limit.
const INSERT_CHUNK = 400;

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
