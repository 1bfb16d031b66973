// Finished jobs are deleted in batches: every job that ends within one
// macrotask (or `batchSize` of them, whichever comes first) costs one DELETE
// together. Delivery stays at least once (DESIGN.md rule 9): a crash between a
// handler's end and the batch's statement runs those jobs again.
import { ackJobs, type Claim } from '../db/jobs.repo.ts';
import type { Queryable } from '../db/knex.ts';
import { getLogger } from '../logging.ts';

export interface AckBatcher {
  /** Marks a job done; it is deleted with the next batch. */
  add(claim: Claim): void;
  /** Deletes everything added so far (resolves once the statement has run). */
  flush(): Promise<void>;
}

const log = getLogger('jobs');

export function createAckBatcher(db: Queryable, batchSize: number): AckBatcher {
  let pending: Claim[] = [];
  let chain: Promise<void> = Promise.resolve();
  let scheduled = false;

  function flush(): Promise<void> {
    chain = chain.then(async () => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      try {
        const deleted = await ackJobs(db, batch);
        if (deleted < batch.length) log.warn('{lost} finished jobs had lost their lease and were left to their new worker', { lost: batch.length - deleted });
      } catch (error) {
        // The jobs come back when their leases expire and run again (idempotent).
        log.error('Could not delete {count} finished jobs: {error}', { count: batch.length, error });
      }
    });
    return chain;
  }

  return {
    add(claim) {
      pending.push(claim);
      if (pending.length >= batchSize) void flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          void flush();
        });
      }
    },
    flush,
  };
}
