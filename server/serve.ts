// The composition root: builds the server for a role and tears it down in
// reverse order. `all` (the default) is one process: HTTP on the main thread,
// jobs and the scheduler in worker threads (VIEWFINDER_JOB_THREADS, one by
// default), each with its own connection.
// `web` and `worker` split them across processes for scale-out.
import { Worker } from 'node:worker_threads';
import { hostname } from 'node:os';
import type { Config } from '../config/load.ts';
import { openDatabase } from './db/knex.ts';
import { migrateLatest } from './db/migrate.ts';
import { createHttpApp } from './http/app.ts';
import { apiCors } from './http/cors.ts';
import type { ApiDeps } from './http/deps.ts';
import { createRateLimiter } from './http/rate-limit.ts';
import { createRouters } from './http/routes.ts';
import { createMailer } from './services/mail/mailer.ts';
import { ensureSetupToken } from './services/accounts/setup-token.ts';
import { listen } from './http/listen.ts';
import { startJobRunner, type JobRunner } from './jobs/job-runner.ts';
import { onJobsCommitted } from './jobs/queue.ts';
import type { ParentMessage, ThreadMessage, WorkerThreadData } from './jobs/worker-thread.ts';
import { getLogger } from './logging.ts';
import { videoTools } from './services/media/video-tools.ts';
import { createWebFederation } from '../federation/mount.ts';

export type Role = 'all' | 'web' | 'worker';
export const roles: readonly Role[] = ['all', 'web', 'worker'];

export interface RunningServer {
  /** Where HTTP is served; null for `--role worker`. */
  url: string | null;
  stop(): Promise<void>;
}

export async function serve(config: Config, options: { role: Role }): Promise<RunningServer> {
  const log = getLogger('server');
  const { role } = options;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };

  try {
    // Checkpoints belong to the job side; a web-only SQLite process keeps them
    // (no other process would run them for its connection otherwise).
    const db = openDatabase(config.database, { autoCheckpoint: role === 'web' });
    stops.push(() => db.destroy());
    const applied = await migrateLatest(db);
    if (applied.length) log.info('Applied {count} migration(s): {names}', { count: applied.length, names: applied.join(', ') });
    // Says at start, not at the first upload, when video is unavailable (no ffmpeg).
    await videoTools(config);

    if (role === 'worker') {
      const runner = startJobRunner(config, `${hostname()}:${process.pid}`);
      stops.push(() => runner.stop());
      return { url: null, stop: stopAll };
    }

    if (role === 'all') {
      // Each thread has its own connection and runs any job type; the queue's
      // leases keep them from taking the same job (docs/decisions/0009).
      const runners: JobRunner[] = [];
      for (let i = 0; i < config.jobs.threads; i++) {
        const runner = await startWorkerThread(config);
        runners.push(runner);
        stops.push(() => runner.stop());
      }
      // Jobs the HTTP thread commits (a post's delivery, an inbox activity)
      // are claimed at once, not at the job threads' next poll.
      const unsubscribe = onJobsCommitted(db, (types) => runners.forEach((runner) => runner.nudge(types)));
      stops.push(async () => unsubscribe());
    }

    // A fresh instance prints a one-time token that claims it (first admin).
    await ensureSetupToken(db, config);
    const rateLimiter = createRateLimiter(config);
    stops.push(() => rateLimiter.close());
    const { federation, middleware: federationRoutes } = await createWebFederation(config, db);
    const deps: ApiDeps = { config, db, rateLimiter, mailer: createMailer(config), federation };
    // Fedify first, before any body parser (signatures cover the raw body).
    // CORS at app level: a browser's OPTIONS preflight matches no route, so
    // router-level middleware never sees it.
    const app = createHttpApp({ config, db, beforeBody: [federationRoutes, apiCors()], routers: createRouters(deps) });
    const server = await listen(app, { port: config.port, host: config.host });
    stops.push(() => server.close());
    // The URL goes in the message text (not quoted as a property) so scripts can read it.
    log.info(`Viewfinder (${role}) listening on ${server.url}, public URL ${config.publicUrl}`);
    return { url: server.url, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Starts the job worker thread and keeps it running: a thread that dies
 * (a crash in a job's native code, an out-of-memory) is logged and replaced,
 * waiting longer after each quick failure, so the server never silently stops
 * running jobs.
 */
async function startWorkerThread(config: Config): Promise<JobRunner> {
  const log = getLogger('jobs');
  let stopping = false;
  let current = await spawnWorkerThread(config);
  let restartDelayMs = 1000;

  const supervise = (thread: Worker) => {
    const startedAt = Date.now();
    thread.once('exit', (code) => {
      if (stopping) return;
      if (Date.now() - startedAt > 60_000) restartDelayMs = 1000;
      log.error(`Job worker thread exited with code ${code}; restarting in ${restartDelayMs} ms`);
      setTimeout(() => {
        if (stopping) return;
        spawnWorkerThread(config).then(
          (next) => {
            current = next;
            if (stopping) next.postMessage({ type: 'stop' } satisfies ParentMessage);
            else supervise(next);
          },
          (error: unknown) => {
            log.error('Job worker thread failed to restart: {error}', { error });
            supervise(thread); // try again after a longer wait
          },
        );
      }, restartDelayMs).unref();
      restartDelayMs = Math.min(restartDelayMs * 2, 60_000);
    });
  };
  supervise(current);

  return {
    nudge(types) {
      if (!stopping) current.postMessage({ type: 'jobs', types: [...types] } satisfies ParentMessage);
    },
    async stop() {
      stopping = true;
      current.postMessage({ type: 'stop' } satisfies ParentMessage);
      await exited.get(current); // already settled when it died and awaits a restart

    },
  };
}

const exited = new WeakMap<Worker, Promise<number>>();

function spawnWorkerThread(config: Config): Promise<Worker> {
  const thread = new Worker(new URL('./jobs/worker-thread.ts', import.meta.url), {
    workerData: { config } satisfies WorkerThreadData,
  });
  exited.set(thread, new Promise((resolve) => thread.once('exit', resolve)));
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`Job worker thread exited with code ${code} before starting`));
    thread.on('message', (message: ThreadMessage) => {
      if (message.type === 'started') {
        thread.off('exit', onExit);
        resolve(thread);
      }
      if (message.type === 'error') reject(new Error(`Job worker thread failed to start: ${message.message}`));
    });
    thread.on('error', (error) => getLogger('jobs').error('Job worker thread error: {error}', { error }));
    thread.once('exit', onExit);
  });
}
