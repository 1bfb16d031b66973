// Probes for orchestrators and load balancers.
// /healthz: the process answers (liveness); it touches nothing else.
// /readyz: the process can do its work: the database answers, and the queue's
// backlog is reported. Queue lag alone does not make a web node unready —
// taking it out of rotation would not make the workers any faster.
import { Router } from '@koa/router';
import type { Db } from '../db/knex.ts';
import { pingDatabase } from '../db/health.repo.ts';
import { queueStats } from '../jobs/admin.ts';
import { getLogger } from '../logging.ts';

const CHECK_TIMEOUT_MS = 2000;
const MAX_MESSAGE_LENGTH = 160;

export interface HealthDeps {
  db: Db;
  /** How long each readiness check may take before it counts as failed. */
  timeoutMs?: number;
}

export function createHealthRouter(deps: HealthDeps): Router {
  const timeoutMs = deps.timeoutMs ?? CHECK_TIMEOUT_MS;
  const router = new Router();
  const log = getLogger('http');

  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const database = await check(() => pingDatabase(deps.db), timeoutMs);
    // Without a database the queue (a table in it) cannot be read either.
    const queue = database.ok ? await check(() => queueStats(deps.db), timeoutMs) : undefined;
    const ready = database.ok && queue?.ok === true;
    if (!ready) {
      log.warning('Not ready: database {database}, queue {queue}', { database: database.ok ? 'ok' : database.error, queue: queue?.ok ? 'ok' : (queue?.error ?? 'not checked') });
    }
    ctx.status = ready ? 200 : 503;
    ctx.body = {
      status: ready ? 'ready' : 'unavailable',
      database: database.ok ? 'ok' : database.error,
      queue: queue === undefined ? null : queue.ok ? queue.value : queue.error,
    };
  });

  return router;
}

type CheckResult<T> = { ok: true; value: T } | { ok: false; error: string };

async function check<T>(run: () => Promise<T>, timeoutMs: number): Promise<CheckResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  // A blackholed database can keep a connection attempt open far longer than a
  // probe waits; the race answers in time while the attempt runs out on its own.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return { ok: true, value: await Promise.race([run(), timeout]) };
  } catch (error) {
    return { ok: false, error: `error: ${shortMessage(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

function shortMessage(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() || 'unknown error';
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : text;
}
