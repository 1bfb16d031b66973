// Runs job workers and the periodic scheduler on a connection of their own.
// Used in the main thread of a `--role worker` process and inside the worker
// thread of a `--role all` process.
import type { Config } from '../../config/load.ts';
import { openDatabase } from '../db/knex.ts';
import { getLogger } from '../logging.ts';
import { createJobRegistry } from './handlers.ts';
import { startScheduler } from './schedule.ts';
import { createWorker } from './worker.ts';

export interface JobRunner {
  stop(): Promise<void>;
}

export function startJobRunner(config: Config, workerId: string): JobRunner {
  const log = getLogger('jobs');
  // This connection may run WAL checkpoints: it is off the request path.
  const db = openDatabase(config.database, { poolMax: config.jobs.concurrency + 2, autoCheckpoint: true });
  const registry = createJobRegistry(db, config);
  const worker = createWorker({
    db,
    registry,
    concurrency: config.jobs.concurrency,
    pollMs: config.jobs.pollMs,
    leaseMs: config.jobs.leaseMs,
    workerId,
  });
  const scheduler = startScheduler(db);
  worker.start();
  log.info('Job worker {workerId} started with concurrency {concurrency}', { workerId, concurrency: config.jobs.concurrency });
  return {
    async stop() {
      scheduler.stop();
      await worker.stop();
      await db.destroy();
      log.info('Job worker {workerId} stopped', { workerId });
    },
  };
}
