// Access and refresh tokens: issuing, refreshing with rotation, revoking, and
// resolving a bearer token to its user for the API.
import type { Config } from '../../../config/load.ts';
import { accountFromRow, findAccountById, type Account } from '../../db/accounts.repo.ts';
import { newId } from '../../db/ids.ts';
import type { Queryable } from '../../db/knex.ts';
import {
  findTokenByHash,
  findTokenByRefreshHash,
  findTokenWithOwner,
  insertToken,
  revokeToken,
  touchToken,
  type OAuthApp,
  type OAuthToken,
} from '../../db/oauth.repo.ts';
import { findUserById, userFromRow, type User } from '../../db/users.repo.ts';
import { parseScopes, scopesWithin } from '../../oauth/scopes.ts';
import { randomSecret, sha256Hex } from '../../oauth/secrets.ts';
import { loginProblem } from './login-problem.ts';
import { OAuthError } from './oauth-error.ts';
import { authEpoch } from '../../db/auth-changes.ts';
import { cacheToken, cachedToken } from './token-cache.ts';

/** last_used_at is written at most this often per token, so reads stay reads. */
const TOUCH_INTERVAL_MS = 60_000;

export interface IssuedToken {
  id: number;
  accessToken: string;
  /** Only when tokens expire (config.tokenTtlMs): apps that never refresh get none. */
  refreshToken: string | null;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Seconds, or null when the token does not expire. */
  expiresIn: number | null;
  scopes: string[];
}

export interface IssueTokenInput {
  appId: number;
  userId: number | null;
  scopes: string[];
  /** The authorization code it was exchanged for, so a replayed code can revoke it. */
  codeId?: number | null;
}

export async function issueToken(db: Queryable, config: Config, input: IssueTokenInput, now = Date.now()): Promise<IssuedToken> {
  const accessToken = randomSecret();
  const refreshToken = config.tokenTtlMs === null ? null : randomSecret();
  const id = newId(now);
  await insertToken(db, {
    id,
    appId: input.appId,
    userId: input.userId,
    scopes: input.scopes,
    tokenHash: sha256Hex(accessToken),
    refreshTokenHash: refreshToken === null ? null : sha256Hex(refreshToken),
    expiresAt: config.tokenTtlMs === null ? null : now + config.tokenTtlMs,
    codeId: input.codeId ?? null,
    createdAt: now,
  });
  return {
    id,
    accessToken,
    refreshToken,
    createdAt: now,
    expiresIn: config.tokenTtlMs === null ? null : Math.round(config.tokenTtlMs / 1000),
    scopes: input.scopes,
  };
}

/**
 * The refresh_token grant (RFC 6749 §6): the old access and refresh token are
 * revoked and a new pair issued (rotation), with the same or fewer scopes.
 */
export async function refreshAccessToken(
  db: Queryable,
  config: Config,
  app: OAuthApp,
  input: { refreshToken: string | undefined; scope?: string },
  now = Date.now(),
): Promise<IssuedToken> {
  if (!input.refreshToken) throw new OAuthError('invalid_request', 'refresh_token is required');
  const old = await findTokenByRefreshHash(db, sha256Hex(input.refreshToken));
  if (!old || old.appId !== app.id || old.revokedAt !== null) throw new OAuthError('invalid_grant', 'The refresh token is invalid, revoked or was issued to another client');
  let scopes = old.scopes;
  if (input.scope) {
    scopes = parseOAuthScopes(input.scope);
    if (!scopesWithin(scopes, old.scopes)) throw new OAuthError('invalid_scope', 'The requested scope exceeds the scope granted to the refresh token');
  }
  if (old.userId !== null) await assertUserMayLogIn(db, old.userId);
  return db.transaction(async (trx) => {
    // Two refreshes racing with one token: only the one that revokes it wins.
    if (!(await revokeToken(trx, old.id, now))) throw new OAuthError('invalid_grant', 'The refresh token was already used');
    return issueToken(trx, config, { appId: app.id, userId: old.userId, scopes, codeId: old.codeId }, now);
  });
}

/**
 * RFC 7009 revocation by the client that holds the token: an access or refresh
 * token (either revokes the pair). Tokens that are unknown or belong to another
 * client are ignored, as the RFC asks, so the answer tells nothing.
 */
export async function revokeClientToken(db: Queryable, app: OAuthApp, token: string, now = Date.now()): Promise<void> {
  const hash = sha256Hex(token);
  const found = (await findTokenByHash(db, hash)) ?? (await findTokenByRefreshHash(db, hash));
  if (found && found.appId === app.id) await revokeToken(db, found.id, now);
}

export type ResolvedToken =
  | { ok: true; token: OAuthToken; user: User | null; account: Account | null }
  | { ok: false; reason: 'invalid' | 'expired' | 'revoked' };

/** Looks up a bearer token with its user and account (one query); notes its use at most once a minute. */
export async function resolveAccessToken(db: Queryable, accessToken: string, now = Date.now()): Promise<ResolvedToken> {
  const hash = sha256Hex(accessToken);
  const cached = cachedToken(hash, now);
  if (cached) return { ok: true, ...cached };
  const epoch = authEpoch();
  const found = await findTokenWithOwner(db, hash);
  if (!found) return { ok: false, reason: 'invalid' };
  const { token } = found;
  if (token.revokedAt !== null) return { ok: false, reason: 'revoked' };
  if (token.expiresAt !== null && token.expiresAt <= now) return { ok: false, reason: 'expired' };
  let user: User | null = null;
  let account: Account | null = null;
  if (token.userId !== null) {
    if (!found.userRow || !found.accountRow) return { ok: false, reason: 'invalid' };
    user = userFromRow(found.userRow);
    account = accountFromRow(found.accountRow);
  }
  if (token.lastUsedAt === null || now - token.lastUsedAt >= TOUCH_INTERVAL_MS) await touchToken(db, token.id, now);
  cacheToken(hash, { token, user, account }, epoch, now);
  return { ok: true, token, user, account };
}

/** The client_credentials grant: a token for the app itself, with no user. */
export async function clientCredentialsGrant(db: Queryable, config: Config, app: OAuthApp, scope: string | undefined): Promise<IssuedToken> {
  return issueToken(db, config, { appId: app.id, userId: null, scopes: requestedScopes(app, scope) });
}

/** The `scope` a grant asks for (default read), refused as `invalid_scope` unless the app registered it. */
export function requestedScopes(app: OAuthApp, scope: string | undefined): string[] {
  const scopes = parseOAuthScopes(scope);
  if (!scopesWithin(scopes, app.scopes)) throw new OAuthError('invalid_scope', `The requested scope is not within the app's scopes (${app.scopes.join(' ')})`);
  return scopes;
}

/** parseScopes for the OAuth endpoints: an unknown scope is `invalid_scope`. */
export function parseOAuthScopes(text: string | undefined): string[] {
  try {
    return parseScopes(text);
  } catch (error) {
    throw new OAuthError('invalid_scope', (error as Error).message);
  }
}

/** Refuses (invalid_grant) a token for a user who may not use the API: unconfirmed, pending, disabled or suspended. */
export async function assertUserMayLogIn(db: Queryable, userId: number): Promise<{ user: User; account: Account }> {
  const user = await findUserById(db, userId);
  const account = user && (await findAccountById(db, user.accountId));
  if (!user || !account) throw new OAuthError('invalid_grant', 'The user of this grant no longer exists');
  const problem = loginProblem(user, account);
  if (problem) throw new OAuthError('invalid_grant', problem.message);
  return { user, account };
}
