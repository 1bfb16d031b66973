// Mastodon's Token entity (https://docs.joinmastodon.org/entities/Token/).
export interface MastodonToken {
  access_token: string;
  token_type: 'Bearer';
  scope: string;
  /** Seconds since the epoch, as Mastodon gives it. */
  created_at: number;
  expires_in?: number;
  refresh_token?: string;
}

export function serializeToken(token: { accessToken: string; refreshToken: string | null; createdAt: number; expiresIn: number | null; scopes: string[] }): MastodonToken {
  const entity: MastodonToken = {
    access_token: token.accessToken,
    token_type: 'Bearer',
    scope: token.scopes.join(' '),
    created_at: Math.floor(token.createdAt / 1000),
  };
  if (token.expiresIn !== null) entity.expires_in = token.expiresIn;
  if (token.refreshToken !== null) entity.refresh_token = token.refreshToken;
  return entity;
}
