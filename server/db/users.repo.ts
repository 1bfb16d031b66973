// SQL for `users` (local logins, one per local account) and the credentials
// that hang off them (OAuth tokens and codes, web sessions).
import { createRowMapper } from './row-mapper.ts';
import type { Queryable } from './knex.ts';
import { newId } from './ids.ts';
import { insertAccount, type Account } from './accounts.repo.ts';
import { noteAuthChange } from './auth-changes.ts';

export type UserRole = 'user' | 'moderator' | 'admin';
export const userRoles: readonly UserRole[] = ['user', 'moderator', 'admin'];

export interface User {
  id: number;
  accountId: number;
  email: string | null;
  passwordHash: string | null;
  role: UserRole;
  approved: boolean;
  signUpReason: string | null;
  locale: string | null;
  otpSecret: string | null;
  /** JSON text: array of hashes */
  otpRecoveryCodes: string | null;
  inviteId: number | null;
  confirmedAt: number | null;
  disabledAt: number | null;
  lastSignInAt: number | null;
  /** Posting defaults: Mastodon's source[privacy|sensitive|language]. */
  defaultPrivacy: 'public' | 'unlisted' | 'private' | 'direct';
  defaultSensitive: boolean;
  defaultLanguage: string | null;
  /** Keep camera make, model and exposure in uploaded photos (never the location). */
  keepCameraInfo: boolean;
  createdAt: number;
  updatedAt: number;
}

export type NewUser = Pick<User, 'id' | 'accountId' | 'createdAt' | 'updatedAt'> &
  Partial<Omit<User, 'id' | 'accountId' | 'createdAt' | 'updatedAt'>>;

/** Fields a caller may change after creation; `updatedAt` is set automatically. */
export type UserChanges = Partial<Omit<User, 'id' | 'accountId' | 'createdAt' | 'updatedAt'>>;

type Row = Record<string, unknown>;

const columns: Record<keyof User, string> = {
  id: 'id',
  accountId: 'account_id',
  email: 'email',
  passwordHash: 'password_hash',
  role: 'role',
  approved: 'approved',
  signUpReason: 'sign_up_reason',
  locale: 'locale',
  otpSecret: 'otp_secret',
  otpRecoveryCodes: 'otp_recovery_codes',
  inviteId: 'invite_id',
  confirmedAt: 'confirmed_at',
  disabledAt: 'disabled_at',
  lastSignInAt: 'last_sign_in_at',
  defaultPrivacy: 'default_privacy',
  defaultSensitive: 'default_sensitive',
  defaultLanguage: 'default_language',
  keepCameraInfo: 'keep_camera_info',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

// SQLite stores booleans as 0/1.
const booleanFields = new Set<keyof User>(['approved', 'defaultSensitive', 'keepCameraInfo']);

const mapper = createRowMapper<User>(columns, booleanFields);
export const userFromRow = mapper.fromRow;
const toRow = mapper.toRow;


export async function findUserById(db: Queryable, id: number): Promise<User | undefined> {
  const row = await db('users').where({ id }).first();
  return row ? userFromRow(row) : undefined;
}

export async function findUserByAccountId(db: Queryable, accountId: number): Promise<User | undefined> {
  const row = await db('users').where({ account_id: accountId }).first();
  return row ? userFromRow(row) : undefined;
}

/** Case-insensitive, like the unique index `users_email_unique`. */
export async function findUserByEmail(db: Queryable, email: string): Promise<User | undefined> {
  const row = await db('users').whereRaw('lower(email) = ?', [email.toLowerCase()]).first();
  return row ? userFromRow(row) : undefined;
}

export async function insertUser(db: Queryable, values: NewUser): Promise<User> {
  await db('users').insert(toRow(values));
  return (await findUserById(db, values.id))!;
}

/** A local account and its login, created together: call it inside a transaction. */
export async function insertLocalAccountAndUser(
  db: Queryable,
  username: string,
  user: Omit<NewUser, 'id' | 'accountId' | 'createdAt' | 'updatedAt'>,
  now = Date.now(),
): Promise<{ account: Account; user: User }> {
  const account = await insertAccount(db, { id: newId(), username, domain: null, createdAt: now, updatedAt: now });
  return { account, user: await insertUser(db, { ...user, id: newId(), accountId: account.id, createdAt: now, updatedAt: now }) };
}

export async function updateUser(db: Queryable, id: number, changes: UserChanges, now = Date.now()): Promise<void> {
  await db('users').where({ id }).update({ ...toRow(changes), updated_at: now });
  noteAuthChange(db);
}

/** A local user with the account fields an admin listing shows. */
export interface UserListing {
  userId: number;
  accountId: number;
  username: string;
  email: string | null;
  role: UserRole;
  approved: boolean;
  confirmedAt: number | null;
  disabledAt: number | null;
  suspendedAt: number | null;
  createdAt: number;
}

export interface UserListFilter {
  role?: UserRole;
  /** Rows with a larger user id only (pagination). */
  afterId?: number;
  limit?: number;
}

/** Local users, oldest first. */
export async function listUsers(db: Queryable, filter: UserListFilter = {}): Promise<UserListing[]> {
  const query = db('users')
    .join('accounts', 'accounts.id', 'users.account_id')
    .select(
      'users.id as user_id',
      'accounts.id as account_id',
      'accounts.username',
      'users.email',
      'users.role',
      'users.approved',
      'users.confirmed_at',
      'users.disabled_at',
      'accounts.suspended_at',
      'users.created_at',
    )
    .orderBy('users.id', 'asc')
    .limit(filter.limit ?? 100);
  if (filter.role) query.where('users.role', filter.role);
  if (filter.afterId !== undefined) query.where('users.id', '>', filter.afterId);
  const rows: Row[] = await query;
  return rows.map((row) => ({
    userId: row.user_id as number,
    accountId: row.account_id as number,
    username: row.username as string,
    email: (row.email as string | null) ?? null,
    role: row.role as UserRole,
    approved: Boolean(row.approved),
    confirmedAt: (row.confirmed_at as number | null) ?? null,
    disabledAt: (row.disabled_at as number | null) ?? null,
    suspendedAt: (row.suspended_at as number | null) ?? null,
    createdAt: row.created_at as number,
  }));
}

/**
 * Signs a user out everywhere: deletes their OAuth tokens, unused OAuth
 * authorization codes and web sessions. Returns how many of each went.
 */
export async function deleteUserCredentials(db: Queryable, userId: number): Promise<{ tokens: number; codes: number; sessions: number }> {
  const tokens = await db('oauth_tokens').where({ user_id: userId }).delete();
  noteAuthChange(db);
  const codes = await db('oauth_codes').where({ user_id: userId }).delete();
  const sessions = await db('sessions').where({ user_id: userId }).delete();
  return { tokens, codes, sessions };
}
