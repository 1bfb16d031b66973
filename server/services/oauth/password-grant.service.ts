// The resource-owner password grant: command-line clients (toot) still log in
// with it, sending the e-mail address as `username` like Mastodon expects; we
// take the username too. An admin can turn it off (instance setting
// 'password_grant', else VIEWFINDER_PASSWORD_GRANT). Two-factor users are
// refused: the grant has no place for a code.
import type { Config } from '../../../config/load.ts';
import { findAccountByUsername } from '../../db/accounts.repo.ts';
import { getSetting, setSetting } from '../../db/instance-settings.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import type { OAuthApp } from '../../db/oauth.repo.ts';
import { findUserByAccountId, findUserByEmail, type User } from '../../db/users.repo.ts';
import { randomSecret } from '../../oauth/secrets.ts';
import { hashPassword, verifyPassword } from '../accounts/passwords.ts';
import { OAuthError } from './oauth-error.ts';
import { assertUserMayLogIn, issueToken, requestedScopes, type IssuedToken } from './tokens.service.ts';

export const PASSWORD_GRANT_SETTING = 'password_grant';

export async function passwordGrantEnabled(db: Queryable, config: Config): Promise<boolean> {
  const setting = await getSetting<unknown>(db, PASSWORD_GRANT_SETTING);
  if (setting === undefined || setting === null) return config.passwordGrant;
  return !(setting === false || setting === 0 || (typeof setting === 'string' && /^(off|false|0|no)$/i.test(setting)));
}

/** The admin's run-time choice; it wins over VIEWFINDER_PASSWORD_GRANT. */
export async function setPasswordGrantEnabled(db: Queryable, enabled: boolean): Promise<void> {
  await setSetting(db, PASSWORD_GRANT_SETTING, enabled);
}

// Checked against when no user matches, so a miss costs as long as a wrong
// password and response times do not tell which usernames exist.
let decoyHash: Promise<string> | undefined;

export interface PasswordGrantInput {
  username: string | undefined;
  password: string | undefined;
  scope: string | undefined;
}

export async function passwordGrant(db: Queryable, config: Config, app: OAuthApp, input: PasswordGrantInput): Promise<IssuedToken> {
  if (!(await passwordGrantEnabled(db, config))) {
    throw new OAuthError('unsupported_grant_type', 'The password grant is disabled on this server: sign in through the browser (authorization_code) instead');
  }
  if (!input.username || !input.password) throw new OAuthError('invalid_request', 'username and password are required');
  const scopes = requestedScopes(app, input.scope);

  const user = await findLoginUser(db, input.username);
  decoyHash ??= hashPassword(randomSecret());
  const matches = await verifyPassword(input.password, user?.passwordHash ?? (await decoyHash));
  if (!user || !matches) throw new OAuthError('invalid_grant', 'Invalid username, e-mail address or password');
  if (user.otpSecret !== null) {
    throw new OAuthError('invalid_grant', 'This account uses two-factor authentication, which the password grant cannot carry: sign in through the browser (authorization_code) instead');
  }
  await assertUserMayLogIn(db, user.id);
  return issueToken(db, config, { appId: app.id, userId: user.id, scopes });
}

/** By e-mail address when `login` has an @ (Mastodon's way), else by local username. */
async function findLoginUser(db: Queryable, login: string): Promise<User | undefined> {
  const trimmed = login.trim().replace(/^@/, '');
  if (trimmed.includes('@')) return findUserByEmail(db, trimmed);
  const account = await findAccountByUsername(db, trimmed, null);
  return account ? findUserByAccountId(db, account.id) : undefined;
}
