// Block: a remote account blocks one of ours. The same blockAccount: follows
// both ways end, and each is hidden from the other.
import type { Block } from '@fedify/vocab';
import { blockAccount } from '../../server/services/social/block.service.ts';
import type { FedInboxContext } from '../context.ts';
import { applyOrIgnore, inboxLog, localActor, senderOf } from './common.ts';

export async function onBlock(ctx: FedInboxContext, block: Block): Promise<void> {
  const target = await localActor(ctx, block.objectId);
  if (!target) return inboxLog.debug('Block of an unknown actor ignored');
  const sender = await senderOf(ctx, block);
  if (!sender) return;
  await applyOrIgnore('Block', () => blockAccount(ctx.data.db, sender.id, target.id));
}
