// Undo of a Follow, Like, Announce or Block the sender made earlier. Servers
// embed the undone activity (Mastodon does); we match it by its actor (who
// must be the sender) and object, the way Mastodon matches.
import { Activity, Announce, Block, Follow, Like, type Undo } from '@fedify/vocab';
import { findOriginal } from '../../server/services/interactions/target-post.ts';
import { unlikePost } from '../../server/services/interactions/like.service.ts';
import { unreblogPost } from '../../server/services/interactions/reblog.service.ts';
import { unblockAccount } from '../../server/services/social/block.service.ts';
import { unfollowAccount } from '../../server/services/social/follow.service.ts';
import type { FedInboxContext } from '../context.ts';
import { applyOrIgnore, inboxLog, localActor, postFor, senderOf } from './common.ts';

export async function onUndo(ctx: FedInboxContext, undo: Undo): Promise<void> {
  const undone = await undo.getObject({ crossOrigin: 'ignore', suppressError: true }).catch(() => null);
  if (!undone) return inboxLog.debug('Undo of an unknown object ignored');
  const sender = await senderOf(ctx, undo);
  if (!sender) return;
  if (undone instanceof Activity && undone.actorId && undone.actorId.href !== sender.uri) return inboxLog.debug('Undo of someone else\'s activity ignored');
  const { db } = ctx.data;
  if (undone instanceof Follow || undone instanceof Block) {
    const target = await localActor(ctx, undone.objectId);
    if (!target) return;
    if (undone instanceof Follow) await applyOrIgnore('Undo Follow', () => unfollowAccount(db, sender.id, target.id));
    else await applyOrIgnore('Undo Block', () => unblockAccount(db, sender.id, target.id));
    return;
  }
  if (undone instanceof Like || undone instanceof Announce) {
    const post = await postFor(ctx, undone.objectId);
    if (!post) return;
    const original = await findOriginal(db, post.id);
    if (!original) return;
    if (undone instanceof Like) await applyOrIgnore('Undo Like', () => unlikePost(db, sender.id, original.id));
    else await applyOrIgnore('Undo Announce', () => unreblogPost(db, sender.id, original.id));
    return;
  }
  inboxLog.debug('Undo of a {type} ignored', { type: undone.constructor.name });
}
