// Accept and Reject of a Follow we sent. The Follow is named by its id (ours,
// stored with the request) or embedded; either way the sender must be the
// account that was asked. Accept turns our request into a follow, as the
// owner's authorization would on a local account; Reject ends the request,
// or the follow if it had been accepted (a removed follower).
import { Follow, type Accept, type Reject } from '@fedify/vocab';
import type { Account } from '../../server/db/accounts.repo.ts';
import { findFollow, findFollowRequest } from '../../server/db/follows.repo.ts';
import { findFollowByUri } from '../../server/db/federation.repo.ts';
import { authorizeFollowRequest, rejectFollowRequest } from '../../server/services/social/follow-requests.service.ts';
import { removeFromFollowers } from '../../server/services/social/follow.service.ts';
import type { FedInboxContext } from '../context.ts';
import { applyOrIgnore, inboxLog, localActor, senderOf } from './common.ts';

/** Our local account whose Follow of `sender` this answer is about. */
async function ourFollower(ctx: FedInboxContext, answer: Accept | Reject, sender: Account): Promise<Account | null> {
  const { db } = ctx.data;
  const objectId = answer.objectId;
  if (objectId) {
    const row = await findFollowByUri(db, objectId.href);
    if (row && row.targetAccountId === sender.id) return (await localActor(ctx, ctx.getActorUri(row.username))) ?? null;
  }
  // Embedded (or fetched) Follow: its actor is ours, its object the sender.
  const follow = await answer.getObject({ crossOrigin: 'ignore', suppressError: true }).catch(() => null);
  if (!(follow instanceof Follow) || follow.objectId?.href !== sender.uri) return null;
  return localActor(ctx, follow.actorId);
}

export async function onAccept(ctx: FedInboxContext, accept: Accept): Promise<void> {
  const sender = await senderOf(ctx, accept);
  if (!sender) return;
  const follower = await ourFollower(ctx, accept, sender);
  if (!follower) return inboxLog.debug('Accept of an unknown Follow from {sender} ignored', { sender: sender.uri });
  if (!(await findFollowRequest(ctx.data.db, follower.id, sender.id))) return;
  await applyOrIgnore('Accept', () => authorizeFollowRequest(ctx.data.db, sender.id, follower.id));
}

export async function onReject(ctx: FedInboxContext, reject: Reject): Promise<void> {
  const sender = await senderOf(ctx, reject);
  if (!sender) return;
  const follower = await ourFollower(ctx, reject, sender);
  if (!follower) return inboxLog.debug('Reject of an unknown Follow from {sender} ignored', { sender: sender.uri });
  const { db } = ctx.data;
  if (await findFollowRequest(db, follower.id, sender.id)) await applyOrIgnore('Reject', () => rejectFollowRequest(db, sender.id, follower.id));
  else if (await findFollow(db, follower.id, sender.id)) await applyOrIgnore('Reject', () => removeFromFollowers(db, sender.id, follower.id));
}
