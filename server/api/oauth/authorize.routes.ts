// GET /oauth/authorize shows the consent page to a signed-in user (or sends
// them to sign in first); POST /oauth/authorize records their decision and
// sends them back to the app with a code (or shows it, for the oob URI).
// The POST re-checks every parameter: hidden form fields are client input.
import type Koa from 'koa';
import { Router } from '@koa/router';
import { findAccountById } from '../../db/accounts.repo.ts';
import { verifyCsrf } from '../../http/csrf.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { loadSession, type WebState } from '../../http/session.ts';
import type { AppState } from '../../http/state.ts';
import { OOB_REDIRECT_URI } from '../../services/oauth/apps.service.ts';
import { checkAuthorizationRequest, createAuthorizationCode, type AuthorizationParams } from '../../services/oauth/authorization.service.ts';
import { loginProblem } from '../../services/oauth/login-problem.ts';
import type { OAuthError } from '../../services/oauth/oauth-error.ts';
import { codePage, consentPage, errorPage } from './pages.ts';

const PARAM_NAMES = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method'] as const;

export function createAuthorizeRouter(deps: ApiDeps): Router {
  const router = new Router();
  router.use(loadSession(deps));

  router.get('/oauth/authorize', async (ctx) => {
    const checked = await checkAuthorizationRequest(deps.db, ctx.query as AuthorizationParams);
    if (!checked.ok) return refuse(ctx, checked.error, checked.redirectUri, checked.state);
    const user = await signedInUser(ctx, deps, ctx.originalUrl);
    if (!user) return;
    consentPage(ctx, { request: checked.request, username: user.username, csrfToken: (ctx.state as AppState).csrfToken ?? '' });
  });

  router.post('/oauth/authorize', verifyCsrf(), async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const params: Record<string, unknown> = {};
    for (const name of PARAM_NAMES) params[name] = body[name];
    const checked = await checkAuthorizationRequest(deps.db, params);
    if (!checked.ok) return refuse(ctx, checked.error, checked.redirectUri, checked.state);
    const user = await signedInUser(ctx, deps, `/oauth/authorize?${authorizeQuery(params)}`);
    if (!user) return;
    const { request } = checked;
    if (body.decision !== 'approve') {
      return sendBack(ctx, request.redirectUri, { error: 'access_denied', error_description: 'The user denied the request', state: request.state }, request.app.name);
    }
    const code = await createAuthorizationCode(deps.db, request, user.userId);
    return sendBack(ctx, request.redirectUri, { code, state: request.state }, request.app.name);
  });

  return router;
}

/**
 * The signed-in user allowed to authorize apps, or null after answering: a
 * redirect to sign in (coming back to `returnTo`), or a 403 page for a user
 * whose login is pending, unconfirmed, disabled or suspended.
 */
async function signedInUser(ctx: Koa.Context, deps: ApiDeps, returnTo: string): Promise<{ userId: number; username: string } | null> {
  const state = ctx.state as WebState;
  const user = state.sessionUser;
  if (!user) {
    ctx.redirect(`/auth/sign_in?return_to=${encodeURIComponent(returnTo)}`);
    return null;
  }
  const account = state.sessionAccount ?? (await findAccountById(deps.db, user.accountId));
  const problem = loginProblem(user, account);
  if (problem || !account) {
    errorPage(ctx, 403, 'access_denied', problem?.message ?? 'Your login is currently disabled');
    return null;
  }
  return { userId: user.id, username: account.username };
}

/** An invalid request: back to the app when its redirect URI is trustworthy (RFC 6749 §4.1.2.1), else a page. */
function refuse(ctx: Koa.Context, error: OAuthError, redirectUri: string | null, state: string | null): void {
  if (redirectUri === null || redirectUri === OOB_REDIRECT_URI) return errorPage(ctx, 400, error.code, error.publicMessage);
  redirectWith(ctx, redirectUri, { error: error.code, error_description: error.publicMessage, state });
}

function sendBack(ctx: Koa.Context, redirectUri: string, values: { code?: string; error?: string; error_description?: string; state: string | null }, appName: string): void {
  if (redirectUri !== OOB_REDIRECT_URI) return redirectWith(ctx, redirectUri, values);
  if (values.code) return codePage(ctx, appName, values.code);
  errorPage(ctx, 403, values.error ?? 'access_denied', values.error_description ?? 'The request was denied');
}

function redirectWith(ctx: Koa.Context, redirectUri: string, values: Record<string, string | null | undefined>): void {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(values)) {
    if (value !== null && value !== undefined) url.searchParams.set(name, value);
  }
  ctx.set('Cache-Control', 'no-store');
  ctx.redirect(url.toString());
}

function authorizeQuery(params: Record<string, unknown>): string {
  const query = new URLSearchParams();
  for (const name of PARAM_NAMES) {
    const value = params[name];
    if (typeof value === 'string' && value !== '') query.set(name, value);
  }
  return query.toString();
}
