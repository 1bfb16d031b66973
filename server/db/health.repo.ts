// The one query the readiness probe needs: can we reach the database at all.
import type { Queryable } from './knex.ts';

export async function pingDatabase(db: Queryable): Promise<void> {
  await db.raw('select 1');
}
