// Runs jobs from the database queue: claims due jobs of the registered types in
// batches, runs up to `concurrency` at once, deletes finished ones in batches,
// reschedules failures with backoff and renews the leases of long jobs.
// Delivery is at least once (DESIGN.md rule 9): a crash between a handler's
// end and its batched acknowledgement runs that job again.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import { ackJobs, buryJob, claimJobs, releaseJob, renewLeases, rescheduleJob, type Claim, type JobRecord } from '../db/jobs.repo.ts';
import { getLogger } from '../logging.ts';
import { backoffDelay } from './backoff.ts';
import { DEFAULT_MAX_ATTEMPTS } from './queue.ts';
import type { JobDefinition, JobRegistry } from './registry.ts';

export interface WorkerOptions {
  db: Db;
  registry: JobRegistry;
  /** Jobs running at once. */
  concurrency: number;
  /** Wait between claims while the queue is empty. */
  pollMs: number;
  /** How long a claim lasts before another worker may take the job; renewed while the job runs. */
  leaseMs: number;
  workerId?: string;
  /** Most jobs claimed in one statement (default: concurrency). */
  batchSize?: number;
}

export interface Worker {
  start(): void;
  /** Stops claiming, signals running jobs, waits for them to finish. */
  stop(): Promise<void>;
  /** Tests: process until nothing is due. */
  runUntilIdle(): Promise<void>;
}

interface Running {
  claim: Claim;
  controller: AbortController;
  leaseUntil: number;
  /** The lease could not be renewed: another worker may hold the job now. */
  lost: boolean;
}

const log = getLogger('jobs');
const MAX_ERROR_LENGTH = 2000;

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`worker ${name} must be a positive integer (got ${value})`);
  return value;
}

