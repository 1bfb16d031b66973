// Sends an activity straight from one instance's actor to another instance,
// signed with the actor's real keys, without the queue: for tests of what the
// receiving side refuses even when the sender's own server would not send it.
import type { Activity } from '@fedify/vocab';
import { createViewfinderFederation } from '../../federation/federation.ts';
import type { Instance } from './instances.ts';

export async function sendSigned(from: Instance, username: string, to: { actor: string; inbox: string }, activity: Activity): Promise<void> {
  const federation = await createViewfinderFederation({ config: from.config, db: from.db });
  const ctx = federation.createContext(new URL(from.config.publicUrl), { db: from.db, config: from.config });
  await ctx.sendActivity({ identifier: username }, { id: new URL(to.actor), inboxId: new URL(to.inbox) }, activity, { immediate: true });
}
