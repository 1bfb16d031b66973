// SQL for OAuth apps, authorization codes and tokens. Secrets are stored only
// as SHA-256 hex digests; scopes and redirect URIs as their wire text
// (space- and newline-separated) and split here.
import type { Knex } from 'knex';
import type { Queryable } from './knex.ts';
import { noteAuthChange } from './auth-changes.ts';

export interface OAuthApp {
  id: number;
  name: string;
  website: string | null;
  redirectUris: string[];
  scopes: string[];
  clientId: string;
  clientSecretHash: string;
  ownerUserId: number | null;
  createdAt: number;
}

export interface OAuthCode {
  id: number;
  appId: number;
  userId: number;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  expiresAt: number;
  usedAt: number | null;
  createdAt: number;
}

export interface OAuthToken {
  id: number;
  appId: number;
  /** Null for client_credentials tokens (an app acting for itself). */
  userId: number | null;
  scopes: string[];
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  /** The authorization code this token (or the one it was refreshed from) came from. */
  codeId: number | null;
  createdAt: number;
}

type Row = Record<string, unknown>;
const nullableNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const words = (text: unknown) => String(text ?? '').split(/\s+/).filter(Boolean);

function appFromRow(row: Row): OAuthApp {
  return {
    id: Number(row.id),
    name: row.name as string,
    website: (row.website as string | null) ?? null,
    redirectUris: String(row.redirect_uris).split('\n').filter(Boolean),
    scopes: words(row.scopes),
    clientId: row.client_id as string,
    clientSecretHash: row.client_secret_hash as string,
    ownerUserId: nullableNumber(row.owner_user_id),
    createdAt: Number(row.created_at),
  };
}

function codeFromRow(row: Row): OAuthCode {
  return {
    id: Number(row.id),
    appId: Number(row.app_id),
    userId: Number(row.user_id),
    redirectUri: row.redirect_uri as string,
    scopes: words(row.scopes),
    codeChallenge: (row.code_challenge as string | null) ?? null,
    codeChallengeMethod: (row.code_challenge_method as string | null) ?? null,
    expiresAt: Number(row.expires_at),
    usedAt: nullableNumber(row.used_at),
    createdAt: Number(row.created_at),
  };
}

function tokenFromRow(row: Row): OAuthToken {
  return {
    id: Number(row.id),
    appId: Number(row.app_id),
    userId: nullableNumber(row.user_id),
    scopes: words(row.scopes),
    expiresAt: nullableNumber(row.expires_at),
    revokedAt: nullableNumber(row.revoked_at),
    lastUsedAt: nullableNumber(row.last_used_at),
    codeId: nullableNumber(row.code_id),
    createdAt: Number(row.created_at),
  };
}

// ── apps ──

export async function insertApp(db: Queryable, app: OAuthApp): Promise<void> {
  await db('oauth_apps').insert({
    id: app.id,
    name: app.name,
    website: app.website,
    redirect_uris: app.redirectUris.join('\n'),
    scopes: app.scopes.join(' '),
    client_id: app.clientId,
    client_secret_hash: app.clientSecretHash,
    owner_user_id: app.ownerUserId,
    created_at: app.createdAt,
  });
}

export async function findAppById(db: Queryable, id: number): Promise<OAuthApp | undefined> {
  const row = await db('oauth_apps').where({ id }).first();
  return row ? appFromRow(row) : undefined;
}

export async function findAppByClientId(db: Queryable, clientId: string): Promise<OAuthApp | undefined> {
  const row = await db('oauth_apps').where({ client_id: clientId }).first();
  return row ? appFromRow(row) : undefined;
}

// ── authorization codes ──

export async function insertCode(db: Queryable, code: OAuthCode & { codeHash: string }): Promise<void> {
  await db('oauth_codes').insert({
    id: code.id,
    code_hash: code.codeHash,
    app_id: code.appId,
    user_id: code.userId,
    redirect_uri: code.redirectUri,
    scopes: code.scopes.join(' '),
    code_challenge: code.codeChallenge,
    code_challenge_method: code.codeChallengeMethod,
    expires_at: code.expiresAt,
    used_at: code.usedAt,
    created_at: code.createdAt,
  });
}

export async function findCodeByHash(db: Queryable, codeHash: string): Promise<OAuthCode | undefined> {
  const row = await db('oauth_codes').where({ code_hash: codeHash }).first();
  return row ? codeFromRow(row) : undefined;
}

/** Marks the code used; false when it already was (a replay, or a concurrent exchange that won). */
export async function markCodeUsed(db: Queryable, id: number, now: number): Promise<boolean> {
  const changed = await db('oauth_codes').where({ id }).whereNull('used_at').update({ used_at: now });
  return changed === 1;
}

/** Codes past their expiry (used or not) and not needed to detect replays any more. */
export async function deleteExpiredCodes(db: Queryable, before: number): Promise<number> {
  return db('oauth_codes').where('expires_at', '<', before).delete();
}

