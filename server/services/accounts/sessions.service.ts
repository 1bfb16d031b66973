// Web sessions: a random token in a cookie, stored as its SHA-256 hash, valid
// for 30 days. A session only counts while its user may sign in at all.
import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../../db/ids.ts';
import type { Queryable } from '../../db/knex.ts';
import { deleteSession, findLiveSession, insertSession } from '../../db/sessions.repo.ts';
import { findUserById, updateUser, type User } from '../../db/users.repo.ts';
import { findAccountById, type Account } from '../../db/accounts.repo.ts';

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface NewSession {
  id: number;
  token: string;
  expiresAt: number;
}

export async function createSession(db: Queryable, userId: number, client: { ip?: string | null; userAgent?: string | null } = {}): Promise<NewSession> {
  const token = randomBytes(32).toString('base64url');
  const now = Date.now();
  const session = { id: newId(), userId, ip: client.ip ?? null, userAgent: client.userAgent?.slice(0, 512) ?? null, expiresAt: now + SESSION_TTL_MS, createdAt: now };
  await insertSession(db, { ...session, tokenHash: hashToken(token) });
  await updateUser(db, userId, { lastSignInAt: now }, now);
  return { id: session.id, token, expiresAt: session.expiresAt };
}

export interface ResolvedSession {
  sessionId: number;
  user: User;
  account: Account;
}

/** The session a cookie token stands for, or null (unknown, expired, or its user may no longer sign in). */
export async function resolveSession(db: Queryable, token: string): Promise<ResolvedSession | null> {
  if (!token || token.length > 128) return null;
  const session = await findLiveSession(db, hashToken(token));
  if (!session) return null;
  const user = await findUserById(db, session.userId);
  const account = user && (await findAccountById(db, user.accountId));
  if (!user || !account || signInRefusal(user, account) !== null) return null;
  return { sessionId: session.id, user, account };
}

export async function endSession(db: Queryable, sessionId: number): Promise<void> {
  await deleteSession(db, sessionId);
}

/** Why this user may not sign in now, or null when they may. */
export function signInRefusal(user: User, account: Account): string | null {
  if (account.suspendedAt !== null) return 'Your account is suspended.';
  if (user.disabledAt !== null) return 'Your account is disabled.';
  if (!user.approved) return 'Your account is pending approval by an administrator. You can sign in once it is approved.';
  if (user.confirmedAt === null) return 'Please confirm your e-mail address first: follow the link in the mail we sent you.';
  return null;
}
