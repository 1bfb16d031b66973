// Runs jobs from the database queue: claims due jobs of the registered types in
// batches, runs up to `concurrency` at once, deletes finished ones in batches
// (ack-batcher.ts), reschedules failures with backoff and renews the leases of
// long jobs. Delivery is at least once (DESIGN.md rule 9): a crash between a
// handler's end and its batched acknowledgement runs that job again.
//
// A claim takes up to `batchSize` jobs, more than there are free slots: the
// extra ones wait here, in claim order, and start as slots free up, so a
// stream of short jobs (deliveries, inbox activities) costs one claim per
// batch rather than one per job. A held job that waits longer than `holdMs`
// is handed back for another worker to take (a slow job here must not keep
// the queue's other jobs from an idle worker elsewhere).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/knex.ts';
import { claimJobs, releaseJob, releaseJobs, type Claim, type JobRecord } from '../db/jobs.repo.ts';
import { getLogger } from '../logging.ts';
import { createAckBatcher } from './ack-batcher.ts';
import { recordFailure } from './job-failure.ts';
import { createLeaseKeeper, type Running } from './lease-keeper.ts';
import { DEFAULT_MAX_ATTEMPTS, onJobsCommitted } from './queue.ts';
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
  /** Most jobs claimed and not yet finished, running ones included (default: the larger of concurrency and 16). */
  batchSize?: number;
  /** How long a claimed job may wait for a free slot before it is handed back (default: 1 s, at most a quarter lease). */
  holdMs?: number;
  /** Which of the registry's job types this worker claims (default: all). */
  accepts?: (type: string) => boolean;
}

export interface Worker {
  start(): void;
  /** Stops claiming, hands back jobs not started, signals running jobs, waits for them to finish. */
  stop(): Promise<void>;
  /** Tests: process until nothing is due. */
  runUntilIdle(): Promise<void>;
  /** Jobs of these types were committed elsewhere (another thread): claim now rather than at the next poll. */
  nudge(types: readonly string[]): void;
}

interface Held {
  row: JobRecord;
  claimedAt: number;
}

const log = getLogger('jobs');
const DEFAULT_BATCH = 16;
const DEFAULT_HOLD_MS = 1000;

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`worker ${name} must be a positive integer (got ${value})`);
  return value;
}

const claimOf = (row: JobRecord, workerId: string): Claim => ({ id: row.id, attempts: row.attempts, lockedBy: workerId });

