// Who is asking, for the visibility policy: the account of the actor whose
// key signed the request (a follower's server may see followers-only posts),
// or anonymous. Unsigned GETs are anonymous, never an error.
import { findAccountByUri } from '../server/db/accounts.repo.ts';
import type { ViewerId } from '../server/services/visibility/post-visibility.ts';
import type { FedRequestContext } from './context.ts';

export async function signedViewer(ctx: FedRequestContext): Promise<ViewerId> {
  const owner = await ctx.getSignedKeyOwner().catch(() => null);
  if (!owner?.id) return null;
  const account = await findAccountByUri(ctx.data.db, owner.id.href);
  return account?.id ?? null;
}
