// What a signed-in user changes about their own login: password, e-mail
// address, and deleting the account. Each needs the current password.
import type { Config } from '../../../config/load.ts';
import { AppError } from '../../errors.ts';
import type { Queryable } from '../../db/knex.ts';
import { findUserByEmail, findUserById, updateUser, deleteUserCredentials, type User } from '../../db/users.repo.ts';
import { setAccountSuspendedAt, type Account } from '../../db/accounts.repo.ts';
import { deleteUserSessions } from '../../db/sessions.repo.ts';
import { enqueueMail } from '../mail/send-mail.job.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { emailProblem } from './usernames.ts';
import { signAccountToken, tokenUserId, verifyAccountToken } from './registration-tokens.ts';

const CHANGE_EMAIL_TTL_MS = 24 * 60 * 60 * 1000;

/** The user as stored now (a page shows it after a change). */
export function currentUser(db: Queryable, userId: number): Promise<User | undefined> {
  return findUserById(db, userId);
}

async function assertPassword(user: User, password: string): Promise<void> {
  if (!(await verifyPassword(password ?? '', user.passwordHash))) throw new AppError(422, 'The current password is not correct');
}

/** Sets a new password and ends every other session (whoever knew the old one is out). */
export async function changePassword(db: Queryable, user: User, current: string, next: string, keepSessionId?: number | null): Promise<void> {
  await assertPassword(user, current);
  const problem = passwordProblem(next ?? '');
  if (problem) throw new AppError(422, problem);
  const passwordHash = await hashPassword(next);
  await db.transaction(async (trx) => {
    await updateUser(trx, user.id, { passwordHash });
    await deleteUserSessions(trx, user.id, keepSessionId);
  });
}

/**
 * Changes the address at once when no mail can be sent; with SMTP, mails a
 * link to the new address and changes nothing until it is followed (a typo
 * must not lock anyone out). Returns whether a mail was sent.
 */
export async function changeEmail(db: Queryable, config: Config, user: User, account: Account, current: string, email: string): Promise<{ mailed: boolean }> {
  await assertPassword(user, current);
  const next = (email ?? '').trim();
  if (!next) throw new AppError(422, 'E-mail address must not be empty');
  const problem = emailProblem(next);
  if (problem) throw new AppError(422, problem);
  const holder = await findUserByEmail(db, next);
  if (holder && holder.id !== user.id) throw new AppError(422, 'That e-mail address is already in use');
  if (!config.smtp) {
    await updateUser(db, user.id, { email: next, confirmedAt: Date.now() });
    return { mailed: false };
  }
  const token = signAccountToken(config.secretKey, 'change-email', user.id, `${user.email ?? ''}>${next}`, Date.now() + CHANGE_EMAIL_TTL_MS);
  const link = `${config.publicUrl}/auth/confirmation?token=${encodeURIComponent(token)}&email=${encodeURIComponent(next)}`;
  await enqueueMail(db, {
    to: next,
    subject: `Confirm your new e-mail address for ${config.domain}`,
    text: `Hello ${account.username},\n\nopen this link within a day to use this address for your account at ${config.domain}:\n\n${link}\n\nIf you did not ask for this, ignore this mail.\n`,
  });
  return { mailed: true };
}

/** Follows the link changeEmail mailed. */
export async function confirmEmailChange(db: Queryable, config: Config, token: string, email: string): Promise<void> {
  const userId = tokenUserId(token);
  const user = userId === null ? undefined : await findUserById(db, userId);
  if (!user || !verifyAccountToken(config.secretKey, 'change-email', token, `${user.email ?? ''}>${email}`)) {
    throw new AppError(422, 'This confirmation link is invalid or has expired');
  }
  const holder = await findUserByEmail(db, email);
  if (holder && holder.id !== user.id) throw new AppError(422, 'That e-mail address is already in use');
  await updateUser(db, user.id, { email, confirmedAt: Date.now() });
}

/**
 * The user deletes their own account: it is suspended and the login disabled
 * at once, every session and token goes. (Federating the Delete and removing
 * content is a later issue's job.)
 */
export async function deleteOwnAccount(db: Queryable, user: User, account: Account, password: string): Promise<void> {
  await assertPassword(user, password);
  const now = Date.now();
  await db.transaction(async (trx) => {
    await setAccountSuspendedAt(trx, account.id, now, now);
    await updateUser(trx, user.id, { disabledAt: now }, now);
    await deleteUserCredentials(trx, user.id);
  });
}
