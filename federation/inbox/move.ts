// Move: the sender says it now lives at `target`. Believed only when the new
// actor (fetched fresh) lists the old one in alsoKnownAs.
import type { Move } from '@fedify/vocab';
import { moveFollowers } from '../../server/services/social/move.service.ts';
import type { FedInboxContext } from '../context.ts';
import { remoteAccount } from '../remote/remote-accounts.ts';
import { inboxLog, senderOf } from './common.ts';

export async function onMove(ctx: FedInboxContext, move: Move): Promise<void> {
  const sender = await senderOf(ctx, move);
  if (!sender || move.objectId?.href !== sender.uri || !move.targetId) return inboxLog.debug('Move not about its sender ignored');
  const target = await remoteAccount(ctx, move.targetId, { refresh: true });
  if (!target || target.id === sender.id) return;
  const aliases = JSON.parse(target.alsoKnownAs) as unknown;
  if (!Array.isArray(aliases) || !aliases.includes(sender.uri)) return inboxLog.info('Move of {from} to {to} ignored: the new account does not name the old one', { from: sender.uri, to: target.uri });
  const moved = await moveFollowers(ctx.data.db, sender.id, target.id);
  inboxLog.info('{from} moved to {to}: {count} local follower(s) moved', { from: sender.uri, to: target.uri, count: moved });
}
