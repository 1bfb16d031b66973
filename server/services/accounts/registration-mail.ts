// The confirmation mail of a new sign-up and following its link.
import type { Config } from '../../../config/load.ts';
import { AppError } from '../../errors.ts';
import type { Queryable } from '../../db/knex.ts';
import type { Account } from '../../db/accounts.repo.ts';
import { findUserById, updateUser, type User } from '../../db/users.repo.ts';
import { enqueueMail } from '../mail/send-mail.job.ts';
import { signAccountToken, tokenUserId, verifyAccountToken } from './registration-tokens.ts';

const CONFIRM_TTL_MS = 3 * 24 * 60 * 60 * 1000;

export async function queueConfirmationMail(db: Queryable, config: Config, user: User, account: Account): Promise<void> {
  if (!user.email) return;
  const token = signAccountToken(config.secretKey, 'confirm-email', user.id, user.email, Date.now() + CONFIRM_TTL_MS);
  const link = `${config.publicUrl}/auth/confirmation?token=${encodeURIComponent(token)}`;
  await enqueueMail(db, {
    to: user.email,
    subject: `Confirm your e-mail address for ${config.domain}`,
    text: `Hello ${account.username},\n\nplease confirm your e-mail address by opening this link within three days:\n\n${link}\n\nIf you did not sign up at ${config.domain}, ignore this mail.\n`,
  });
}

/** Marks the address confirmed when the token is valid for the user's current address. */
export async function confirmEmail(db: Queryable, config: Config, token: string): Promise<User> {
  const userId = tokenUserId(token);
  const user = userId === null ? undefined : await findUserById(db, userId);
  if (!user || !user.email || !verifyAccountToken(config.secretKey, 'confirm-email', token, user.email)) {
    throw new AppError(422, 'This confirmation link is invalid or has expired');
  }
  if (user.confirmedAt === null) await updateUser(db, user.id, { confirmedAt: Date.now() });
  return (await findUserById(db, user.id))!;
}
