// OAuth client applications: registration (Mastodon's POST /api/v1/apps) and
// client authentication at the token and revocation endpoints.
import { newId } from '../../db/ids.ts';
import type { Queryable } from '../../db/knex.ts';
import { findAppByClientId, insertApp, type OAuthApp } from '../../db/oauth.repo.ts';
import { unprocessable } from '../../errors.ts';
import { parseScopes } from '../../oauth/scopes.ts';
import { randomSecret, sameHash, sha256Hex } from '../../oauth/secrets.ts';
import { OAuthError } from './oauth-error.ts';

/** The redirect URI that means "show the code to the user" (native apps, command-line clients). */
export const OOB_REDIRECT_URI = 'urn:ietf:wg:oauth:2.0:oob';

const MAX_NAME_LENGTH = 60; // Mastodon's limit
const MAX_URI_LENGTH = 2000;
const MAX_REDIRECT_URIS = 20;
// Schemes a browser would run rather than hand to an app (Mastodon forbids the same).
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:']);

export interface CreateAppInput {
  clientName?: unknown;
  /** One URI, several separated by newlines, or an array of them. */
  redirectUris?: unknown;
  scopes?: unknown;
  website?: unknown;
}

export interface CreatedApp {
  app: OAuthApp;
  /** Shown once, in the registration response; only its hash is stored. */
  clientSecret: string;
}

export async function createApp(db: Queryable, input: CreateAppInput, now = Date.now()): Promise<CreatedApp> {
  const name = typeof input.clientName === 'string' ? input.clientName.trim() : '';
  if (!name) throw unprocessable("Validation failed: Application name can't be blank");
  if (name.length > MAX_NAME_LENGTH) throw unprocessable(`Validation failed: Application name is too long (maximum is ${MAX_NAME_LENGTH} characters)`);
  const redirectUris = parseRedirectUris(input.redirectUris);
  if (input.scopes !== undefined && typeof input.scopes !== 'string') throw unprocessable('Validation failed: Scopes must be a space-separated string');
  const scopes = parseScopes(input.scopes);
  const website = parseWebsite(input.website);

  const clientSecret = randomSecret();
  const app: OAuthApp = {
    id: newId(now),
    name,
    website,
    redirectUris,
    scopes,
    clientId: randomSecret(),
    clientSecretHash: sha256Hex(clientSecret),
    ownerUserId: null,
    createdAt: now,
  };
  await insertApp(db, app);
  return { app, clientSecret };
}

function parseRedirectUris(value: unknown): string[] {
  if (value === undefined || value === null) throw unprocessable("Validation failed: Redirect URI can't be blank");
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((item) => typeof item === 'string')) throw unprocessable('Validation failed: Redirect URI must be a string or an array of strings');
  const uris = [...new Set((list as string[]).flatMap((item) => item.split(/\r?\n/)).map((item) => item.trim()).filter(Boolean))];
  if (!uris.length) throw unprocessable("Validation failed: Redirect URI can't be blank");
  if (uris.length > MAX_REDIRECT_URIS) throw unprocessable(`Validation failed: at most ${MAX_REDIRECT_URIS} redirect URIs`);
  for (const uri of uris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw unprocessable(`Validation failed: Redirect URI ${problem}`);
  }
  return uris;
}

function redirectUriProblem(uri: string): string | null {
  if (uri === OOB_REDIRECT_URI) return null;
  if (uri.length > MAX_URI_LENGTH) return `is too long (maximum is ${MAX_URI_LENGTH} characters)`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `must be an absolute URI (got ${JSON.stringify(uri)})`;
  }
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return `must not use the ${url.protocol} scheme`;
  if (url.hash || uri.includes('#')) return 'cannot contain a fragment';
  return null;
}

function parseWebsite(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > MAX_URI_LENGTH) throw unprocessable('Validation failed: Website is not a valid URL');
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // reported below
  }
  throw unprocessable('Validation failed: Website is not a valid URL');
}

/**
 * The app whose client_id and client_secret these are, or an OAuth
 * `invalid_client` (401). Unknown id and wrong secret look alike.
 */
export async function authenticateClient(db: Queryable, clientId: string | undefined, clientSecret: string | undefined): Promise<OAuthApp> {
  if (!clientId || !clientSecret) throw new OAuthError('invalid_client', 'Client authentication failed: client_id and client_secret are required');
  const app = await findAppByClientId(db, clientId);
  if (!app || !sameHash(app.clientSecretHash, sha256Hex(clientSecret))) {
    throw new OAuthError('invalid_client', 'Client authentication failed: unknown client or wrong client_secret');
  }
  return app;
}
