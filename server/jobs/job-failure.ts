// What a failed attempt leaves behind: another try later with backoff, or a
// dead job once its attempts are spent (DESIGN.md rule 9), its error stored
// (truncated) for the CLI and admin panel.
import type { Queryable } from '../db/knex.ts';
import { buryJob, rescheduleJob, type Claim, type JobRecord } from '../db/jobs.repo.ts';
import { getLogger } from '../logging.ts';
import { backoffDelay } from './backoff.ts';
import type { JobDefinition } from './registry.ts';

const log = getLogger('jobs');
const MAX_ERROR_LENGTH = 2000;

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/** Records attempt `row.attempts` of a job as failed: rescheduled with backoff, or dead after its last attempt. */
export async function recordFailure(db: Queryable, row: JobRecord, claim: Claim, def: JobDefinition, maxAttempts: number, error: unknown): Promise<void> {
  const message = describeError(error);
  if (row.attempts >= maxAttempts) {
    await buryJob(db, claim, message);
    log.error('Job {id} ({type}) is dead after {attempts} attempts: {error}', { id: row.id, type: row.type, attempts: row.attempts, error });
    return;
  }
  const delayMs = backoffDelay(row.attempts, { baseMs: def.backoffBaseMs, maxMs: def.backoffMaxMs });
  await rescheduleJob(db, claim, Date.now() + delayMs, message);
  log.warn('Job {id} ({type}) failed attempt {attempt}/{maxAttempts}, retrying in {delayMs} ms: {error}', {
    id: row.id,
    type: row.type,
    attempt: row.attempts,
    maxAttempts,
    delayMs,
    error,
  });
}
