// `oauth.purge-codes`: deletes authorization codes a day past their expiry.
// They are kept that long so a late replay of a used code still finds it and
// revokes the tokens issued from it (RFC 6749 §4.1.2).
import type { Db } from '../../db/knex.ts';
import type { JobRegistry } from '../../jobs/registry.ts';
import { purgeExpiredAuthorizationCodes } from './authorization.service.ts';

export const OAUTH_CODES_CLEANUP_JOB = 'oauth.purge-codes';

export function registerOAuthCodesCleanupJob(registry: JobRegistry, db: Db): void {
  registry.register(OAUTH_CODES_CLEANUP_JOB, async () => {
    await purgeExpiredAuthorizationCodes(db);
  });
}