/** Resolves in a later macrotask, after pending I/O callbacks have run. */
const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createWorker(options: WorkerOptions): Worker {
  const { db, registry } = options;
  const concurrency = positiveInteger('concurrency', options.concurrency);
  const pollMs = positiveInteger('pollMs', options.pollMs);
  const leaseMs = positiveInteger('leaseMs', options.leaseMs);
  const capacity = Math.max(concurrency, positiveInteger('batchSize', options.batchSize ?? DEFAULT_BATCH));
  // Held jobs' leases are not renewed: they go back well before they could expire.
  const holdMs = Math.min(positiveInteger('holdMs', options.holdMs ?? DEFAULT_HOLD_MS), Math.max(1, Math.floor(leaseMs / 4)));
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  const running = new Set<Running>();
  const inFlight = new Set<Promise<void>>();
  const acks = createAckBatcher(db, capacity);
  const leases = createLeaseKeeper(db, leaseMs, running);
  let held: Held[] = [];
  let reserved = 0; // slots promised to a claim still on its way
  let stopping = false;
  let loopDone: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let wakeOnSlot = false;
  let pumpScheduled = false;
  let holdTimer: NodeJS.Timeout | null = null;
  let unsubscribe: (() => void) | null = null;

  /** Whether a claim may be made now: nothing held waits to start and a slot is free. */
  const canClaim = () => held.length === 0 && running.size + reserved < concurrency;

  async function fail(row: JobRecord, entry: Running, def: JobDefinition, maxAttempts: number, error: unknown): Promise<void> {
    // The handler gave up because we are shutting down: not the job's fault.
    if (stopping && entry.controller.signal.aborted) await releaseJob(db, entry.claim);
    else await recordFailure(db, row, entry.claim, def, maxAttempts, error);
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
    if (!entry.lost) acks.add(entry.claim);
  }

  function dispatch(row: JobRecord): void {
    const entry: Running = {
      claim: claimOf(row, workerId),
      controller: new AbortController(),
      leaseUntil: row.lease_until ?? Date.now() + leaseMs,
      lost: false,
    };
    running.add(entry);
    leases.started();
    const done: Promise<void> = execute(row, entry)
      .catch((error: unknown) => log.error('Could not record the outcome of job {id}; it returns when its lease expires: {error}', { id: row.id, error }))
      .finally(() => {
        running.delete(entry);
        inFlight.delete(done);
        leases.finished();
        schedulePump();
      });
    inFlight.add(done);
  }

  /** Starts held jobs in the free slots; wakes the claim loop once none is left to start. */
  function pump(): void {
    while (!stopping && held.length > 0 && running.size < concurrency) dispatch(held.shift()!.row);
    if (held.length === 0 && holdTimer) {
      clearTimeout(holdTimer);
      holdTimer = null;
    }
    if (wake && wakeOnSlot && canClaim()) wake();
  }

  // The next job starts in a macrotask of its own: a job whose work never
  // leaves the microtask queue (SQLite statements resolve synchronously)
  // would otherwise start the next and the next, and the network answers
  // other jobs wait for would not be read until the queue ran dry.
  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      pump();
    });
  }

  function hold(rows: JobRecord[], claimedAt: number): void {
    for (const row of rows) held.push({ row, claimedAt });
    if (held.length > 0 && !holdTimer) holdTimer = setTimeout(releaseStale, holdMs).unref();
  }

  /** Hands back the held jobs that waited `holdMs` for a slot. */
  function releaseStale(): void {
    holdTimer = null;
    const now = Date.now();
    const stale = held.filter((h) => now - h.claimedAt >= holdMs);
    held = held.filter((h) => now - h.claimedAt < holdMs);
    if (held.length > 0) holdTimer = setTimeout(releaseStale, Math.max(1, held[0]!.claimedAt + holdMs - now)).unref();
    track(giveBack(stale));
    if (wake && wakeOnSlot && canClaim()) wake();
  }

  /** Counts a hand-back as in flight, so runUntilIdle and stop wait for it. */
  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  async function giveBack(rows: Held[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await releaseJobs(
        db,
        rows.map((h) => claimOf(h.row, workerId)),
      );
    } catch (error) {
      // Their leases expire and another claim takes them: later, not lost.
      log.warn('Could not hand back {count} claimed jobs: {error}', { count: rows.length, error });
    }
  }

  /** Claims up to the free capacity when nothing held waits to start; the new jobs start at once or wait in `held`. */
  async function claim(): Promise<{ asked: number; claimed: number }> {
    const types = options.accepts ? registry.types().filter(options.accepts) : registry.types();
    const limit = capacity - running.size - reserved;
    if (stopping || !canClaim() || limit <= 0 || types.length === 0) return { asked: 0, claimed: 0 };
    reserved += limit;
    let rows: JobRecord[];
    try {
      rows = await claimJobs(db, { types, limit, leaseMs, workerId });
    } finally {
      reserved -= limit;
    }
    if (stopping) {
      await giveBack(rows.map((row) => ({ row, claimedAt: 0 })));
      return { asked: limit, claimed: 0 };
    }
    hold(rows, Date.now());
    pump();
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
      // Each round in a macrotask of its own, for the same reason as schedulePump.
      await nextMacrotask();
      if (stopping) break;
      let result: { asked: number; claimed: number };
      try {
        result = await claim();
      } catch (error) {
        log.error('Could not claim jobs: {error}', { error });
        await pause(pollMs, false);
        continue;
      }
      // A full claim means more may be due: claim again as soon as everything
      // held has started and a slot is free. A short one means the queue is
      // drained: poll. Nothing asked: wait for the running jobs.
      const moreDue = result.asked > 0 && result.claimed === result.asked;
      if (moreDue && canClaim()) continue;
      if (!stopping) await pause(pollMs, moreDue || (result.asked === 0 && !canClaim()));
    }
  }

  // Only for types it takes: every commit waking the delivery lane for a
  // claim that finds nothing would cost the job thread a scan each time.
  function nudge(types: readonly string[]): void {
    if (wake && canClaim() && types.some((type) => (options.accepts ? options.accepts(type) : registry.get(type) !== undefined))) wake();
  }

  return {
    nudge,

    start() {
      if (loopDone) return;
      stopping = false;
      // Jobs this thread's handlers enqueue (a post's fan-out, its
      // deliveries) are claimed as soon as they are committed, not at the next poll.
      unsubscribe = onJobsCommitted(db, nudge);
      loopDone = loop();
    },

    async stop() {
      stopping = true;
      unsubscribe?.();
      unsubscribe = null;
      wake?.();
      for (const entry of running) entry.controller.abort(new DOMException('worker stopping', 'AbortError'));
      if (holdTimer) clearTimeout(holdTimer);
      holdTimer = null;
      const notStarted = held;
      held = [];
      await giveBack(notStarted);
      await loopDone;
      loopDone = null;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await acks.flush();
    },

    async runUntilIdle() {
      for (;;) {
        const { claimed } = await claim();
        pump();
        if (claimed > 0) continue;
        if (inFlight.size === 0 && held.length === 0) break;
        if (inFlight.size > 0) await Promise.race(inFlight);
        pump();
      }
      await acks.flush();
    },
  };
}
