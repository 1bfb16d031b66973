// POST /oauth/token and POST /oauth/revoke. Errors here use OAuth's shape,
// `{"error": "invalid_grant", "error_description": "…"}` (RFC 6749 §5.2), not
// Mastodon's API shape. Parameters may come as a form or JSON body (and, like
// Doorkeeper, the query string); the client authenticates with HTTP Basic or
// client_id + client_secret in the parameters.
import type Koa from 'koa';
import { Router } from '@koa/router';
import type { Queryable } from '../../db/knex.ts';
import type { OAuthApp } from '../../db/oauth.repo.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { isMultipart, parseMultipart } from '../../http/multipart.ts';
import { rateLimit } from '../../http/rate-limit.ts';
import { authenticateClient } from '../../services/oauth/apps.service.ts';
import { exchangeAuthorizationCode } from '../../services/oauth/authorization.service.ts';
import { isOAuthError, OAuthError } from '../../services/oauth/oauth-error.ts';
import { passwordGrant } from '../../services/oauth/password-grant.service.ts';
import { clientCredentialsGrant, refreshAccessToken, revokeClientToken, type IssuedToken } from '../../services/oauth/tokens.service.ts';
import { tokenEntity } from './entities.ts';

type Params = Record<string, unknown>;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function createTokenRouter(deps: ApiDeps): Router {
  const router = new Router();
  router.use(oauthErrors());
  // Password guessing through the API counts against the same budget as the sign-in form.
  const signInLimit = rateLimit(deps, { bucket: 'sign-in', budget: 'signIn' });

  router.post('/oauth/token', async (ctx) => {
    const params = await requestParams(ctx);
    const grantType = text(params.grant_type);
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
    if (!['authorization_code', 'client_credentials', 'refresh_token', 'password'].includes(grantType)) {
      throw new OAuthError('unsupported_grant_type', `grant_type "${grantType}" is not supported`);
    }
    const respond = (token: IssuedToken) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Pragma', 'no-cache');
      ctx.body = tokenEntity(token);
    };
    if (grantType === 'password') {
      await signInLimit(ctx, async () => {
        // Rendered here: the limiter renders what escapes it in Mastodon's shape, not OAuth's.
        try {
          const app = await clientOf(deps.db, ctx, params);
          respond(await passwordGrant(deps.db, deps.config, app, { username: text(params.username), password: text(params.password), scope: text(params.scope) }));
        } catch (error) {
          if (!isOAuthError(error)) throw error;
          renderOAuthError(ctx, error);
        }
      });
      return;
    }
    const app = await clientOf(deps.db, ctx, params);
    if (grantType === 'authorization_code') {
      respond(await exchangeAuthorizationCode(deps.db, deps.config, app, { code: text(params.code), redirectUri: text(params.redirect_uri), codeVerifier: text(params.code_verifier) }));
    } else if (grantType === 'refresh_token') {
      respond(await refreshAccessToken(deps.db, deps.config, app, { refreshToken: text(params.refresh_token), scope: text(params.scope) }));
    } else {
      respond(await clientCredentialsGrant(deps.db, deps.config, app, text(params.scope)));
    }
  });

  router.post('/oauth/revoke', async (ctx) => {
    const params = await requestParams(ctx);
    const app = await clientOf(deps.db, ctx, params);
    const token = text(params.token);
    if (!token) throw new OAuthError('invalid_request', 'token is required');
    await revokeClientToken(deps.db, app, token);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {};
  });

  return router;
}

/** Query, then body (JSON, urlencoded, or multipart as Rails accepts and some clients send). */
async function requestParams(ctx: Koa.Context): Promise<Params> {
  let body: unknown = ctx.request.body;
  if (isMultipart(ctx)) body = (await parseMultipart(ctx, { fileFields: [], maxFileBytes: 0, maxFields: 20, maxFieldBytes: 8192 })).fields;
  return { ...ctx.query, ...(body && typeof body === 'object' && !Array.isArray(body) ? (body as Params) : {}) };
}

/** The authenticated client: HTTP Basic first (RFC 6749 §2.3.1), else client_id + client_secret parameters. */
async function clientOf(db: Queryable, ctx: Koa.Context, params: Params): Promise<OAuthApp> {
  const basic = /^Basic\s+(\S+)\s*$/i.exec(ctx.get('Authorization'));
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'Malformed HTTP Basic client credentials');
    return authenticateClient(db, formDecode(decoded.slice(0, colon)), formDecode(decoded.slice(colon + 1)));
  }
  return authenticateClient(db, text(params.client_id), text(params.client_secret));
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** Renders OAuthErrors in RFC 6749's shape; anything else goes on to the app's error handler. */
function oauthErrors(): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!isOAuthError(error)) throw error;
      renderOAuthError(ctx, error);
    }
  };
}

function renderOAuthError(ctx: Koa.Context, error: OAuthError): void {
  ctx.status = error.status;
  ctx.body = { error: error.code, error_description: error.publicMessage };
  ctx.set('Cache-Control', 'no-store');
  if (error.status === 401) ctx.set('WWW-Authenticate', 'Basic realm="Viewfinder"');
}
