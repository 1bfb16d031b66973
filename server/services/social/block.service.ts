// Blocking: the block row, and everything it breaks both ways in the same
// transaction: follows (counts and home feeds too), pending requests,
// close-friends entries and the notifications between the two. The visibility policy then hides each account's
// posts from the other; a new follow either way is refused while it stands.
import type { Db } from '../../db/knex.ts';
import { deleteBlock, insertBlock } from '../../db/blocks.repo.ts';
import { deleteCloseFriendsBetween } from '../../db/close-friends.repo.ts';
import { deleteFollow, deleteFollowRequest, lockAccounts } from '../../db/follows.repo.ts';
import type { RelationshipFlags } from '../../db/relationships.repo.ts';
import { feedAuthorRemoved } from '../feeds/feed-events.ts';
import { forgetNotificationsBetween } from '../notifications/notify.ts';
import { federate } from '../federation/outbound.ts';
import { refuseSelf, relationshipWith, requireTarget } from './social-target.ts';

export async function blockAccount(db: Db, actorId: number, targetId: number): Promise<RelationshipFlags> {
  refuseSelf(actorId, targetId, 'block');
  await db.transaction(async (trx) => {
    await lockAccounts(trx, [actorId, targetId]);
    await requireTarget(trx, targetId);
    if (!(await insertBlock(trx, actorId, targetId))) return;
    for (const [follower, followed] of [
      [actorId, targetId],
      [targetId, actorId],
    ] as const) {
      await deleteFollow(trx, follower, followed);
      await deleteFollowRequest(trx, follower, followed);
      // Posts that came into a feed another way (a share, a hashtag) leave too.
      await feedAuthorRemoved(trx, follower, followed);
    }
    await deleteCloseFriendsBetween(trx, actorId, targetId);
    await forgetNotificationsBetween(trx, actorId, targetId);
    await federate(trx, { type: 'block', accountId: actorId, targetId });
  });
  return relationshipWith(db, actorId, targetId);
}

/** Lifts the block; what it broke stays broken, as in Mastodon. */
export async function unblockAccount(db: Db, actorId: number, targetId: number): Promise<RelationshipFlags> {
  await db.transaction(async (trx) => {
    await lockAccounts(trx, [actorId, targetId]);
    await requireTarget(trx, targetId);
    if (await deleteBlock(trx, actorId, targetId)) await federate(trx, { type: 'undo-block', accountId: actorId, targetId });
  });
  return relationshipWith(db, actorId, targetId);
}
