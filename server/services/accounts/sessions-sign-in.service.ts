// Checking a sign-in: email or username plus password, then (when enabled) a
// second factor. Between the two steps the browser holds a short-lived signed
// ticket naming the user, bound to their password hash.
import type { Config } from '../../../config/load.ts';
import type { Queryable } from '../../db/knex.ts';
import { findAccountById, findAccountByUsername, type Account } from '../../db/accounts.repo.ts';
import { findUserByAccountId, findUserByEmail, findUserById, updateUser, type User } from '../../db/users.repo.ts';
import { hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { signAccountToken, tokenUserId, verifyAccountToken } from './registration-tokens.ts';
import { signInRefusal } from './sessions.service.ts';

const OTP_TICKET_TTL_MS = 5 * 60 * 1000;

export type CredentialCheck =
  | { ok: true; user: User; account: Account; needsSecondFactor: boolean }
  /** 401: wrong login or password; 403: right password, but the account may not sign in (pending, suspended…). */
  | { ok: false; status: 401 | 403; message: string };

const WRONG = 'Invalid e-mail address, username or password.';
// Verified against when the login names nobody, so both cases take as long.
let dummyHash: Promise<string> | undefined;

/** The local user a login names: an e-mail address (contains @) or a username, any case. */
export async function findLoginUser(db: Queryable, login: string): Promise<{ user: User; account: Account } | undefined> {
  const text = login.trim().replace(/^@/, '');
  if (!text || text.length > 320) return undefined;
  const user = text.includes('@') ? await findUserByEmail(db, text) : await findUserByUsername(db, text);
  const account = user && (await findAccountById(db, user.accountId));
  return user && account ? { user, account } : undefined;
}

async function findUserByUsername(db: Queryable, username: string): Promise<User | undefined> {
  const account = await findAccountByUsername(db, username, null);
  return account && findUserByAccountId(db, account.id);
}

/** The first step of a sign-in. Refusals say why only once the password was right. */
export async function checkCredentials(db: Queryable, login: string, password: string): Promise<CredentialCheck> {
  const found = await findLoginUser(db, login);
  if (!found) {
    await verifyPassword(password, await (dummyHash ??= hashPassword('not a real password')));
    return { ok: false, status: 401, message: WRONG };
  }
  const { user, account } = found;
  if (!(await verifyPassword(password, user.passwordHash))) return { ok: false, status: 401, message: WRONG };
  const refusal = signInRefusal(user, account);
  if (refusal) return { ok: false, status: 403, message: refusal };
  // The stored hash used older parameters: now is the one time we know the password.
  if (needsRehash(user.passwordHash!)) await updateUser(db, user.id, { passwordHash: await hashPassword(password) });
  return { ok: true, user, account, needsSecondFactor: user.otpSecret !== null };
}

/** The ticket a browser carries from the password step to the code step. */
export function signSecondFactorTicket(config: Config, user: User): string {
  return signAccountToken(config.secretKey, 'sign-in-otp', user.id, user.passwordHash ?? '', Date.now() + OTP_TICKET_TTL_MS);
}

/** The user a valid ticket names, when they may still sign in. */
export async function userForSecondFactorTicket(db: Queryable, config: Config, ticket: string): Promise<{ user: User; account: Account } | undefined> {
  const userId = tokenUserId(ticket);
  const user = userId === null ? undefined : await findUserById(db, userId);
  if (!user || !user.otpSecret || !verifyAccountToken(config.secretKey, 'sign-in-otp', ticket, user.passwordHash ?? '')) return undefined;
  const account = await findAccountById(db, user.accountId);
  if (!account || signInRefusal(user, account)) return undefined;
  return { user, account };
}
