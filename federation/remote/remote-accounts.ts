// Remote actors as account rows (DESIGN.md rule 5: local and remote alike).
// An actor is fetched (signed by the instance actor when the server requires
// it; Fedify caches documents in kv), mapped by the pure readActor and stored;
// it is refreshed when its row is older than a day, so profile changes
// arrive even from servers that never send Update.
import { isActor, type Actor } from '@fedify/vocab';
import type { Db } from '../../server/db/knex.ts';
import { newId } from '../../server/db/ids.ts';
import {
  findAccountByUri,
  findAccountByUsername,
  insertAccount,
  isUniqueViolation,
  updateRemoteAccount,
  type Account,
  type RemoteAccountChanges,
} from '../../server/db/accounts.repo.ts';
import { sanitizeRichText } from '../../server/services/text/sanitize.ts';
import { applyDomainPolicyToNewAccount } from '../../server/services/moderation/domain-blocks.service.ts';
import { getLogger } from '../../server/logging.ts';
import { syncRemoteProfileImagesLater } from '../../server/services/accounts/remote-profile-images.job.ts';
import { INSTANCE_ACTOR, type FedContext } from '../context.ts';
import { readActor, type RemoteActorData } from '../objects/account-from-actor.ts';

const STALE_AFTER_MS = 24 * 60 * 60 * 1000;
const log = getLogger('federation');

function changesFrom(data: RemoteActorData, now: number): RemoteAccountChanges {
  return {
    username: data.username,
    domain: data.domain,
    displayName: data.displayName.slice(0, 255),
    note: '',
    noteHtml: sanitizeRichText(data.noteHtml),
    url: data.url,
    uri: data.uri,
    avatarRemoteUrl: data.avatarUrl,
    headerRemoteUrl: data.headerUrl,
    locked: data.locked,
    discoverable: data.discoverable,
    bot: data.bot,
    actorType: data.actorType,
    // Remote values are HTML already (parseFields reads `value` as HTML for remote rows).
    fields: JSON.stringify(data.fields.slice(0, 16).map((f) => ({ name: f.name.slice(0, 255), value: sanitizeRichText(f.value), verified_at: null }))),
    inboxUrl: data.inbox,
    sharedInboxUrl: data.sharedInbox,
    outboxUrl: data.outbox,
    followersUrl: data.followers,
    followingUrl: data.following,
    featuredUrl: data.featured,
    alsoKnownAs: JSON.stringify(data.alsoKnownAs),
    fetchedAt: now,
  };
}

/** Stores (or refreshes) the account row of a fetched actor. */
export async function storeRemoteActor(db: Db, data: RemoteActorData, now = Date.now()): Promise<Account> {
  const changes = changesFrom(data, now);
  for (let attempt = 0; ; attempt++) {
    const existing = (await findAccountByUri(db, data.uri)) ?? (await findAccountByUsername(db, data.username, data.domain));
    if (existing) {
      if (existing.domain === null) throw new Error(`refusing to overwrite local account ${existing.username} with remote actor ${data.uri}`);
      await db.transaction(async (trx) => {
        await updateRemoteAccount(trx, existing.id, changes, now);
        await syncRemoteProfileImagesLater(trx, existing.id);
      });
      return (await findAccountByUri(db, data.uri))!;
    }
    try {
      const createdAt = data.published ?? now;
      const inserted = await db.transaction(async (trx) => {
        const account = await insertAccount(trx, { ...changes, id: newId(), username: data.username, domain: data.domain, createdAt: Math.min(createdAt, now), updatedAt: now });
        await syncRemoteProfileImagesLater(trx, account.id);
        return account;
      });
      // A new account of a suspended or silenced domain starts out so.
      return await applyDomainPolicyToNewAccount(db, inserted, now);
    } catch (error) {
      // Two deliveries from a new actor at once: the other insert won, update it.
      if (attempt === 0 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

/**
 * The account of the actor at `uri`: the stored row when fresh, else fetched
 * and stored. Null when it cannot be fetched or is not an actor. Our own
 * actors resolve to their local rows.
 */
export async function remoteAccount(ctx: FedContext, uri: URL | string, options: { refresh?: boolean } = {}): Promise<Account | null> {
  const { db } = ctx.data;
  const id = typeof uri === 'string' ? uri : uri.href;
  const local = localAccountFor(ctx, id);
  if (local) return (await local) ?? null;
  const existing = await findAccountByUri(db, id);
  if (existing && !options.refresh && existing.fetchedAt !== null && Date.now() - existing.fetchedAt < STALE_AFTER_MS) return existing;
  let actor: unknown;
  try {
    const documentLoader = await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
    actor = await ctx.lookupObject(id, { documentLoader });
  } catch (error) {
    log.debug('Could not fetch actor {uri}: {error}', { uri: id, error });
  }
  if (!isActor(actor)) return existing ?? null;
  return storeActor(ctx, actor as Actor);
}

/** Stores an actor object we already hold (embedded in an activity, or just fetched). */
export async function storeActor(ctx: FedContext, actor: Actor): Promise<Account | null> {
  let data: RemoteActorData;
  try {
    data = await readActor(actor);
  } catch (error) {
    // No id or username: not an actor we can store.
    log.debug('Unusable actor document {id}: {error}', { id: actor.id?.href, error });
    return null;
  }
  // An actor's id must be on the server that answered for it (Fedify checks
  // fetched documents); never let a remote document claim a local account.
  if (data.domain === ctx.data.config.domain) return null;
  return storeRemoteActor(ctx.data.db, data);
}

function localAccountFor(ctx: FedContext, uri: string): Promise<Account | undefined> | null {
  const parsed = ctx.parseUri(new URL(uri));
  if (parsed?.type !== 'actor' || parsed.identifier === INSTANCE_ACTOR) return null;
  return findAccountByUsername(ctx.data.db, parsed.identifier, null);
}
