// What an admin does with sign-ups waiting for approval.
import { AppError } from '../../errors.ts';
import type { Queryable } from '../../db/knex.ts';
import { deleteUserCredentials, updateUser } from '../../db/users.repo.ts';
import { deleteLocalAccount } from '../../db/registrations.repo.ts';
import { findLocalUser } from './admin-accounts.service.ts';

/** Lets a pending account sign in; false when it was approved already. */
export async function approveAccount(db: Queryable, username: string): Promise<boolean> {
  const { user } = await findLocalUser(db, username);
  if (user.approved) return false;
  await updateUser(db, user.id, { approved: true });
  return true;
}

/**
 * Rejects a pending sign-up by deleting it, so the name and address are free
 * again. Approved accounts are refused: those are suspended, not deleted.
 */
export async function rejectAccount(db: Queryable, username: string): Promise<void> {
  const { account, user } = await findLocalUser(db, username);
  if (user.approved) throw new AppError(422, `${account.username} is not waiting for approval (suspend it instead)`);
  await db.transaction(async (trx) => {
    // Tokens would otherwise outlive the user as app-only tokens (user_id SET NULL).
    await deleteUserCredentials(trx, user.id);
    await deleteLocalAccount(trx, account.id);
  });
}
