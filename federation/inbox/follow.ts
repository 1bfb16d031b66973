// Follow: a remote account follows one of ours. The same followAccount a local
// follow uses: an unlocked account is followed at once (and the service queues
// our Accept), a locked one gets a follow request for its owner to answer.
// A blocked follower is told no.
import type { Follow } from '@fedify/vocab';
import { isBlockedEitherWay } from '../../server/db/relationships.repo.ts';
import { followAccount } from '../../server/services/social/follow.service.ts';
import { federate } from '../../server/services/federation/outbound.ts';
import type { FedInboxContext } from '../context.ts';
import { inboxLog, localActor, senderOf } from './common.ts';

export async function onFollow(ctx: FedInboxContext, follow: Follow): Promise<void> {
  if (!follow.id) return inboxLog.debug('Follow without an id ignored');
  const target = await localActor(ctx, follow.objectId);
  if (!target) return inboxLog.debug('Follow of an unknown actor {object} ignored', { object: follow.objectId?.href });
  const follower = await senderOf(ctx, follow);
  if (!follower) return;
  const { db } = ctx.data;
  if (await isBlockedEitherWay(db, follower.id, target.id)) {
    await db.transaction((trx) => federate(trx, { type: 'reject-follow', accountId: target.id, targetId: follower.id, followUri: follow.id!.href }));
    return;
  }
  await followAccount(db, follower.id, target.id, { uri: follow.id.href });
}
