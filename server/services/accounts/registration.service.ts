// Sign-up of local accounts (web form and POST /api/v1/accounts) under the
// instance's registration mode: open (active at once), approval (an admin
// approves first; the default), invite (a valid invite code is required),
// closed (refused).
import type { Config } from '../../../config/load.ts';
import { AppError } from '../../errors.ts';
import type { Db, Queryable } from '../../db/knex.ts';
import { findAccountByUsername, isUniqueViolation, type Account } from '../../db/accounts.repo.ts';
import { findUserByEmail, insertLocalAccountAndUser, type User } from '../../db/users.repo.ts';
import { getSetting, setSetting } from '../../db/instance-settings.repo.ts';
import { takeInviteUse } from '../../db/invites.repo.ts';
import { hashPassword } from './passwords.ts';
import { addFieldError, checkEmail, checkPassword, checkUsername, throwIfInvalid, type FieldErrors } from './registration-validation.ts';
import { queueConfirmationMail } from './registration-mail.ts';

export type RegistrationMode = Config['registrations'];
export const registrationModes: readonly RegistrationMode[] = ['open', 'approval', 'invite', 'closed'];
const SETTING = 'registrations';

/** The instance setting (set by an admin at run time) wins over the config. */
export async function registrationMode(db: Queryable, config: Config): Promise<RegistrationMode> {
  const stored = await getSetting<string>(db, SETTING);
  return registrationModes.includes(stored as RegistrationMode) ? (stored as RegistrationMode) : config.registrations;
}

export async function setRegistrationMode(db: Queryable, mode: RegistrationMode): Promise<void> {
  if (!registrationModes.includes(mode)) throw new AppError(422, `Registration mode must be one of ${registrationModes.join(', ')}`);
  await setSetting(db, SETTING, mode);
}

export interface RegistrationInput {
  username: string;
  email?: string;
  password: string;
  reason?: string;
  inviteCode?: string;
  locale?: string;
  /** Mastodon's "agrees to the rules" box: false refuses; undefined when the caller has no such box. */
  agreement?: boolean;
  ip?: string;
}

export async function registerAccount(db: Db, config: Config, input: RegistrationInput): Promise<{ user: User; account: Account }> {
  const mode = await registrationMode(db, config);
  if (mode === 'closed') throw new AppError(403, 'Registrations are closed on this server');

  const username = (input.username ?? '').trim();
  const email = input.email?.trim() || null;
  const password = input.password ?? '';
  const inviteCode = input.inviteCode?.trim() || null;
  const errors: FieldErrors = {};
  checkUsername(errors, username);
  checkEmail(errors, email, config.requireEmail);
  checkPassword(errors, password);
  if (input.agreement === false) addFieldError(errors, 'agreement', 'ERR_ACCEPTED', 'must be accepted');
  if (mode === 'invite' && !inviteCode) addFieldError(errors, 'invite_code', 'ERR_BLANK', 'is required: sign-ups on this server need an invitation');
  throwIfInvalid(errors);

  // Hash before the transaction: scrypt takes tens of milliseconds, and on
  // SQLite an open write transaction blocks every other writer meanwhile.
  const passwordHash = await hashPassword(password);
  const reason = input.reason?.trim().slice(0, 1000) || null;
  const locale = input.locale?.trim().slice(0, 16) || null;

  try {
    return await db.transaction(async (trx) => {
      await assertAvailable(trx, username, email);
      // A valid invite also skips approval, as on Mastodon: the inviter vouches.
      const inviteId = inviteCode ? await takeInviteUse(trx, inviteCode) : null;
      if (inviteCode && inviteId === null) {
        throwIfInvalid({ invite_code: [{ error: 'ERR_INVALID', description: 'is invalid, expired, revoked or used up' }] });
      }
      const now = Date.now();
      const { account, user } = await insertLocalAccountAndUser(trx, username, {
        email,
        passwordHash,
        role: 'user',
        approved: mode === 'open' || inviteId !== null,
        signUpReason: reason,
        locale,
        inviteId,
        // With SMTP the address is proven by the mailed link; without, nobody can check it.
        confirmedAt: config.smtp && email ? null : now,
      }, now);
      if (config.smtp && email) await queueConfirmationMail(trx, config, user, account);
      return { user, account };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another sign-up took the name or address between our check and insert.
    await assertAvailable(db, username, email);
    throw error;
  }
}

async function assertAvailable(db: Queryable, username: string, email: string | null): Promise<void> {
  const errors: FieldErrors = {};
  if (await findAccountByUsername(db, username, null)) addFieldError(errors, 'username', 'ERR_TAKEN', 'has already been taken');
  if (email !== null && (await findUserByEmail(db, email))) addFieldError(errors, 'email', 'ERR_TAKEN', 'has already been taken');
  throwIfInvalid(errors);
}
