// Answering follow requests (a locked account's). Ids are the requesting
// account's, as in Mastodon. Authorizing turns the request into a follow with
// the options it asked for, counts and home feed included, in one transaction;
// its follow_request notification stays as the record of who asked. A
// rejected request's notification goes with it.
import type { Db } from '../../db/knex.ts';
import { deleteFollowRequest, findFollow, findFollowRequest, findFollowUri, findRequesterIds, insertFollow, lockAccounts } from '../../db/follows.repo.ts';
import type { RelationshipFlags } from '../../db/relationships.repo.ts';
import { AppError, notFound } from '../../errors.ts';
import { feedFollowStarted } from '../feeds/feed-events.ts';
import { withdrawNotification } from '../notifications/notify.ts';
import { federate } from '../federation/outbound.ts';
import { relationshipWith } from './social-target.ts';

/**
 * `ownerId` accepts `requesterId`'s request. Already accepted (a repeated
 * click, two devices): the same answer; no request and no follow: 404.
 */
export async function authorizeFollowRequest(db: Db, ownerId: number, requesterId: number): Promise<RelationshipFlags> {
  await db.transaction(async (trx) => {
    await lockAccounts(trx, [ownerId, requesterId]);
    const request = await findFollowRequest(trx, requesterId, ownerId);
    if (!request) {
      if (await findFollow(trx, requesterId, ownerId)) return;
      throw notFound();
    }
    const uri = await findFollowUri(trx, 'follow_requests', requesterId, ownerId);
    await deleteFollowRequest(trx, requesterId, ownerId);
    if (await insertFollow(trx, { accountId: requesterId, targetAccountId: ownerId, ...request, uri })) {
      await feedFollowStarted(trx, requesterId, ownerId);
      // A remote requester's server learns of it (a remote owner's Accept arriving here sends nothing back).
      await federate(trx, { type: 'accept-follow', accountId: ownerId, targetId: requesterId, followUri: uri });
    }
  });
  return relationshipWith(db, ownerId, requesterId);
}

/** `ownerId` turns `requesterId`'s request down; no pending request: 404. */
export async function rejectFollowRequest(db: Db, ownerId: number, requesterId: number): Promise<RelationshipFlags> {
  await db.transaction(async (trx) => {
    await lockAccounts(trx, [ownerId, requesterId]);
    const uri = await findFollowUri(trx, 'follow_requests', requesterId, ownerId);
    if (!(await deleteFollowRequest(trx, requesterId, ownerId))) throw notFound();
    await federate(trx, { type: 'reject-follow', accountId: ownerId, targetId: requesterId, followUri: uri });
    await withdrawNotification(trx, { type: 'follow_request', recipientId: ownerId, fromAccountId: requesterId });
  });
  return relationshipWith(db, ownerId, requesterId);
}

/**
 * An account that stops being locked accepts everyone waiting, as Mastodon
 * does; one short transaction per request. Returns how many were accepted.
 */
export async function authorizeAllFollowRequests(db: Db, ownerId: number): Promise<number> {
  let accepted = 0;
  for (;;) {
    const requesters = await findRequesterIds(db, ownerId, 100);
    if (requesters.length === 0) return accepted;
    for (const requesterId of requesters) {
      try {
        await authorizeFollowRequest(db, ownerId, requesterId);
        accepted += 1;
      } catch (error) {
        // Withdrawn meanwhile: nothing to accept.
        if (!(error instanceof AppError && error.status === 404)) throw error;
      }
    }
  }
}
