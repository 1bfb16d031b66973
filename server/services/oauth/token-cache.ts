// Resolving a bearer token (token + user + account) is work every API request
// does. Resolved tokens are kept for a few seconds, keyed by the token's hash,
// in an epoch cache: any repository write to tokens, users or accounts in this
// process makes every entry stale at once; a write by another process (the
// CLI, another web process) shows within TOKEN_CACHE_TTL_MS. Only valid tokens
// are kept: an unknown or refused token is looked up every time.
import { createEpochCache } from '../cache/epoch-cache.ts';
import type { OAuthToken } from '../../db/oauth.repo.ts';
import type { Account } from '../../db/accounts.repo.ts';
import type { User } from '../../db/users.repo.ts';

export const TOKEN_CACHE_TTL_MS = 5_000;

export interface ResolvedOwner {
  token: OAuthToken;
  user: User | null;
  account: Account | null;
}

const cache = createEpochCache<string, ResolvedOwner>({ ttlMs: TOKEN_CACHE_TTL_MS, maxEntries: 10_000 });

/** The resolved token if cached, still current, and not past its own expiry. */
export function cachedToken(tokenHash: string, now: number): ResolvedOwner | undefined {
  const value = cache.get(tokenHash, now);
  if (value && value.token.expiresAt !== null && value.token.expiresAt <= now) {
    cache.delete(tokenHash);
    return undefined;
  }
  return value;
}

/** Keeps a resolved token; the objects are frozen, since every request with this token shares them. */
export function cacheToken(tokenHash: string, value: ResolvedOwner, epoch: number, now: number): void {
  for (const part of [value.token, value.user, value.account]) if (part) Object.freeze(part);
  cache.set(tokenHash, Object.freeze(value), epoch, now);
}
