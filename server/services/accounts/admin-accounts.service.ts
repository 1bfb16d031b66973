// What an administrator does to local accounts (the CLI today, the admin panel
// later): create, list, change role, suspend, reset a password.
import { notFound, unprocessable } from '../../errors.ts';
import type { Queryable } from '../../db/knex.ts';
import { findAccountByUsername, isUniqueViolation, setAccountSuspendedAt, type Account } from '../../db/accounts.repo.ts';
import {
  deleteUserCredentials,
  findUserByAccountId,
  findUserByEmail,
  insertLocalAccountAndUser,
  listUsers,
  updateUser,
  userRoles,
  type User,
  type UserListFilter,
  type UserListing,
  type UserRole,
} from '../../db/users.repo.ts';
import { generatePassword, hashPassword, passwordProblem } from './passwords.ts';
import { emailProblem, usernameProblem } from './usernames.ts';
import { federate } from '../federation/outbound.ts';

export interface CreateLocalAccountInput {
  username: string;
  email?: string | null;
  /** Generated (and returned) when absent. */
  password?: string;
  role?: UserRole;
}

export interface CreatedLocalAccount {
  account: Account;
  user: User;
  /** The password we generated, when the caller gave none; shown once, never stored in clear. */
  generatedPassword: string | null;
}

/**
 * Creates a local account and its login, confirmed and approved at once (an
 * admin vouches for it). Account and user rows are written in one transaction.
 */
export async function createLocalAccount(db: Queryable, input: CreateLocalAccountInput): Promise<CreatedLocalAccount> {
  const { username } = input;
  const email = input.email?.trim() || null;
  const role = input.role ?? 'user';
  const problems = [
    usernameProblem(username),
    email === null ? null : emailProblem(email),
    input.password === undefined ? null : passwordProblem(input.password),
    userRoles.includes(role) ? null : `Role must be one of ${userRoles.join(', ')}`,
  ].filter((problem): problem is string => problem !== null);
  if (problems.length) throw unprocessable(problems.join('; '), { problems });

  const generatedPassword = input.password === undefined ? generatePassword() : null;
  // Hash before the transaction: scrypt takes tens of milliseconds, and on
  // SQLite an open write transaction blocks every other writer meanwhile.
  const passwordHash = await hashPassword(input.password ?? generatedPassword!);

  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (trx) => {
        await assertAvailable(trx, username, email);
        const now = Date.now();
        const { account, user } = await insertLocalAccountAndUser(trx, username, { email, passwordHash, role, approved: true, confirmedAt: now }, now);
        return { account, user, generatedPassword };
      });
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 3) throw error;
      // Either another process took the name or address between our check and
      // insert (the check now says so with a 422), or two processes drew the
      // same id in the same millisecond (rare; DESIGN.md rule 6): try again.
      await assertAvailable(db, username, email);
    }
  }
}

async function assertAvailable(db: Queryable, username: string, email: string | null): Promise<void> {
  const existing = await findAccountByUsername(db, username, null);
  if (existing) throw unprocessable(`Username "${username}" is already taken (by "${existing.username}")`);
  if (email !== null && (await findUserByEmail(db, email))) throw unprocessable(`E-mail address ${email} is already in use`);
}

export type UserState = 'active' | 'suspended' | 'disabled' | 'pending' | 'unconfirmed';

/** The one word an admin listing shows, the most severe condition first. */
export function userState(user: Pick<UserListing, 'suspendedAt' | 'disabledAt' | 'approved' | 'confirmedAt'>): UserState {
  if (user.suspendedAt !== null) return 'suspended';
  if (user.disabledAt !== null) return 'disabled';
  if (!user.approved) return 'pending';
  if (user.confirmedAt === null) return 'unconfirmed';
  return 'active';
}

export async function listLocalUsers(db: Queryable, filter: UserListFilter = {}): Promise<(UserListing & { state: UserState })[]> {
  const users = await listUsers(db, filter);
  return users.map((user) => ({ ...user, state: userState(user) }));
}

export interface LocalUser {
  account: Account;
  user: User;
}

/** The local account and login named `username` (any case), or a 404. */
export async function findLocalUser(db: Queryable, username: string): Promise<LocalUser> {
  const account = await findAccountByUsername(db, username, null);
  const user = account && (await findUserByAccountId(db, account.id));
  if (!account || !user) throw notFound(`No local user named "${username}"`);
  return { account, user };
}

export async function setRole(db: Queryable, username: string, role: UserRole): Promise<{ previous: UserRole; role: UserRole }> {
  if (!userRoles.includes(role)) throw unprocessable(`Role must be one of ${userRoles.join(', ')}`);
  const { user } = await findLocalUser(db, username);
  if (user.role !== role) await updateUser(db, user.id, { role });
  return { previous: user.role, role };
}

/** user → moderator → admin; a 422 for someone already an admin. */
export async function promote(db: Queryable, username: string): Promise<{ previous: UserRole; role: UserRole }> {
  return shiftRole(db, username, +1);
}

/** admin → moderator → user; a 422 for someone already a plain user. */
export async function demote(db: Queryable, username: string): Promise<{ previous: UserRole; role: UserRole }> {
  return shiftRole(db, username, -1);
}

async function shiftRole(db: Queryable, username: string, step: 1 | -1): Promise<{ previous: UserRole; role: UserRole }> {
  const { account, user } = await findLocalUser(db, username);
  const next = userRoles[userRoles.indexOf(user.role) + step];
  if (!next) {
    throw unprocessable(step > 0 ? `${account.username} is already an admin, the highest role` : `${account.username} is already a user, the lowest role`);
  }
  await updateUser(db, user.id, { role: next });
  return { previous: user.role, role: next };
}

/**
 * Suspends the local account: sign-in and API access stop (the auth layer
 * checks accounts.suspended_at). Returns false when it already was suspended.
 */
export async function suspend(db: Queryable, username: string): Promise<boolean> {
  const { account } = await findLocalUser(db, username);
  if (account.suspendedAt !== null) return false;
  await db.transaction(async (trx) => {
    await setAccountSuspendedAt(trx, account.id, Date.now());
    // Other servers drop the account and its posts, as after Mastodon's suspension.
    await federate(trx, { type: 'delete-actor', accountId: account.id });
  });
  return true;
}

/** Lifts a suspension; returns false when the account was not suspended. */
export async function unsuspend(db: Queryable, username: string): Promise<boolean> {
  const { account } = await findLocalUser(db, username);
  if (account.suspendedAt === null) return false;
  await db.transaction(async (trx) => {
    await setAccountSuspendedAt(trx, account.id, null);
    // Servers that still know it refresh it; others find it again on the next lookup.
    await federate(trx, { type: 'update-actor', accountId: account.id });
  });
  return true;
}

/**
 * Sets a new password (generated unless given) and signs the user out
 * everywhere: whoever knew the old one must not keep a token or session.
 */
export async function resetPassword(db: Queryable, username: string, password?: string): Promise<{ password: string; revoked: { tokens: number; codes: number; sessions: number } }> {
  if (password !== undefined) {
    const problem = passwordProblem(password);
    if (problem) throw unprocessable(problem);
  }
  const { user } = await findLocalUser(db, username);
  const newPassword = password ?? generatePassword();
  const passwordHash = await hashPassword(newPassword);
  const revoked = await db.transaction(async (trx) => {
    await updateUser(trx, user.id, { passwordHash });
    return deleteUserCredentials(trx, user.id);
  });
  return { password: newPassword, revoked };
}
