// SQL for crossing off a two-factor recovery code exactly once.
import type { Queryable } from './knex.ts';
import { noteAuthChange } from './auth-changes.ts';

/**
 * Compare-and-set on users.otp_recovery_codes: writes `next` only while the
 * stored list is still `expected`, so two sign-ins racing with the same code
 * cannot both succeed. True when this call made the change.
 */
export async function replaceRecoveryCodes(db: Queryable, userId: number, expected: string, next: string, now = Date.now()): Promise<boolean> {
  const updated = await db('users').where({ id: userId, otp_recovery_codes: expected }).update({ otp_recovery_codes: next, updated_at: now });
  noteAuthChange(db);
  return updated === 1;
}
