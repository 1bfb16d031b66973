// Web sessions in koa: the `_viewfinder_session` cookie (a random token; only
// its hash is stored), and the CSRF token forms must carry. Signed-out visitors
// get a `_viewfinder_csrf` cookie instead, so the sign-in and sign-up forms are
// protected too. Tokens are HMACs (secret key) of the session token or of that
// cookie: nothing to store, and a token from one browser is useless in another.
import { createHmac } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import type { Config } from '../../config/load.ts';
import type { Account } from '../db/accounts.repo.ts';
import type { User } from '../db/users.repo.ts';
import { createSession, endSession, resolveSession, SESSION_TTL_MS } from '../services/accounts/sessions.service.ts';
import type { ApiDeps } from './deps.ts';
import type { AppState } from './state.ts';

export const SESSION_COOKIE = '_viewfinder_session';
export const CSRF_COOKIE = '_viewfinder_csrf';

/** AppState plus what web pages use; `sessionAccount` accompanies `sessionUser`. */
export interface WebState extends AppState {
  sessionAccount?: Account | null;
}

export interface CookieOptions {
  /** Null: a browser-session cookie; 0: delete. */
  maxAgeMs: number | null;
}

/**
 * Appends a Set-Cookie header. Written by hand rather than with ctx.cookies:
 * koa refuses a Secure cookie on a plain-HTTP hop, which is exactly what a
 * TLS-terminating proxy in front of us looks like without trusted proxy headers.
 */
export function setCookie(ctx: Koa.Context, config: Config, name: string, value: string, options: CookieOptions): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (options.maxAgeMs !== null) {
    const seconds = Math.max(0, Math.floor(options.maxAgeMs / 1000));
    parts.push(`Max-Age=${seconds}`, `Expires=${new Date(Date.now() + seconds * 1000).toUTCString()}`);
  }
  if (config.publicUrl.startsWith('https:')) parts.push('Secure');
  ctx.append('Set-Cookie', parts.join('; '));
}

function readCookie(ctx: Koa.Context, name: string): string | undefined {
  const raw = ctx.cookies.get(name);
  if (!raw) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined; // a mangled cookie counts as none
  }
}

function csrfTokenFor(config: Config, binding: string): string {
  return createHmac('sha256', config.secretKey).update(`csrf\n${binding}`).digest('base64url');
}

/** Reads the session cookie → ctx.state.sessionUser/sessionId/sessionAccount, and sets ctx.state.csrfToken. */
export function loadSession(deps: Pick<ApiDeps, 'config' | 'db'>): Koa.Middleware {
  const { config, db } = deps;
  return async (ctx, next) => {
    const state = ctx.state as WebState;
    const token = readCookie(ctx, SESSION_COOKIE);
    const session = token ? await resolveSession(db, token) : null;
    if (session && token) {
      state.sessionUser = session.user;
      state.sessionAccount = session.account;
      state.sessionId = session.sessionId;
      state.csrfToken = csrfTokenFor(config, `session\n${token}`);
    } else {
      // A stale or foreign cookie is dropped so the browser stops sending it.
      if (token) setCookie(ctx, config, SESSION_COOKIE, '', { maxAgeMs: 0 });
      state.sessionUser = null;
      state.sessionAccount = null;
      state.sessionId = null;
      state.csrfToken = csrfTokenFor(config, `anonymous\n${anonymousCsrfSecret(ctx, config)}`);
    }
    await next();
  };
}

function anonymousCsrfSecret(ctx: Koa.Context, config: Config): string {
  const existing = readCookie(ctx, CSRF_COOKIE);
  if (existing && /^[\w-]{20,64}$/.test(existing)) return existing;
  const secret = randomBytes(18).toString('base64url');
  setCookie(ctx, config, CSRF_COOKIE, secret, { maxAgeMs: null });
  return secret;
}

/** Signed out: redirect to the sign-in page, which comes back here afterwards. */
export function requireSession(): Koa.Middleware {
  return async (ctx, next) => {
    if ((ctx.state as WebState).sessionUser) return next();
    // A form post cannot be replayed after sign-in; come back to the page instead.
    const back = ctx.method === 'GET' || ctx.method === 'HEAD' ? ctx.originalUrl : ctx.path;
    ctx.status = 303;
    ctx.redirect(`/auth/sign_in?return_to=${encodeURIComponent(back)}`);
  };
}

/** Signs the browser in as `user`: a new session (never a reused one: no fixation) and its cookie. */
export async function startSession(ctx: Koa.Context, deps: Pick<ApiDeps, 'config' | 'db'>, user: User, account: Account): Promise<void> {
  const { config, db } = deps;
  const state = ctx.state as WebState;
  if (state.sessionId) await endSession(db, state.sessionId);
  const session = await createSession(db, user.id, { ip: ctx.ip, userAgent: ctx.get('User-Agent') || null });
  setCookie(ctx, config, SESSION_COOKIE, session.token, { maxAgeMs: SESSION_TTL_MS });
  state.sessionUser = user;
  state.sessionAccount = account;
  state.sessionId = session.id;
  state.csrfToken = csrfTokenFor(config, `session\n${session.token}`);
}

/** Ends the current session and clears its cookie. */
export async function stopSession(ctx: Koa.Context, deps: Pick<ApiDeps, 'config' | 'db'>): Promise<void> {
  const state = ctx.state as WebState;
  if (state.sessionId) await endSession(deps.db, state.sessionId);
  setCookie(ctx, deps.config, SESSION_COOKIE, '', { maxAgeMs: 0 });
  state.sessionUser = null;
  state.sessionAccount = null;
  state.sessionId = null;
}
