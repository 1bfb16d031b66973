// SQL for `mutes`. A mute with `expires_at` in the past no longer counts:
// every read here (and relationships.repo.ts) compares it with now, so an
// expired mute ends on time without a job; the row stays until the account
// mutes again or unmutes.
import { newId } from './ids.ts';
import type { Queryable } from './knex.ts';

export interface MuteSettings {
  hideNotifications: boolean;
  /** Epoch ms; null: until unmuted. */
  expiresAt: number | null;
}

const active = (now: number) => (q: import('knex').Knex.QueryBuilder) => q.whereNull('mutes.expires_at').orWhere('mutes.expires_at', '>', now);

/** The mute in force from `accountId` on `targetAccountId`, if any. */
export async function findActiveMute(db: Queryable, accountId: number, targetAccountId: number, now = Date.now()): Promise<MuteSettings | undefined> {
  const row = await db('mutes').where({ account_id: accountId, target_account_id: targetAccountId }).where(active(now)).first('hide_notifications', 'expires_at');
  return row ? { hideNotifications: Boolean(row.hide_notifications), expiresAt: row.expires_at === null ? null : Number(row.expires_at) } : undefined;
}

/** Mutes, or changes an existing (possibly expired) mute's settings. */
export async function upsertMute(db: Queryable, accountId: number, targetAccountId: number, settings: MuteSettings, now = Date.now()): Promise<void> {
  await db('mutes')
    .insert({
      id: newId(now),
      account_id: accountId,
      target_account_id: targetAccountId,
      hide_notifications: settings.hideNotifications,
      expires_at: settings.expiresAt,
      created_at: now,
    })
    .onConflict(['account_id', 'target_account_id'])
    .merge(['hide_notifications', 'expires_at']);
}

/** True when there was a mute (in force or expired) to lift. */
export async function deleteMute(db: Queryable, accountId: number, targetAccountId: number): Promise<boolean> {
  return (await db('mutes').where({ account_id: accountId, target_account_id: targetAccountId }).del()) > 0;
}

/**
 * Of `accountIds`, those `accountId` mutes right now; with `notificationsOnly`,
 * only mutes that also hide notifications (what notifications ask).
 */
export async function findMutedAmong(db: Queryable, accountId: number, accountIds: number[], options: { notificationsOnly?: boolean } = {}, now = Date.now()): Promise<Set<number>> {
  if (accountIds.length === 0) return new Set();
  const q = db('mutes').where('account_id', accountId).whereIn('target_account_id', accountIds).where(active(now));
  if (options.notificationsOnly) q.where('hide_notifications', true);
  const ids: unknown[] = await q.pluck('target_account_id');
  return new Set(ids.map(Number));
}
