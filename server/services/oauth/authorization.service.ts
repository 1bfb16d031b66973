// The authorization-code grant: checking an authorization request (GET/POST
// /oauth/authorize), issuing a code once the user approves, and exchanging it
// for a token with PKCE (RFC 7636) and replay detection (RFC 6749 §4.1.2).
import type { Config } from '../../../config/load.ts';
import { newId } from '../../db/ids.ts';
import type { Queryable } from '../../db/knex.ts';
import { deleteExpiredCodes, findAppByClientId, findCodeByHash, insertCode, markCodeUsed, revokeTokensFromCode, type OAuthApp, type OAuthCode } from '../../db/oauth.repo.ts';
import { getLogger } from '../../logging.ts';
import { randomSecret, s256Challenge, sha256Hex } from '../../oauth/secrets.ts';
import { OAuthError } from './oauth-error.ts';
import { assertUserMayLogIn, issueToken, requestedScopes, type IssuedToken } from './tokens.service.ts';

export const CODE_TTL_MS = 10 * 60_000;
/** Spent and expired codes are kept this long, so a late replay still finds its code and revokes its tokens. */
export const CODE_RETENTION_MS = 24 * 60 * 60_000;
// RFC 7636 §4.2: BASE64URL of a SHA-256 digest is exactly 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
// RFC 7636 §4.1: 43–128 unreserved characters.
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export interface AuthorizationParams {
  client_id?: unknown;
  redirect_uri?: unknown;
  response_type?: unknown;
  scope?: unknown;
  state?: unknown;
  code_challenge?: unknown;
  code_challenge_method?: unknown;
}

export interface AuthorizationRequest {
  app: OAuthApp;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | null;
}

export type CheckedAuthorization =
  | { ok: true; request: AuthorizationRequest }
  /**
   * `redirectUri` null: the client or redirect URI itself is wrong, so the
   * error must be shown to the user, never sent anywhere (RFC 6749 §4.1.2.1).
   */
  | { ok: false; error: OAuthError; redirectUri: string | null; state: string | null };

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export async function checkAuthorizationRequest(db: Queryable, params: AuthorizationParams): Promise<CheckedAuthorization> {
  const state = text(params.state) ?? null;
  const clientId = text(params.client_id);
  const app = clientId === undefined ? undefined : await findAppByClientId(db, clientId);
  if (!app) return { ok: false, error: new OAuthError('invalid_client', 'Unknown client_id: this app is not registered here', 400), redirectUri: null, state };

  const askedUri = text(params.redirect_uri);
  // Without a redirect_uri, an app with exactly one registered URI means that one (RFC 6749 §3.1.2.3).
  const redirectUri = askedUri ?? (app.redirectUris.length === 1 ? app.redirectUris[0]! : undefined);
  if (redirectUri === undefined) return { ok: false, error: new OAuthError('invalid_request', 'redirect_uri is required'), redirectUri: null, state };
  if (!app.redirectUris.includes(redirectUri)) {
    return { ok: false, error: new OAuthError('invalid_request', 'redirect_uri does not match any redirect URI registered for this app'), redirectUri: null, state };
  }
  const fail = (error: OAuthError): CheckedAuthorization => ({ ok: false, error, redirectUri, state });

  if (params.response_type !== 'code') return fail(new OAuthError('unsupported_response_type', 'response_type must be "code"'));
  if (params.scope !== undefined && typeof params.scope !== 'string') return fail(new OAuthError('invalid_scope', 'scope must be a space-separated string'));
  let scopes: string[];
  try {
    scopes = requestedScopes(app, params.scope as string | undefined);
  } catch (error) {
    if (error instanceof OAuthError) return fail(error);
    throw error;
  }

  const challenge = text(params.code_challenge) ?? null;
  const method = text(params.code_challenge_method) ?? null;
  if (challenge === null && method !== null) return fail(new OAuthError('invalid_request', 'code_challenge_method was given without a code_challenge'));
  if (challenge !== null) {
    // RFC 7636 makes "plain" the default; we only take S256, so it must be named.
    if (method !== 'S256') return fail(new OAuthError('invalid_request', 'code_challenge_method must be S256 (plain is not supported)'));
    if (!S256_CHALLENGE.test(challenge)) return fail(new OAuthError('invalid_request', 'code_challenge must be 43 base64url characters (the S256 of the code_verifier)'));
  }
  return { ok: true, request: { app, redirectUri, scopes, state, codeChallenge: challenge, codeChallengeMethod: challenge === null ? null : 'S256' } };
}