// ── tokens ──

export interface NewToken {
  id: number;
  appId: number;
  userId: number | null;
  scopes: string[];
  tokenHash: string;
  refreshTokenHash: string | null;
  expiresAt: number | null;
  codeId: number | null;
  createdAt: number;
}

export async function insertToken(db: Queryable, token: NewToken): Promise<void> {
  await db('oauth_tokens').insert({
    id: token.id,
    app_id: token.appId,
    user_id: token.userId,
    scopes: token.scopes.join(' '),
    token_hash: token.tokenHash,
    refresh_token_hash: token.refreshTokenHash,
    expires_at: token.expiresAt,
    code_id: token.codeId,
    created_at: token.createdAt,
  });
}

export async function findTokenByHash(db: Queryable, tokenHash: string): Promise<OAuthToken | undefined> {
  const row = await db('oauth_tokens').where({ token_hash: tokenHash }).first();
  return row ? tokenFromRow(row) : undefined;
}

export async function findTokenByRefreshHash(db: Queryable, refreshTokenHash: string): Promise<OAuthToken | undefined> {
  const row = await db('oauth_tokens').where({ refresh_token_hash: refreshTokenHash }).first();
  return row ? tokenFromRow(row) : undefined;
}

/** Revokes one token (access and refresh alike); false when it was already revoked. */
export async function revokeToken(db: Queryable, id: number, now: number): Promise<boolean> {
  const changed = await db('oauth_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: now });
  noteAuthChange(db);
  return changed === 1;
}

/** Revokes every live token issued from an authorization code (or refreshed from one). */
export async function revokeTokensFromCode(db: Queryable, codeId: number, now: number): Promise<number> {
  const revoked = await db('oauth_tokens').where({ code_id: codeId }).whereNull('revoked_at').update({ revoked_at: now });
  noteAuthChange(db);
  return revoked;
}

export async function touchToken(db: Queryable, id: number, now: number): Promise<void> {
  await db('oauth_tokens').where({ id }).update({ last_used_at: now });
}

// ── bearer-token lookup (the API's hot path: one query per request) ──

export interface TokenWithOwner {
  token: OAuthToken;
  /** Raw rows of the token's user and account (null for app tokens); map with userFromRow/accountFromRow. */
  userRow: Row | null;
  accountRow: Row | null;
}

// The query is built once per database and reused as raw SQL: knex takes
// longer to compile a select of ~60 aliased columns than SQLite takes to run
// it. The columns are read from the schema, so one join returns token, user
// and account under prefixes without name clashes, and a column another
// migration adds comes along without edits here.
const compiled = new WeakMap<object, Promise<{ sql: string; bindings: readonly Knex.Value[] }>>();

function tokenWithOwnerQuery(db: Queryable): Promise<{ sql: string; bindings: readonly Knex.Value[] }> {
  const key = db.client as object;
  let query = compiled.get(key);
  if (!query) {
    query = Promise.all([db('users').columnInfo(), db('accounts').columnInfo()]).then(([users, accounts]) =>
      db('oauth_tokens as t')
        .leftJoin('users as u', 'u.id', 't.user_id')
        .leftJoin('accounts as a', 'a.id', 'u.account_id')
        .select(['t.*', ...Object.keys(users).map((name) => `u.${name} as u__${name}`), ...Object.keys(accounts).map((name) => `a.${name} as a__${name}`)])
        .where('t.token_hash', '')
        .limit(1)
        .toSQL(),
    );
    query.catch(() => compiled.delete(key));
    compiled.set(key, query);
  }
  return query;
}

export async function findTokenWithOwner(db: Queryable, tokenHash: string): Promise<TokenWithOwner | undefined> {
  const { sql, bindings } = await tokenWithOwnerQuery(db);
  const values = [tokenHash, ...bindings.slice(1)];
  const result = await db.raw(sql, values);
  // better-sqlite3 answers raw queries with the rows, pg with a result object.
  const row = (Array.isArray(result) ? result[0] : (result as { rows: Row[] }).rows[0]) as Row | undefined;
  if (!row) return undefined;
  const userRow: Row = {};
  const accountRow: Row = {};
  for (const [name, value] of Object.entries(row)) {
    if (name.startsWith('u__')) userRow[name.slice(3)] = value;
    else if (name.startsWith('a__')) accountRow[name.slice(3)] = value;
  }
  return { token: tokenFromRow(row), userRow: userRow.id == null ? null : userRow, accountRow: accountRow.id == null ? null : accountRow };
}

/** Name and website of each app among `ids` (a status shows the app that posted it). */
export async function findAppNamesByIds(db: Queryable, ids: number[]): Promise<Map<number, { name: string; website: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows: Record<string, unknown>[] = await db('oauth_apps').whereIn('id', ids).select('id', 'name', 'website');
  return new Map(rows.map((row) => [Number(row.id), { name: String(row.name), website: (row.website as string | null) ?? null }]));
}
