// Following, unfollowing and removing a follower. Each write runs in one
// transaction that locks both accounts first, so a follow, a block and an
// authorization between the same pair never interleave; the follow row, both
// counts, the home-feed event and the notification commit together.
import type { Db } from '../../db/knex.ts';
import { deleteCloseFriend } from '../../db/close-friends.repo.ts';
import {
  deleteFollow,
  deleteFollowRequest,
  findFollow,
  findFollowRequest,
  insertFollow,
  insertFollowRequest,
  lockAccounts,
  updateFollowOptions,
  updateFollowRequestOptions,
} from '../../db/follows.repo.ts';
import { isBlockedEitherWay, type RelationshipFlags } from '../../db/relationships.repo.ts';
import { forbidden, notFound } from '../../errors.ts';
import { feedAuthorRemoved, feedFollowStarted } from '../feeds/feed-events.ts';
import { notify, withdrawNotification } from '../notifications/notify.ts';
import { federate } from '../federation/outbound.ts';
import { findFollowUri } from '../../db/follows.repo.ts';
import { refuseSelf, relationshipWith, requireTarget } from './social-target.ts';

export interface FollowRequestOptions {
  /** Show the account's reblogs in the home feed; default true for a new follow, unchanged otherwise. */
  reblogs?: boolean;
  /** Notify on each of the account's posts; default false for a new follow, unchanged otherwise. */
  notify?: boolean;
  /** A remote follower's Follow activity id: our Accept names it. */
  uri?: string;
}

/**
 * `actorId` follows `targetId`. A locked account (and a remote one, until its
 * server accepts) gets a follow request instead. Following again, or asking
 * again, only changes the options given. A block either way: 403.
 */
export async function followAccount(db: Db, actorId: number, targetId: number, options: FollowRequestOptions = {}): Promise<RelationshipFlags> {
  refuseSelf(actorId, targetId, 'follow');
  await db.transaction(async (trx) => {
    await lockAccounts(trx, [actorId, targetId]);
    const target = await requireTarget(trx, targetId);
    if (target.suspendedAt !== null) throw notFound();
    if (await isBlockedEitherWay(trx, actorId, targetId)) throw forbidden('This action is not allowed');
    const changes = { showReblogs: options.reblogs, notify: options.notify };
    const accept = async () => {
      // A remote follower's server waits for our answer; a repeated Follow (it lost its state) is accepted again.
      const uri = options.uri ?? (await findFollowUri(trx, 'follows', actorId, targetId));
      await federate(trx, { type: 'accept-follow', accountId: targetId, targetId: actorId, followUri: uri });
    };
    if (await findFollow(trx, actorId, targetId)) {
      await updateFollowOptions(trx, actorId, targetId, changes);
      if (options.uri) await accept();
      return;
    }
    if (await findFollowRequest(trx, actorId, targetId)) return updateFollowRequestOptions(trx, actorId, targetId, changes);

    const follow = { accountId: actorId, targetAccountId: targetId, showReblogs: options.reblogs ?? true, notify: options.notify ?? false, uri: options.uri ?? null };
    if (target.locked || target.domain !== null) {
      if (await insertFollowRequest(trx, follow)) {
        // A remote account's server notifies its user; ours gets the Follow activity.
        if (target.domain === null) await notify(trx, { type: 'follow_request', recipientId: targetId, fromAccountId: actorId });
        else await federate(trx, { type: 'follow', accountId: actorId, targetId });
      }
      return;
    }
    if (await insertFollow(trx, follow)) {
      await feedFollowStarted(trx, actorId, targetId);
      await notify(trx, { type: 'follow', recipientId: targetId, fromAccountId: actorId });
      await accept();
    }
  });
  return relationshipWith(db, actorId, targetId);
}

/**
 * Ends a follow and withdraws a pending request, each with its notification
 * (as Mastodon, whose notifications go with their activity); the follower
 * leaves the target's close friends.
 */
export async function unfollowAccount(db: Db, actorId: number, targetId: number): Promise<RelationshipFlags> {
  await db.transaction(async (trx) => {
    await lockAccounts(trx, [actorId, targetId]);
    await requireTarget(trx, targetId);
    const ties = { recipientId: targetId, fromAccountId: actorId };
    let undone = false;
    if (await deleteFollow(trx, actorId, targetId)) {
      undone = true;
      await feedAuthorRemoved(trx, actorId, targetId);
      await deleteCloseFriend(trx, targetId, actorId);
      await withdrawNotification(trx, { type: 'follow', ...ties });
    }
    if (await deleteFollowRequest(trx, actorId, targetId)) {
      undone = true;
      await withdrawNotification(trx, { type: 'follow_request', ...ties });
    }
    if (undone) await federate(trx, { type: 'undo-follow', accountId: actorId, targetId });
  });
  return relationshipWith(db, actorId, targetId);
}

/** `ownerId` makes `followerId` stop following them (Mastodon's remove_from_followers). */
export async function removeFromFollowers(db: Db, ownerId: number, followerId: number): Promise<RelationshipFlags> {
  await db.transaction(async (trx) => {
    await lockAccounts(trx, [ownerId, followerId]);
    await requireTarget(trx, followerId);
    const followUri = await findFollowUri(trx, 'follows', followerId, ownerId);
    if (await deleteFollow(trx, followerId, ownerId)) {
      // A removed remote follower's server hears it as a Reject of its Follow.
      await federate(trx, { type: 'reject-follow', accountId: ownerId, targetId: followerId, followUri });
      await feedAuthorRemoved(trx, followerId, ownerId);
      await deleteCloseFriend(trx, ownerId, followerId);
      await withdrawNotification(trx, { type: 'follow', recipientId: ownerId, fromAccountId: followerId });
    }
  });
  return relationshipWith(db, ownerId, followerId);
}
