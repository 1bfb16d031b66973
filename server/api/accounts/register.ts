// POST /api/v1/accounts: Mastodon's sign-up through an app. The app proves
// itself with a token holding write:accounts (usually client_credentials);
// the new user gets a token for the same app and scopes, as on Mastodon.
// No Idempotency-Key replay here on purpose: it would store the new access
// token in clear in the replay cache; a repeated sign-up is a 422 anyway.
import type Koa from 'koa';
import { requireScopes } from '../../http/auth.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { rateLimit } from '../../http/rate-limit.ts';
import type { AppState } from '../../http/state.ts';
import { registerAccount } from '../../services/accounts/registration.service.ts';
import { issueToken } from '../../services/oauth/tokens.service.ts';
import { tokenEntity } from '../oauth/entities.ts';
import { booleanParam, stringParam } from './params.ts';

export function registerThroughApi(deps: ApiDeps): Koa.Middleware[] {
  const { config, db } = deps;
  return [
    rateLimit(deps, { bucket: 'sign-up', budget: 'signUp' }),
    requireScopes('write:accounts', { user: false }),
    async (ctx) => {
      const auth = (ctx.state as AppState).auth!;
      const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
      const { user } = await registerAccount(db, config, {
        username: stringParam(body.username) ?? '',
        email: stringParam(body.email),
        password: stringParam(body.password) ?? '',
        reason: stringParam(body.reason),
        inviteCode: stringParam(body.invite_code),
        locale: stringParam(body.locale),
        // Mastodon requires it through the API: apps must show the rules first.
        agreement: booleanParam(body.agreement) ?? false,
        ip: ctx.ip,
      });
      const token = await issueToken(db, config, { appId: auth.appId, userId: user.id, scopes: auth.scopes });
      ctx.body = tokenEntity(token);
    },
  ];
}
