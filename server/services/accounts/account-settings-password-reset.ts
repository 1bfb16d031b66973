// Password reset by e-mail (only when SMTP is configured; otherwise an admin
// runs `viewfinder admin account reset-password`). The link is signed, expires
// after two hours, and stops working once the password changed.
import type { Config } from '../../../config/load.ts';
import { AppError } from '../../errors.ts';
import type { Queryable } from '../../db/knex.ts';
import { deleteUserCredentials, findUserByEmail, findUserById, updateUser } from '../../db/users.repo.ts';
import { findAccountById } from '../../db/accounts.repo.ts';
import { enqueueMail } from '../mail/send-mail.job.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { signAccountToken, tokenUserId, verifyAccountToken } from './registration-tokens.ts';

const RESET_TTL_MS = 2 * 60 * 60 * 1000;

/** Mails a reset link when the address belongs to someone; says nothing either way (no account probing). */
export async function requestPasswordReset(db: Queryable, config: Config, email: string): Promise<void> {
  if (!config.smtp) throw new AppError(422, 'This server cannot send mail; ask an administrator to reset your password');
  const user = await findUserByEmail(db, (email ?? '').trim());
  if (!user?.email || user.disabledAt !== null) return;
  const account = await findAccountById(db, user.accountId);
  const token = signAccountToken(config.secretKey, 'reset-password', user.id, user.passwordHash ?? '', Date.now() + RESET_TTL_MS);
  const link = `${config.publicUrl}/auth/password/edit?token=${encodeURIComponent(token)}`;
  await enqueueMail(db, {
    to: user.email,
    subject: `Reset your password for ${config.domain}`,
    text: `Hello ${account?.username ?? ''},\n\nopen this link within two hours to choose a new password:\n\n${link}\n\nIf you did not ask for this, ignore this mail; your password stays as it is.\n`,
  });
}

export async function isResetTokenValid(db: Queryable, config: Config, token: string): Promise<boolean> {
  const userId = tokenUserId(token);
  const user = userId === null ? undefined : await findUserById(db, userId);
  return Boolean(user && verifyAccountToken(config.secretKey, 'reset-password', token, user.passwordHash ?? ''));
}

/** Sets the new password and signs the user out everywhere. */
export async function resetPasswordWithToken(db: Queryable, config: Config, token: string, password: string): Promise<void> {
  const userId = tokenUserId(token);
  const user = userId === null ? undefined : await findUserById(db, userId);
  if (!user || !verifyAccountToken(config.secretKey, 'reset-password', token, user.passwordHash ?? '')) {
    throw new AppError(422, 'This reset link is invalid, has expired or was used already');
  }
  const problem = passwordProblem(password ?? '');
  if (problem) throw new AppError(422, problem);
  const passwordHash = await hashPassword(password);
  await db.transaction(async (trx) => {
    await updateUser(trx, user.id, { passwordHash });
    await deleteUserCredentials(trx, user.id);
  });
}
