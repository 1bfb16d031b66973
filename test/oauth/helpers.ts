// A real server for the OAuth tests: the OAuth routers plus a small router of
// API endpoints guarded by authenticate/requireScopes, on an ephemeral port,
// over a fresh database (SQLite or Postgres).
import type { ExecutionContext } from 'ava';
import { Router } from '@koa/router';
import { loadConfig, type Config } from '../../config/load.ts';
import type { Db } from '../../server/db/knex.ts';
import { createHttpApp } from '../../server/http/app.ts';
import { authenticate, requireScopes } from '../../server/http/auth.ts';
import type { ApiDeps } from '../../server/http/deps.ts';
import { listen } from '../../server/http/listen.ts';
import { createRateLimiter } from '../../server/http/rate-limit.ts';
import type { AppState } from '../../server/http/state.ts';
import { createOAuthRouters } from '../../server/api/oauth/routers.ts';
import { createLocalAccount } from '../../server/services/accounts/admin-accounts.service.ts';
import { createSession } from '../../server/services/accounts/sessions.service.ts';
import { SESSION_COOKIE } from '../../server/http/session.ts';
import type { DatabaseTarget } from '../helpers/databases.ts';

export const PASSWORD = 'correct horse battery';

export interface TestServer {
  url: string;
  db: Db;
  config: Config;
}

/** Stand-ins for API endpoints with Mastodon's scope declarations. */
function probeRouter(deps: ApiDeps): Router {
  const router = new Router();
  router.use(authenticate(deps));
  router.get('/test/verify_credentials', requireScopes(['profile', 'read:accounts']), (ctx) => {
    const auth = (ctx.state as AppState).auth!;
    ctx.body = { id: String(auth.account!.id), username: auth.account!.username };
  });
  router.post('/test/statuses', requireScopes('write:statuses'), (ctx) => {
    ctx.body = { ok: true };
  });
  router.get('/test/public', (ctx) => {
    ctx.body = { signedIn: Boolean((ctx.state as AppState).auth) };
  });
  return router;
}

export async function startServer(t: ExecutionContext, target: DatabaseTarget, env: Record<string, string> = {}): Promise<TestServer> {
  const { db, dataDir } = await target.create(t);
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, ...env }, cwd: dataDir, persistSecret: false });
  const rateLimiter = createRateLimiter(config);
  t.teardown(() => rateLimiter.close());
  const deps: ApiDeps = { config, db, rateLimiter, mailer: null };
  const server = await listen(createHttpApp({ config, db, routers: [...createOAuthRouters(deps), probeRouter(deps)] }), { port: 0, host: '127.0.0.1' });
  t.teardown(() => server.close());
  return { url: server.url, db, config };
}

export interface RegisteredApp {
  client_id: string;
  client_secret: string;
  id: string;
}

export async function registerApp(server: TestServer, options: { redirectUris?: string | string[]; scopes?: string } = {}): Promise<RegisteredApp> {
  const response = await fetch(`${server.url}/api/v1/apps`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: 'Test app', redirect_uris: options.redirectUris ?? 'https://app.example/callback', scopes: options.scopes ?? 'read write' }),
  });
  if (response.status !== 200) throw new Error(`app registration failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as RegisteredApp;
}

export async function createUser(server: TestServer, username = 'alice') {
  return createLocalAccount(server.db, { username, email: `${username}@example.com`, password: PASSWORD });
}

/** A signed-in browser: a real session row and its cookie. */
export async function sessionCookie(server: TestServer, userId: number): Promise<string> {
  const session = await createSession(server.db, userId);
  return `${SESSION_COOKIE}=${encodeURIComponent(session.token)}`;
}

export function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields) });
}

export async function tokenRequest(server: TestServer, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await postForm(`${server.url}/oauth/token`, fields, headers);
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

export function countTokens(db: Db): Promise<number> {
  return countRows(db, 'oauth_tokens');
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** The hidden fields of the consent page's form, unescaped. */
export function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[unescape(match[1]!)] = unescape(match[2]!);
  }
  return fields;
}

function unescape(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

export async function countRows(db: Db, table: string, options: { revoked?: boolean } = {}): Promise<number> {
  const query = db(table).count({ n: '*' });
  if (options.revoked) query.whereNotNull('revoked_at');
  const row = await query.first();
  return Number(row?.n);
}
