// Like and Announce of a post we know: the same likePost and reblogPost a
// local like and share use (counts, notifications, the sharer's followers'
// feeds), so a post the sender may not see (followers-only, blocked) is
// refused exactly as it would be for a local account.
import type { Announce, Like } from '@fedify/vocab';
import { likePost } from '../../server/services/interactions/like.service.ts';
import { reblogPost } from '../../server/services/interactions/reblog.service.ts';
import type { FedInboxContext } from '../context.ts';
import { applyOrIgnore, inboxLog, postFor, senderOf } from './common.ts';

export async function onLike(ctx: FedInboxContext, like: Like): Promise<void> {
  const post = await postFor(ctx, like.objectId);
  if (!post) return inboxLog.debug('Like of an unknown post {object} ignored', { object: like.objectId?.href });
  const sender = await senderOf(ctx, like);
  if (!sender) return;
  await applyOrIgnore('Like', () => likePost(ctx.data.db, sender.id, post.id, { uri: like.id?.href }));
}

export async function onAnnounce(ctx: FedInboxContext, announce: Announce): Promise<void> {
  const post = await postFor(ctx, announce.objectId);
  if (!post) return inboxLog.debug('Announce of an unknown post {object} ignored', { object: announce.objectId?.href });
  const sender = await senderOf(ctx, announce);
  if (!sender) return;
  await applyOrIgnore('Announce', () => reblogPost(ctx.data.db, sender.id, post.id, { uri: announce.id?.href }));
}