/** Issues a single-use code for an approved request (valid CODE_TTL_MS). Returns the code; only its hash is stored. */
export async function createAuthorizationCode(db: Queryable, request: Omit<AuthorizationRequest, 'state'>, userId: number, now = Date.now()): Promise<string> {
  const code = randomSecret();
  await insertCode(db, {
    id: newId(now),
    codeHash: sha256Hex(code),
    appId: request.app.id,
    userId,
    redirectUri: request.redirectUri,
    scopes: request.scopes,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    expiresAt: now + CODE_TTL_MS,
    usedAt: null,
    createdAt: now,
  });
  return code;
}

export interface CodeExchange {
  code: string | undefined;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
}

/**
 * The authorization_code grant for an authenticated client. A code works once:
 * any attempt after the first (even one that failed its checks) is refused and
 * revokes every token issued from that code.
 */
export async function exchangeAuthorizationCode(db: Queryable, config: Config, app: OAuthApp, input: CodeExchange, now = Date.now()): Promise<IssuedToken> {
  if (!input.code) throw new OAuthError('invalid_request', 'code is required');
  const code = await findCodeByHash(db, sha256Hex(input.code));
  if (!code || code.appId !== app.id) throw new OAuthError('invalid_grant', 'The authorization code is invalid or was issued to another client');

  // Marking the code used and issuing its token share a transaction, so a
  // replay racing the first exchange either waits for the token (and revokes
  // it) or is the one that loses. A failed check still commits the mark: a
  // code that was tried with the wrong verifier or redirect_uri is burnt.
  const outcome = await db.transaction(async (trx): Promise<IssuedToken | OAuthError> => {
    if (!(await markCodeUsed(trx, code.id, now))) {
      const revoked = await revokeTokensFromCode(trx, code.id, now);
      // Either a buggy client or someone else holding the code (RFC 6749 §10.5): worth an operator's look.
      getLogger('oauth').warning('Authorization code {codeId} of app {appId} presented again; revoked {revoked} token(s) issued from it', { codeId: code.id, appId: app.id, revoked });
      return new OAuthError('invalid_grant', 'The authorization code was already used; tokens issued from it are revoked');
    }
    const problem = codeProblem(code, app, input, now);
    if (problem) return problem;
    try {
      await assertUserMayLogIn(trx, code.userId);
    } catch (error) {
      if (error instanceof OAuthError) return error;
      throw error;
    }
    return issueToken(trx, config, { appId: app.id, userId: code.userId, scopes: code.scopes, codeId: code.id }, now);
  });
  if (outcome instanceof OAuthError) throw outcome;
  return outcome;
}

function codeProblem(code: OAuthCode, app: OAuthApp, input: CodeExchange, now: number): OAuthError | null {
  if (code.expiresAt <= now) return new OAuthError('invalid_grant', 'The authorization code has expired');
  // RFC 6749 §4.1.3 lets a client leave redirect_uri out when its authorization
  // request did; with one registered URI, that is the only place the code went.
  const redirectUri = input.redirectUri ?? (app.redirectUris.length === 1 ? app.redirectUris[0] : undefined);
  if (redirectUri !== code.redirectUri) return new OAuthError('invalid_grant', 'redirect_uri does not match the one used in the authorization request');
  return verifierProblem(code.codeChallenge, input.codeVerifier);
}

function verifierProblem(challenge: string | null, verifier: string | undefined): OAuthError | null {
  if (challenge === null) {
    // A verifier for a code issued without a challenge means the challenge
    // was stripped on the way (a PKCE downgrade): refuse.
    if (verifier !== undefined && verifier !== '') return new OAuthError('invalid_grant', 'code_verifier was sent but the authorization request had no code_challenge');
    return null;
  }
  if (!verifier) return new OAuthError('invalid_grant', 'code_verifier is required: the authorization request had a code_challenge');
  if (!VERIFIER.test(verifier) || s256Challenge(verifier) !== challenge) return new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
  return null;
}

/** For a periodic job: deletes codes that expired more than CODE_RETENTION_MS ago. Returns how many. */
export function purgeExpiredAuthorizationCodes(db: Queryable, now = Date.now()): Promise<number> {
  return deleteExpiredCodes(db, now - CODE_RETENTION_MS);
}
