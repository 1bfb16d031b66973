// Requests one instance makes of another as its server would: an activity sent
// straight from an actor (no queue), and a fetch signed by the instance actor.
// Sends an activity straight from one instance's actor to another instance,
// signed with the actor's real keys, without the queue: for tests of what the
// receiving side refuses even when the sender's own server would not send it.
import type { Activity } from '@fedify/vocab';
import { createViewfinderFederation } from '../../federation/federation.ts';
import type { Instance } from './instances.ts';
import { INSTANCE_ACTOR } from '../../federation/context.ts';

export async function sendSigned(from: Instance, username: string, to: { actor: string; inbox: string }, activity: Activity): Promise<void> {
  const federation = await createViewfinderFederation({ config: from.config, db: from.db });
  const ctx = federation.createContext(new URL(from.config.publicUrl), { db: from.db, config: from.config });
  await ctx.sendActivity({ identifier: username }, { id: new URL(to.actor), inboxId: new URL(to.inbox) }, activity, { immediate: true });
}

/** GETs a URL signed by `from`'s instance actor, as a server fetches; the status and the JSON. */
export async function signedGet(from: Instance, url: string): Promise<{ status: number; body: any }> {
  const federation = await createViewfinderFederation({ config: from.config, db: from.db });
  const ctx = federation.createContext(new URL(from.config.publicUrl), { db: from.db, config: from.config });
  const documentLoader = await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  try {
    const { document } = await documentLoader(url);
    return { status: 200, body: document };
  } catch (error) {
    return { status: (error as { response?: Response }).response?.status ?? 0, body: null };
  }
}
