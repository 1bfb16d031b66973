// Opening a remote profile fills its grid: the account's recent public posts
// are read from its outbox by a job (federation/remote/backfill-outbox.job.ts),
// at most once a day per account, never on the request itself.
import type { Account } from '../../db/accounts.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { getKv, setKv } from '../../db/kv.repo.ts';
import { enqueue } from '../../jobs/queue.ts';

export const BACKFILL_OUTBOX_JOB = 'federation.backfill-outbox';
const DAY_MS = 24 * 60 * 60 * 1000;

export async function requestOutboxBackfill(db: Queryable, account: Pick<Account, 'id' | 'domain' | 'outboxUrl'>, now = Date.now()): Promise<void> {
  if (account.domain === null || !account.outboxUrl) return;
  const key = ['_viewfinder', 'outbox-backfill', String(account.id)];
  if ((await getKv(db, key, now)) !== undefined) return;
  // The day's mark and the job together: a mark without its job would skip the backfill for a day.
  await db.transaction(async (trx) => {
    await setKv(trx, key, now, now + DAY_MS);
    await enqueue(trx, BACKFILL_OUTBOX_JOB, { accountId: account.id }, { dedupeKey: `${BACKFILL_OUTBOX_JOB}:${account.id}`, priority: -2, maxAttempts: 3 });
  });
}
