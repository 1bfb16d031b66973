// Bearer-token authentication for the Mastodon API, and per-route scope checks.
// authenticate() resolves the token (if any) once per request; requireScopes()
// then decides, with Mastodon's statuses and messages.
import type Koa from 'koa';
import { AppError, forbidden, unauthorized, unprocessable } from '../errors.ts';
import { scopeAllows } from '../oauth/scopes.ts';
import { loginProblem } from '../services/oauth/login-problem.ts';
import { resolveAccessToken } from '../services/oauth/tokens.service.ts';
import type { Account } from '../db/accounts.repo.ts';
import type { User } from '../db/users.repo.ts';
import type { ApiDeps } from './deps.ts';
import type { AppState } from './state.ts';

// Doorkeeper's wording, which Mastodon passes through.
const TOKEN_MESSAGES = {
  invalid: 'The access token is invalid',
  expired: 'The access token expired',
  revoked: 'The access token was revoked',
} as const;

/**
 * Sets ctx.state.auth: null without an `Authorization: Bearer` header, else
 * the token's app, scopes, user and account. A bad token is a 401 even on
 * endpoints that work without one (Mastodon does the same, so apps notice a
 * revoked login); a user who may not log in is a 403 with Mastodon's reason.
 * Only the header is read: tokens in query strings end up in logs.
 */
export function authenticate(deps: Pick<ApiDeps, 'db'>): Koa.Middleware {
  return async (ctx, next) => {
    const state = ctx.state as AppState;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('Authorization'));
    if (!match) {
      state.auth = null;
      return next();
    }
    const resolved = await resolveAccessToken(deps.db, match[1]!);
    if (!resolved.ok) throw unauthorized(TOKEN_MESSAGES[resolved.reason]);
    const { token, user, account } = resolved;
    if (user) {
      const problem = loginProblem(user, account);
      if (problem) throw new AppError(problem.status, problem.message);
    }
    state.auth = { tokenId: token.id, appId: token.appId, scopes: token.scopes, user, account };
    await next();
  };
}

export interface RequireScopesOptions {
  /** Default true: a token without a user (client_credentials) gets Mastodon's 422. */
  user?: boolean;
}

/**
 * Lets the request through when its token has one of `scope` (a list means any
 * of them, e.g. ['profile', 'read:accounts'] for verify_credentials). No token:
 * 401; a token without the scope: 403. Must run after authenticate().
 */
export function requireScopes(scope: string | readonly string[], options: RequireScopesOptions = {}): Koa.Middleware {
  const required = typeof scope === 'string' ? [scope] : scope;
  const needsUser = options.user ?? true;
  return async (ctx, next) => {
    const auth = (ctx.state as AppState).auth;
    // undefined (not null) means authenticate() never ran: a wiring bug, not the client's fault.
    if (auth === undefined) throw new Error(`requireScopes(${required.join(', ')}) on ${ctx.method} ${ctx.path} runs without authenticate()`);
    if (auth === null) throw unauthorized();
    if (!required.some((needed) => scopeAllows(auth.scopes, needed))) throw forbidden('This action is outside the authorized scopes');
    if (needsUser && !auth.user) throw unprocessable('This method requires an authenticated user');
    await next();
  };
}

/** For endpoints open to any valid token (e.g. apps/verify_credentials): 401 without one. */
export function requireToken(): Koa.Middleware {
  return async (ctx, next) => {
    const auth = (ctx.state as AppState).auth;
    if (auth === undefined) throw new Error(`requireToken() on ${ctx.method} ${ctx.path} runs without authenticate()`);
    if (auth === null) throw unauthorized();
    await next();
  };
}

/** The signed-in user and account; requireScopes() before the handler guarantees both. */
export function signedIn(ctx: Koa.Context): { user: User; account: Account; appId: number } {
  const auth = (ctx.state as AppState).auth;
  if (!auth?.user || !auth.account) throw new Error(`${ctx.method} ${ctx.path} reached its handler without a signed-in user`);
  return { user: auth.user, account: auth.account, appId: auth.appId };
}

/** The viewer's account id, or null for a request without a user token. */
export function viewerOf(ctx: Koa.Context): number | null {
  return (ctx.state as AppState).auth?.account?.id ?? null;
}
