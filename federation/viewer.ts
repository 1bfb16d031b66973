// Who is asking, for the visibility policy: the account of the actor whose
// key signed the request (a follower's server may see followers-only posts),
// or anonymous. Unsigned GETs are anonymous, never an error.
import { findAccountByUri } from '../server/db/accounts.repo.ts';
import type { ViewerId } from '../server/services/visibility/post-visibility.ts';
import type { FedRequestContext } from './context.ts';

export async function signedViewer(ctx: FedRequestContext): Promise<ViewerId> {
  return (await signer(ctx)).accountId;
}

/** The signing actor's account (when we know it) and server (when signed at all). */
export async function signer(ctx: FedRequestContext): Promise<{ accountId: ViewerId; domain: string | null }> {
  const owner = await ctx.getSignedKeyOwner().catch(() => null);
  if (!owner?.id) return { accountId: null, domain: null };
  const account = await findAccountByUri(ctx.data.db, owner.id.href);
  return { accountId: account?.id ?? null, domain: owner.id.host };
}

/**
 * Authorized-fetch mode (config): posts and collections only for signed
 * requests. Actors stay open, as Mastodon keeps them: a server must be able
 * to read a key before it can verify anything signed with it.
 */
export async function fetchAllowed(ctx: FedRequestContext): Promise<boolean> {
  if (!ctx.data.config.federation.authorizedFetch) return true;
  return (await ctx.getSignedKey().catch(() => null)) !== null;
}
