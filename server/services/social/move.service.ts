// An account moved (ActivityPub Move, after its new account listed the old one
// in alsoKnownAs): our accounts that followed the old one follow the new one
// and leave the old, as Mastodon does. Through the ordinary follow services,
// so a remote new account gets a follow request and our Follow activity.
import type { Db } from '../../db/knex.ts';
import { findLocalFollowerIds, setMovedTo } from '../../db/federation.repo.ts';
import { AppError } from '../../errors.ts';
import { followAccount, unfollowAccount } from './follow.service.ts';

const BATCH = 200;

export async function moveFollowers(db: Db, fromId: number, toId: number): Promise<number> {
  await setMovedTo(db, fromId, toId);
  let moved = 0;
  for (;;) {
    const followers = await findLocalFollowerIds(db, fromId, BATCH);
    if (followers.length === 0) return moved;
    for (const followerId of followers) {
      try {
        if (followerId !== toId) await followAccount(db, followerId, toId);
      } catch (error) {
        // Blocked either way: that follower just stops following the old account.
        if (!(error instanceof AppError && error.status < 500)) throw error;
      }
      await unfollowAccount(db, followerId, fromId);
      moved += 1;
    }
  }
}
