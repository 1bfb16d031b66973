// Real Viewfinder instances for federation tests: each is `serve` (HTTP plus
// the job worker thread) on its own loopback port and database, with its
// domain `127.0.0.1:<port>`. An instance can be stopped and started again on
// the same port and database, as a crashed server comes back.
import type { ExecutionContext } from 'ava';
import { createRestAPIClient } from 'masto';
import { loadConfig, type Config } from '../../config/load.ts';
import type { Db } from '../../server/db/knex.ts';
import { serve, type RunningServer } from '../../server/serve.ts';
import { createLocalAccount } from '../../server/services/accounts/admin-accounts.service.ts';
import { freePort, type DatabaseTarget } from '../helpers/databases.ts';
import { appToken, type TestUser } from '../api/helpers.ts';

export interface Instance {
  url: string;
  domain: string;
  db: Db;
  config: Config;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startInstance(t: ExecutionContext, target: DatabaseTarget, env: Record<string, string> = {}): Promise<Instance> {
  const { db, dataDir, url: databaseUrl } = await target.create(t);
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    env: {
      VIEWFINDER_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      VIEWFINDER_PUBLIC_URL: publicUrl,
      VIEWFINDER_PORT: String(port),
      VIEWFINDER_HOST: '127.0.0.1',
      VIEWFINDER_ALLOW_PRIVATE_ADDRESSES: 'true',
      VIEWFINDER_RATE_LIMITS: 'off',
      VIEWFINDER_JOB_POLL_MS: '20',
      VIEWFINDER_LOG_LEVEL: 'warning',
      ...env,
    },
    cwd: dataDir,
    persistSecret: false,
  });
  let running: RunningServer | null = null;
  const instance: Instance = {
    url: publicUrl,
    domain: config.domain,
    db,
    config,
    async start() {
      if (!running) running = await serve(config, { role: 'all' });
    },
    async stop() {
      const current = running;
      running = null;
      await current?.stop();
    },
  };
  await instance.start();
  t.teardown(() => instance.stop());
  return instance;
}

export async function user(instance: Instance, username: string): Promise<TestUser> {
  const { account, user } = await createLocalAccount(instance.db, { username, email: `${username}@example.com`, password: 'correct horse battery' });
  const token = await appToken({ url: instance.url, db: instance.db, config: instance.config }, ['read', 'write', 'follow'], user.id);
  return { accountId: account.id, userId: user.id, username, token, client: createRestAPIClient({ url: instance.url, accessToken: token }) };
}

/** Waits (bounded) for what a delivery between instances does. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
