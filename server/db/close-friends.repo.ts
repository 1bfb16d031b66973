// SQL for `close_friends`: an account's list (account_id = the owner,
// target_account_id = the friend). The social service keeps it a subset of
// the owner's followers; stories ask whether a viewer is on an author's list.
import { newId } from './ids.ts';
import type { Queryable } from './knex.ts';

/** Adds each of `friendIds` to `ownerId`'s list (already there: unchanged). */
export async function insertCloseFriends(db: Queryable, ownerId: number, friendIds: number[], now = Date.now()): Promise<void> {
  if (friendIds.length === 0) return;
  const rows = friendIds.map((friendId) => ({ id: newId(now), account_id: ownerId, target_account_id: friendId, created_at: now }));
  await db('close_friends').insert(rows).onConflict(['account_id', 'target_account_id']).ignore();
}

/** Takes `friendId` off `ownerId`'s list; true when they were on it. */
export async function deleteCloseFriend(db: Queryable, ownerId: number, friendId: number): Promise<boolean> {
  return (await db('close_friends').where({ account_id: ownerId, target_account_id: friendId }).del()) > 0;
}

/** Takes each of two accounts off the other's list (a block). */
export async function deleteCloseFriendsBetween(db: Queryable, a: number, b: number): Promise<void> {
  await db('close_friends')
    .where((q) => q.where({ account_id: a, target_account_id: b }).orWhere({ account_id: b, target_account_id: a }))
    .del();
}

/** Of `ownerIds`, the authors whose close friends list holds `viewerId` (for stories). */
export async function findOwnersListing(db: Queryable, viewerId: number, ownerIds: number[]): Promise<Set<number>> {
  if (ownerIds.length === 0) return new Set();
  const ids: unknown[] = await db('close_friends').where('target_account_id', viewerId).whereIn('account_id', ownerIds).pluck('account_id');
  return new Set(ids.map(Number));
}
