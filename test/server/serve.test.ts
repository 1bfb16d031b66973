// The composed server: HTTP on the main thread, jobs in a worker thread with
// their own connection (role all), or split across processes (web / worker).
import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { databaseTargets, tempDir, type TestDatabase } from '../helpers/databases.ts';
import { loadConfig } from '../../config/load.ts';
import { serve, type Role } from '../../server/serve.ts';
import { enqueue } from '../../server/jobs/queue.ts';
import type { ExecutionContext } from 'ava';

const viewfinderBin = fileURLToPath(new URL('../../bin/viewfinder', import.meta.url));

function configFor(t: ExecutionContext, database: TestDatabase) {
  return loadConfig({
    env: { DATABASE_URL: database.url, VIEWFINDER_DATA_DIR: tempDir(t), VIEWFINDER_PORT: '0', VIEWFINDER_HOST: '127.0.0.1', VIEWFINDER_JOB_POLL_MS: '20', VIEWFINDER_LOG_LEVEL: 'warning' },
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function startRole(t: ExecutionContext, database: TestDatabase, role: Role) {
  const server = await serve(configFor(t, database), { role });
  t.teardown(() => server.stop());
  return server;
}

for (const target of await databaseTargets()) {
  test(`${target.name}: role all serves HTTP and runs jobs in its worker thread`, async (t) => {
    const database = await target.create(t, { migrate: false });
    const server = await startRole(t, database, 'all');
    t.truthy(server.url);
    t.is((await fetch(`${server.url}/healthz`)).status, 200);
    const ready = await fetch(`${server.url}/readyz`);
    t.is(ready.status, 200);
    t.is(((await ready.json()) as { database: string }).database, 'ok');

    // serve() migrated the empty database; a job enqueued now is run by the worker thread.
    const id = await enqueue(database.db, 'jobs.purge-old-dead', {});
    await waitFor(async () => !(await database.db('jobs').where({ id }).first()), 'the job to run');
    t.pass();
  });

  test(`${target.name}: roles web and worker split HTTP and jobs`, async (t) => {
    const database = await target.create(t);
    const web = await startRole(t, database, 'web');
    const worker = await startRole(t, database, 'worker');
    t.is(worker.url, null);
    t.is((await fetch(`${web.url}/healthz`)).status, 200);
    // Browser apps (Elk, Phanpy) preflight every API call: it must get CORS.
    const preflight = await fetch(`${web.url}/api/v1/accounts/verify_credentials`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://elk.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    t.is(preflight.status, 204);
    t.is(preflight.headers.get('access-control-allow-origin'), '*');
    t.regex(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/i);
    const id = await enqueue(database.db, 'jobs.purge-old-dead', {});
    await waitFor(async () => !(await database.db('jobs').where({ id }).first()), 'the worker process to run the job');
    t.pass();
  });
}

test('npm start path: `viewfinder serve` starts, answers, and stops on SIGTERM', async (t) => {
  const dataDir = tempDir(t);
  const child = spawn(process.execPath, [viewfinderBin, 'serve'], {
    env: { ...process.env, VIEWFINDER_DATA_DIR: dataDir, VIEWFINDER_PORT: '0', VIEWFINDER_HOST: '127.0.0.1', DATABASE_URL: '', VIEWFINDER_CONFIG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  // A cold start (module loading, migrations, the worker thread) on a loaded CI machine can take a while.
  await waitFor(async () => /listening on http:\/\/127\.0\.0\.1:\d+/.test(output), 'the server to listen', 60_000);
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1];
  t.is((await fetch(`${url}/healthz`)).status, 200);
  const notFound = await fetch(`${url}/no/such/page`);
  t.is(notFound.status, 404);
  t.truthy(((await notFound.json()) as { error: string }).error);
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  t.is(code, 0, output);
});
