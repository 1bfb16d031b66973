// Keeps the leases of running jobs: every quarter lease, jobs past half their
// lease get a fresh one, so a long job is not taken over by another worker
// while it is still making progress; a job whose lease could not be renewed
// (another worker took it) is signalled to stop and its result ignored.
import { renewLeases, type Claim } from '../db/jobs.repo.ts';
import type { Queryable } from '../db/knex.ts';
import { getLogger } from '../logging.ts';

export interface Running {
  claim: Claim;
  controller: AbortController;
  leaseUntil: number;
  /** The lease could not be renewed: another worker may hold the job now. */
  lost: boolean;
}

export interface LeaseKeeper {
  /** A job was added to the running set: renewals run while any job does. */
  started(): void;
  /** A job left the running set. */
  finished(): void;
}

const log = getLogger('jobs');

export function createLeaseKeeper(db: Queryable, leaseMs: number, running: ReadonlySet<Running>): LeaseKeeper {
  let timer: NodeJS.Timeout | null = null;
  let renewing = false;

  async function renewDue(): Promise<void> {
    if (renewing) return;
    const now = Date.now();
    const due = [...running].filter((entry) => !entry.lost && entry.leaseUntil - now <= leaseMs / 2);
    if (due.length === 0) return;
    renewing = true;
    try {
      const until = now + leaseMs;
      const kept = new Set(
        await renewLeases(
          db,
          due.map((entry) => entry.claim),
          until,
          now,
        ),
      );
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

  return {
    started() {
      timer ??= setInterval(() => void renewDue(), Math.max(1, Math.floor(leaseMs / 4))).unref();
    },
    finished() {
      if (running.size === 0 && timer) {
        clearInterval(timer);
        timer = null;
      }
    },
  };
}
