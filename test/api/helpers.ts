// A real server for the client-API tests: the API routers on an ephemeral
// port over a fresh database, optionally with a job runner (its own
// connection, as in `serve`), plus tokens made the way the OAuth flow makes
// them (createApp + issueToken).
import type { ExecutionContext } from 'ava';
import { createRestAPIClient, type mastodon } from 'masto';
import { loadConfig, type Config } from '../../config/load.ts';
import type { Db } from '../../server/db/knex.ts';
import { createHttpApp } from '../../server/http/app.ts';
import type { ApiDeps } from '../../server/http/deps.ts';
import { listen } from '../../server/http/listen.ts';
import { createRateLimiter } from '../../server/http/rate-limit.ts';
import { createApiRouters } from '../../server/http/routes.ts';
import { startJobRunner } from '../../server/jobs/job-runner.ts';
import { createLocalAccount } from '../../server/services/accounts/admin-accounts.service.ts';
import { createApp } from '../../server/services/oauth/apps.service.ts';
import { issueToken } from '../../server/services/oauth/tokens.service.ts';
import type { DatabaseTarget } from '../helpers/databases.ts';

export interface ApiServer {
  url: string;
  db: Db;
  config: Config;
}

export interface ApiServerOptions {
  /** Run jobs (media processing, cleanup) on a connection of their own, as `serve` does. */
  jobs?: boolean;
}

export async function startApiServer(t: ExecutionContext, target: DatabaseTarget, env: Record<string, string> = {}, options: ApiServerOptions = {}): Promise<ApiServer> {
  const { db, dataDir, url } = await target.create(t);
  const config = loadConfig({
    env: { VIEWFINDER_DATA_DIR: dataDir, DATABASE_URL: url, VIEWFINDER_PUBLIC_URL: 'http://127.0.0.1:9', VIEWFINDER_RATE_LIMITS: 'off', VIEWFINDER_JOB_POLL_MS: '20', ...env },
    cwd: dataDir,
    persistSecret: false,
  });
  const rateLimiter = createRateLimiter(config);
  t.teardown(() => rateLimiter.close());
  const deps: ApiDeps = { config, db, rateLimiter, mailer: null };
  const routers = createApiRouters(deps);
  if (options.jobs) {
    const runner = startJobRunner(config, `test-${target.name}`);
    t.teardown(() => runner.stop());
  }
  const server = await listen(createHttpApp({ config, db, routers }), { port: 0, host: '127.0.0.1' });
  t.teardown(() => server.close());
  return { url: server.url, db, config };
}

/** A media URL as we serialize it (under the configured public URL) → the same path on the test server. */
export function local(server: ApiServer, url: string): string {
  return url.replace(server.config.publicUrl, server.url);
}

export async function appToken(server: ApiServer, scopes: string[], userId: number | null): Promise<string> {
  const { app } = await createApp(server.db, { clientName: 'Test app', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write follow profile' });
  const token = await issueToken(server.db, server.config, { appId: app.id, userId, scopes });
  return token.accessToken;
}

export interface TestUser {
  accountId: number;
  userId: number;
  username: string;
  token: string;
  client: mastodon.rest.Client;
}

export async function createUser(server: ApiServer, username: string, scopes = ['read', 'write', 'follow']): Promise<TestUser> {
  const { account, user } = await createLocalAccount(server.db, { username, email: `${username}@example.com`, password: 'correct horse battery' });
  const token = await appToken(server, scopes, user.id);
  return { accountId: account.id, userId: user.id, username, token, client: createRestAPIClient({ url: server.url, accessToken: token }) };
}

export async function getJson(server: ApiServer, path: string, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: await response.json() };
}
