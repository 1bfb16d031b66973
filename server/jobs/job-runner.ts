// Runs job workers and the periodic scheduler on a connection of their own.
// Used in the main thread of a `--role worker` process and inside each job
// worker thread of a `--role all` process.
//
// Two workers share the connection: one for deliveries to other servers,
// which mostly wait on the network and so run many at once
// (VIEWFINDER_DELIVERY_CONCURRENCY), and one for every other job
// (VIEWFINDER_JOB_CONCURRENCY), which keeps CPU- and memory-heavy work such as
// video transcodes few at a time (docs/decisions/0009).
import type { Config } from '../../config/load.ts';
import { OUTBOX_JOB } from '../../federation/federation.ts';
import { openDatabase } from '../db/knex.ts';
import { getLogger } from '../logging.ts';
import { createJobRegistry } from './handlers.ts';
import { startScheduler } from './schedule.ts';
import { createWorker } from './worker.ts';

export interface JobRunner {
  stop(): Promise<void>;
  /** Jobs of these types were committed on another connection of this process (the HTTP thread's). */
  nudge(types: readonly string[]): void;
}

/** Job types that run in the delivery lane. */
export const DELIVERY_JOB_TYPES: ReadonlySet<string> = new Set([OUTBOX_JOB]);

export function startJobRunner(config: Config, workerId: string): JobRunner {
  const log = getLogger('jobs');
  const { concurrency, deliveryConcurrency, pollMs, leaseMs } = config.jobs;
  // This connection may run WAL checkpoints: it is off the request path.
  // (On Postgres a delivery holds a connection for a few short queries of a
  // mostly network-bound run: one per four of them is plenty.)
  const db = openDatabase(config.database, { poolMax: concurrency + Math.ceil(deliveryConcurrency / 4) + 2, autoCheckpoint: true });
  const registry = createJobRegistry(db, config);
  const common = { db, registry, pollMs, leaseMs };
  const workers = [
    createWorker({ ...common, concurrency, workerId, accepts: (type) => !DELIVERY_JOB_TYPES.has(type) }),
    createWorker({ ...common, concurrency: deliveryConcurrency, workerId: `${workerId}:deliveries`, accepts: (type) => DELIVERY_JOB_TYPES.has(type) }),
  ];
  const scheduler = startScheduler(db);
  for (const worker of workers) worker.start();
  log.info('Job worker {workerId} started with concurrency {concurrency} and {deliveryConcurrency} deliveries', { workerId, concurrency, deliveryConcurrency });
  return {
    nudge(types) {
      for (const worker of workers) worker.nudge(types);
    },
    async stop() {
      scheduler.stop();
      await Promise.all(workers.map((worker) => worker.stop()));
      await db.destroy();
      log.info('Job worker {workerId} stopped', { workerId });
    },
  };
}