export function createWorker(options: WorkerOptions): Worker {
  const { db, registry } = options;
  const concurrency = positiveInteger('concurrency', options.concurrency);
  const pollMs = positiveInteger('pollMs', options.pollMs);
  const leaseMs = positiveInteger('leaseMs', options.leaseMs);
  const batchSize = positiveInteger('batchSize', options.batchSize ?? concurrency);
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  const running = new Set<Running>();
  const inFlight = new Set<Promise<void>>();
  let reserved = 0; // slots promised to a claim still on its way
  let acks: Claim[] = [];
  let ackChain: Promise<void> = Promise.resolve();
  let ackScheduled = false;
  let stopping = false;
  let loopDone: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let wakeOnSlot = false;
  let renewTimer: NodeJS.Timeout | null = null;
  let renewing = false;

  function flushAcks(): Promise<void> {
    ackChain = ackChain.then(async () => {
      if (acks.length === 0) return;
      const batch = acks;
      acks = [];
      try {
        const deleted = await ackJobs(db, batch);
        if (deleted < batch.length) log.warn('{lost} finished jobs had lost their lease and were left to their new worker', { lost: batch.length - deleted });
      } catch (error) {
        // The jobs come back when their leases expire and run again (idempotent).
        log.error('Could not delete {count} finished jobs: {error}', { count: batch.length, error });
      }
    });
    return ackChain;
  }

  // Acknowledgements wait for the end of the current macrotask, so jobs that
  // finish together are deleted by one statement.
  function queueAck(claim: Claim): void {
    acks.push(claim);
    if (acks.length >= batchSize) void flushAcks();
    else if (!ackScheduled) {
      ackScheduled = true;
      setImmediate(() => {
        ackScheduled = false;
        void flushAcks();
      });
    }
  }

  async function fail(row: JobRecord, entry: Running, def: JobDefinition, maxAttempts: number, error: unknown): Promise<void> {
    const message = describeError(error);
    if (stopping && entry.controller.signal.aborted) {
      // The handler gave up because we are shutting down: not the job's fault.
      await releaseJob(db, entry.claim);
      return;
    }
    if (row.attempts >= maxAttempts) {
      await buryJob(db, entry.claim, message);
      log.error('Job {id} ({type}) is dead after {attempts} attempts: {error}', { id: row.id, type: row.type, attempts: row.attempts, error });
      return;
    }
    const delayMs = backoffDelay(row.attempts, { baseMs: def.backoffBaseMs, maxMs: def.backoffMaxMs });
    await rescheduleJob(db, entry.claim, Date.now() + delayMs, message);
    log.warn('Job {id} ({type}) failed attempt {attempt}/{maxAttempts}, retrying in {delayMs} ms: {error}', {
      id: row.id,
      type: row.type,
      attempt: row.attempts,
      maxAttempts,
      delayMs,
      error,
    });
  }

  async function execute(row: JobRecord, entry: Running): Promise<void> {
    const def = registry.get(row.type);
    if (!def || stopping) {
      // Unregistered after the claim, or claimed while stopping: hand it back untouched.
      await releaseJob(db, entry.claim);
      return;
    }
    const maxAttempts = row.max_attempts ?? def.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    try {
      const payload: unknown = JSON.parse(row.payload);
      const ctx = { jobId: row.id, type: row.type, attempt: row.attempts, maxAttempts, signal: entry.controller.signal, db };
      await def.handler(payload, ctx);
    } catch (error) {
      if (!entry.lost) await fail(row, entry, def, maxAttempts, error);
      return;
    }
    if (!entry.lost) queueAck(entry.claim);
  }

  function dispatch(row: JobRecord): void {
    const entry: Running = {
      claim: { id: row.id, attempts: row.attempts, lockedBy: workerId },
      controller: new AbortController(),
      leaseUntil: row.lease_until ?? Date.now() + leaseMs,
      lost: false,
    };
    running.add(entry);
    renewTimer ??= setInterval(() => void renewLeasesDue(), Math.max(1, Math.floor(leaseMs / 4))).unref();
    const done: Promise<void> = execute(row, entry)
      .catch((error: unknown) => log.error('Could not record the outcome of job {id}; it returns when its lease expires: {error}', { id: row.id, error }))
      .finally(() => {
        running.delete(entry);
        inFlight.delete(done);
        if (running.size === 0 && renewTimer) {
          clearInterval(renewTimer);
          renewTimer = null;
        }
        if (wake && wakeOnSlot) wake();
      });
    inFlight.add(done);
  }

  // Jobs running for more than half a lease get a fresh one, so a long job is
  // not taken over by another worker while it is still making progress.
  async function renewLeasesDue(): Promise<void> {
    if (renewing) return;
    const now = Date.now();
    const due = [...running].filter((entry) => !entry.lost && entry.leaseUntil - now <= leaseMs / 2);
    if (due.length === 0) return;
    renewing = true;
    try {
      const until = now + leaseMs;
      const kept = new Set(await renewLeases(db, due.map((entry) => entry.claim), until, now));
      for (const entry of due) {
        if (kept.has(entry.claim.id)) entry.leaseUntil = until;
        else if (running.has(entry)) {
          entry.lost = true;
          entry.controller.abort(new DOMException('job lease lost', 'AbortError'));
          log.warn('Job {id} lost its lease (taken by another worker); its result will be ignored', { id: entry.claim.id });
        }
      }
    } catch (error) {
      log.warn('Could not renew job leases: {error}', { error });
    } finally {
      renewing = false;
    }
  }

  /** Claims as many due jobs as there are free slots (up to batchSize) and starts them. */
  async function claimBatch(): Promise<{ asked: number; claimed: number }> {
    const types = registry.types();
    const limit = Math.min(batchSize, concurrency - running.size - reserved);
    if (stopping || limit <= 0 || types.length === 0) return { asked: 0, claimed: 0 };
    reserved += limit;
    let rows: JobRecord[];
    try {
      rows = await claimJobs(db, { types, limit, leaseMs, workerId });
    } finally {
      reserved -= limit;
    }
    for (const row of rows) dispatch(row);
    return { asked: limit, claimed: rows.length };
  }

  function pause(ms: number, onSlot: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (wake === done) wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
      wakeOnSlot = onSlot;
    });
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      let result: { asked: number; claimed: number };
      try {
        result = await claimBatch();
      } catch (error) {
        log.error('Could not claim jobs: {error}', { error });
        await pause(pollMs, false);
        continue;
      }
      // A full batch means more may be due: claim again as soon as a slot is
      // free. A short batch means the queue is drained: poll.
      const moreDue = result.asked > 0 && result.claimed === result.asked;
      if (moreDue && running.size + reserved < concurrency) continue;
      if (!stopping) await pause(pollMs, moreDue);
    }
  }

  return {
    start() {
      if (loopDone) return;
      stopping = false;
      loopDone = loop();
    },

    async stop() {
      stopping = true;
      wake?.();
      for (const entry of running) entry.controller.abort(new DOMException('worker stopping', 'AbortError'));
      await loopDone;
      loopDone = null;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await flushAcks();
    },

    async runUntilIdle() {
      for (;;) {
        const { claimed } = await claimBatch();
        if (claimed > 0) continue;
        if (inFlight.size === 0) break;
        await Promise.race(inFlight);
      }
      await flushAcks();
    },
  };
}
