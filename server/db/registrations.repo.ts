// SQL the registration flow needs beyond accounts.repo/users.repo: whether any
// local login exists yet (first-run setup) and removing a rejected sign-up.
import type { Queryable } from './knex.ts';
import { noteAuthChange } from './auth-changes.ts';

export async function hasLocalUsers(db: Queryable): Promise<boolean> {
  return (await db('users').first('id')) !== undefined;
}

/** The first admin by id: who owns invites made from the command line. */
export async function findFirstAdminUserId(db: Queryable): Promise<number | undefined> {
  const row = await db('users').where({ role: 'admin' }).orderBy('id', 'asc').first('id');
  return row ? Number(row.id) : undefined;
}

/** Deletes a local account; its user row, sessions and tokens go with it (ON DELETE CASCADE). */
export async function deleteLocalAccount(db: Queryable, accountId: number): Promise<void> {
  await db('accounts').where({ id: accountId }).whereNull('domain').delete();
  noteAuthChange(db);
}
