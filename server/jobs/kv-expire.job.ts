// Periodic `kv.expire`: deletes expired key–value rows (Fedify's caches and
// idempotence records). Reads already ignore them; this only reclaims space.
import type { Db } from '../db/knex.ts';
import { deleteExpired } from '../db/kv.repo.ts';
import { getLogger } from '../logging.ts';
import type { JobRegistry } from './registry.ts';

export const KV_EXPIRE_JOB = 'kv.expire';

const log = getLogger('jobs');

export function registerKvExpireJob(registry: JobRegistry, db: Db): void {
  registry.register(KV_EXPIRE_JOB, async () => {
    const deleted = await deleteExpired(db);
    if (deleted > 0) log.debug('Deleted {deleted} expired kv rows', { deleted });
  });
}
