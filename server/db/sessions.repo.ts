// SQL for `sessions`: web sign-ins. Only a hash of the cookie's token is
// stored, so a leaked database does not sign anyone in.
import type { Queryable } from './knex.ts';

export interface Session {
  id: number;
  userId: number;
  ip: string | null;
  userAgent: string | null;
  expiresAt: number;
  createdAt: number;
}

type Row = Record<string, unknown>;

function sessionFromRow(row: Row): Session {
  return {
    id: row.id as number,
    userId: row.user_id as number,
    ip: (row.ip as string | null) ?? null,
    userAgent: (row.user_agent as string | null) ?? null,
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
  };
}

export async function insertSession(db: Queryable, values: Session & { tokenHash: string }): Promise<void> {
  await db('sessions').insert({
    id: values.id,
    user_id: values.userId,
    token_hash: values.tokenHash,
    ip: values.ip,
    user_agent: values.userAgent,
    expires_at: values.expiresAt,
    created_at: values.createdAt,
  });
}

/** The unexpired session whose token hashes to `tokenHash`. */
export async function findLiveSession(db: Queryable, tokenHash: string, now = Date.now()): Promise<Session | undefined> {
  const row = await db('sessions').where({ token_hash: tokenHash }).where('expires_at', '>', now).first();
  return row ? sessionFromRow(row) : undefined;
}

export async function deleteSession(db: Queryable, id: number): Promise<void> {
  await db('sessions').where({ id }).delete();
}

/** Every session of a user but `exceptId` (a password change keeps the session that made it). */
export async function deleteUserSessions(db: Queryable, userId: number, exceptId?: number | null): Promise<number> {
  const query = db('sessions').where({ user_id: userId });
  if (exceptId != null) query.whereNot({ id: exceptId });
  return query.delete();
}

export async function deleteExpiredSessions(db: Queryable, now = Date.now()): Promise<number> {
  return db('sessions').where('expires_at', '<=', now).delete();
}
