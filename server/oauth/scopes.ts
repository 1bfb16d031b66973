// Mastodon's OAuth scopes (docs.joinmastodon.org/api/oauth-scopes, as of 4.3)
// and how a granted scope covers a required one. `crypto` was removed in 4.3
// and is refused like any unknown scope.
import { AppError } from '../errors.ts';

const readScopes = ['accounts', 'blocks', 'bookmarks', 'favourites', 'filters', 'follows', 'lists', 'mutes', 'notifications', 'search', 'statuses'];
const writeScopes = ['accounts', 'blocks', 'bookmarks', 'conversations', 'favourites', 'filters', 'follows', 'lists', 'media', 'mutes', 'notifications', 'reports', 'statuses'];
const adminScopes = ['accounts', 'reports', 'domain_allows', 'domain_blocks', 'ip_blocks', 'email_domain_blocks', 'canonical_email_blocks'];

/** Every scope we accept, in the order the RFC 8414 metadata lists them. */
export const allScopes: readonly string[] = [
  'read',
  'write',
  'follow',
  'push',
  'profile',
  ...readScopes.map((name) => `read:${name}`),
  ...writeScopes.map((name) => `write:${name}`),
  'admin:read',
  ...adminScopes.map((name) => `admin:read:${name}`),
  'admin:write',
  ...adminScopes.map((name) => `admin:write:${name}`),
];
const known = new Set(allScopes);

/** Scopes that grant every `<parent>:<name>` below them. */
const parents = new Set(['read', 'write', 'admin:read', 'admin:write']);
/** The deprecated `follow` scope grants these (Mastodon keeps honouring it). */
const followGrants = new Set(['read:follows', 'read:blocks', 'read:mutes', 'write:follows', 'write:blocks', 'write:mutes']);

export const DEFAULT_SCOPE = 'read';

/**
 * Space-separated scopes (OAuth's `scope`, Mastodon's `scopes`) → a
 * de-duplicated list; `fallback` when the text is empty. Unknown scopes are a
 * 422 naming them; callers speaking OAuth map that to `invalid_scope`.
 */
export function parseScopes(text: string | undefined, fallback = DEFAULT_SCOPE): string[] {
  const words = (text ?? '').split(/[\s+]+/).filter(Boolean);
  const scopes = [...new Set(words.length ? words : fallback.split(/\s+/).filter(Boolean))];
  const unknown = scopes.filter((scope) => !known.has(scope));
  if (unknown.length) throw new AppError(422, `Unknown scope${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  return scopes;
}

/** True when one of `granted` covers `required`: itself, its parent (`read` → `read:accounts`), or `follow` for relationships. */
export function scopeAllows(granted: readonly string[], required: string): boolean {
  for (const scope of granted) {
    if (scope === required) return true;
    if (parents.has(scope) && required.startsWith(`${scope}:`)) return true;
    if (scope === 'follow' && followGrants.has(required)) return true;
  }
  return false;
}

/** True when every scope in `requested` is covered by `allowed` (an authorization request against its app's scopes). */
export function scopesWithin(requested: readonly string[], allowed: readonly string[]): boolean {
  return requested.every((scope) => scopeAllows(allowed, scope));
}

export function formatScopes(scopes: readonly string[]): string {
  return scopes.join(' ');
}
