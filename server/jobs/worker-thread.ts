// Entry point of the job worker thread started by `serve --role all`.
// better-sqlite3 runs statements synchronously, so jobs on the HTTP thread
// would stall requests; here they run on their own thread and connection.
import { parentPort, workerData, threadId } from 'node:worker_threads';
import { hostname } from 'node:os';
import type { Config } from '../../config/load.ts';
import { configureLogging, getLogger } from '../logging.ts';
import { startJobRunner } from './job-runner.ts';

export interface WorkerThreadData {
  config: Config;
}

/** `jobs`: the HTTP thread committed jobs of these types (a local post's delivery, an inbox activity). */
export type ParentMessage = { type: 'stop' } | { type: 'jobs'; types: string[] };
export type ThreadMessage = { type: 'started' } | { type: 'stopped' } | { type: 'error'; message: string };

const { config } = workerData as WorkerThreadData;
const port = parentPort!;
await configureLogging(config);

try {
  const runner = startJobRunner(config, `${hostname()}:${process.pid}:t${threadId}`);
  port.on('message', (message: ParentMessage) => {
    if (message.type === 'jobs') return runner.nudge(message.types);
    if (message.type !== 'stop') return;
    runner
      .stop()
      .then(() => port.postMessage({ type: 'stopped' } satisfies ThreadMessage))
      .catch((error: unknown) => {
        getLogger('jobs').error('Job worker thread failed to stop cleanly: {error}', { error });
        port.postMessage({ type: 'stopped' } satisfies ThreadMessage);
      })
      .finally(() => port.close());
  });
  port.postMessage({ type: 'started' } satisfies ThreadMessage);
} catch (error) {
  port.postMessage({ type: 'error', message: (error as Error).message } satisfies ThreadMessage);
  port.close();
}
