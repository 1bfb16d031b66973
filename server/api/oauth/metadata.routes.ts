// GET /.well-known/oauth-authorization-server: RFC 8414 metadata, with the
// fields Mastodon 4.3 serves, so apps can discover scopes and endpoints.
import { Router } from '@koa/router';
import type { Config } from '../../../config/load.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { allScopes } from '../../oauth/scopes.ts';
import { passwordGrantEnabled } from '../../services/oauth/password-grant.service.ts';

export function oauthMetadata(config: Config, options: { passwordGrant: boolean }) {
  const base = config.publicUrl;
  return {
    issuer: `${base}/`,
    service_documentation: 'https://docs.joinmastodon.org/',
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    app_registration_endpoint: `${base}/api/v1/apps`,
    revocation_endpoint: `${base}/oauth/revoke`,
    scopes_supported: allScopes,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [
      'authorization_code',
      ...(options.passwordGrant ? ['password'] : []),
      'client_credentials',
      ...(config.tokenTtlMs === null ? [] : ['refresh_token']),
    ],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
  };
}

export function createOAuthMetadataRouter(deps: Pick<ApiDeps, 'config' | 'db'>): Router {
  const router = new Router();
  router.get('/.well-known/oauth-authorization-server', async (ctx) => {
    // Short: an admin may turn the password grant off at run time.
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = oauthMetadata(deps.config, { passwordGrant: await passwordGrantEnabled(deps.db, deps.config) });
  });
  return router;
}
