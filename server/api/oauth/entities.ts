// Mastodon's Application and Token entities (docs.joinmastodon.org/entities),
// as pure serializers.
import type { OAuthApp } from '../../db/oauth.repo.ts';
import { formatScopes } from '../../oauth/scopes.ts';
import type { IssuedToken } from '../../services/oauth/tokens.service.ts';

export interface ApplicationEntity {
  id: string;
  name: string;
  website: string | null;
  scopes: string[];
  /** Deprecated by Mastodon in favour of redirect_uris: the URIs joined by newlines. */
  redirect_uri: string;
  redirect_uris: string[];
  /** Web Push is not implemented yet. */
  vapid_key: string | null;
}

export interface CredentialApplicationEntity extends ApplicationEntity {
  client_id: string;
  client_secret: string;
  /** 0: the secret does not expire. */
  client_secret_expires_at: number;
}

export function applicationEntity(app: OAuthApp): ApplicationEntity {
  return {
    id: String(app.id),
    name: app.name,
    website: app.website,
    scopes: app.scopes,
    redirect_uri: app.redirectUris.join('\n'),
    redirect_uris: app.redirectUris,
    vapid_key: null,
  };
}

/** Only in the registration response: the secret is not stored in clear anywhere. */
export function credentialApplicationEntity(app: OAuthApp, clientSecret: string): CredentialApplicationEntity {
  return { ...applicationEntity(app), client_id: app.clientId, client_secret: clientSecret, client_secret_expires_at: 0 };
}

export interface TokenEntity {
  access_token: string;
  token_type: 'Bearer';
  scope: string;
  /** Seconds since the epoch. */
  created_at: number;
  expires_in?: number;
  refresh_token?: string;
}

export function tokenEntity(token: IssuedToken): TokenEntity {
  const entity: TokenEntity = {
    access_token: token.accessToken,
    token_type: 'Bearer',
    scope: formatScopes(token.scopes),
    created_at: Math.floor(token.createdAt / 1000),
  };
  if (token.expiresIn !== null) entity.expires_in = token.expiresIn;
  if (token.refreshToken !== null) entity.refresh_token = token.refreshToken;
  return entity;
}
