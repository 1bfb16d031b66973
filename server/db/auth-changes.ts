// Authentication keeps what it read of a token, its user and its account for a
// few seconds (server/services/oauth/token-cache.ts), and verify_credentials
// its follow-request count (server/services/cache/epoch-cache.ts). Every
// repository write to oauth_tokens, users, accounts or follow_requests calls
// noteAuthChange, which makes every cached entry of this process stale.
// Other processes' writes show within the caches' TTL.
import type { Queryable } from './knex.ts';

let epoch = 0;
const bump = () => {
  epoch += 1;
};

export function authEpoch(): number {
  return epoch;
}

export function noteAuthChange(db: Queryable): void {
  bump();
  // Until the transaction commits, other requests still read the old rows and
  // could cache them again: bump once more when it ends, whichever way.
  if (db.isTransaction) (db as import('knex').Knex.Transaction).executionPromise.then(bump, bump);
}
