// SQL for `invites`: codes that let people sign up in invite mode.
import type { Queryable } from './knex.ts';

export interface Invite {
  id: number;
  code: string;
  createdByUserId: number;
  maxUses: number | null;
  uses: number;
  expiresAt: number | null;
  revokedAt: number | null;
  createdAt: number;
}

type Row = Record<string, unknown>;

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

function inviteFromRow(row: Row): Invite {
  return {
    id: Number(row.id),
    code: row.code as string,
    createdByUserId: Number(row.created_by_user_id),
    maxUses: num(row.max_uses),
    uses: Number(row.uses),
    expiresAt: num(row.expires_at),
    revokedAt: num(row.revoked_at),
    createdAt: Number(row.created_at),
  };
}

export async function insertInvite(db: Queryable, values: Omit<Invite, 'uses' | 'revokedAt'>): Promise<Invite> {
  await db('invites').insert({
    id: values.id,
    code: values.code,
    created_by_user_id: values.createdByUserId,
    max_uses: values.maxUses,
    expires_at: values.expiresAt,
    created_at: values.createdAt,
  });
  return (await findInviteByCode(db, values.code))!;
}

export async function findInviteByCode(db: Queryable, code: string): Promise<Invite | undefined> {
  const row = await db('invites').where({ code }).first();
  return row ? inviteFromRow(row) : undefined;
}

/** Newest first. */
export async function listInvites(db: Queryable, limit = 100): Promise<Invite[]> {
  const rows: Row[] = await db('invites').orderBy('id', 'desc').limit(limit);
  return rows.map(inviteFromRow);
}

/** Marks the invite revoked; false when there is no such code or it already was. */
export async function revokeInvite(db: Queryable, code: string, now = Date.now()): Promise<boolean> {
  return (await db('invites').where({ code }).whereNull('revoked_at').update({ revoked_at: now })) > 0;
}

/**
 * Takes one use of a valid invite (not revoked, not expired, uses < max_uses)
 * in a single UPDATE, so two sign-ups cannot both take the last use: the
 * conditions are checked again on the locked row (Postgres) or under the write
 * lock (SQLite). Returns the invite's id, or null when it is not usable.
 */
export async function takeInviteUse(db: Queryable, code: string, now = Date.now()): Promise<number | null> {
  const updated = await db('invites')
    .where({ code })
    .whereNull('revoked_at')
    .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', now))
    .where((q) => q.whereNull('max_uses').orWhere('uses', '<', db.ref('max_uses')))
    .increment('uses', 1);
  if (!updated) return null;
  return (await findInviteByCode(db, code))!.id;
}
