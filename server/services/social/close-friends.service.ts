// The close friends list (Instagram's): whom an account's close-friends
// stories reach. Only accepted followers can be on it, and they leave it when
// they stop following (unfollow, removal, a block), so the list is always a
// subset of the owner's followers. Adding is all or nothing.
import { findAccountsByIds, findRolesByAccountIds } from '../../db/accounts.repo.ts';
import { deleteCloseFriend, insertCloseFriends } from '../../db/close-friends.repo.ts';
import { findFollowersAmong, lockAccounts } from '../../db/follows.repo.ts';
import type { Db } from '../../db/knex.ts';
import { unprocessable } from '../../errors.ts';
import type { ProfileView } from '../accounts/profile-read.service.ts';
import { requireTarget } from './social-target.ts';

export const MAX_CLOSE_FRIENDS_PER_REQUEST = 100;

/** Adds `friendIds` to `ownerId`'s list; the added accounts, in the order asked. */
export async function addCloseFriends(db: Db, ownerId: number, friendIds: number[]): Promise<ProfileView[]> {
  const ids = [...new Set(friendIds)];
  if (ids.length === 0) throw unprocessable('Validation failed: account_ids must name at least one account');
  if (ids.length > MAX_CLOSE_FRIENDS_PER_REQUEST) throw unprocessable(`Validation failed: at most ${MAX_CLOSE_FRIENDS_PER_REQUEST} account_ids at once`);
  await db.transaction(async (trx) => {
    // The owner's row lock orders this after any unfollow of the owner in flight.
    await lockAccounts(trx, [ownerId]);
    const followers = await findFollowersAmong(trx, ownerId, ids);
    const refused = ids.filter((id) => !followers.has(id));
    if (refused.length > 0) {
      throw unprocessable('Validation failed: only accounts that follow you can be close friends', { account_ids: refused.map(String) });
    }
    await insertCloseFriends(trx, ownerId, ids);
  });
  const accounts = new Map((await findAccountsByIds(db, ids)).map((account) => [account.id, account]));
  const roles = await findRolesByAccountIds(db, ids);
  return ids.flatMap((id) => {
    const account = accounts.get(id);
    return account ? [{ account, role: roles.get(id) ?? null }] : [];
  });
}

/** Takes `friendId` off the list; not on it: nothing to do. Unknown account: 404. */
export async function removeCloseFriend(db: Db, ownerId: number, friendId: number): Promise<void> {
  await requireTarget(db, friendId);
  await deleteCloseFriend(db, ownerId, friendId);
}
