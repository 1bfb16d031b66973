// Mastodon API throughput: GET /api/v1/accounts/verify_credentials with a
// bearer token (token lookup + account read + serialization + logging), and
// GET /healthz as the floor the HTTP stack itself sets.
// The server is the real one (`viewfinder serve --role web`, so serve() with
// production logging at info, to a file) in its own process, on SQLite in a temp
// dir, rate limits off; the load (autocannon) runs in this process, so the two
// do not share an event loop.
// Options: --seconds=10 --connections=50 --warmup=2 --log=info (the server's
//          VIEWFINDER_LOG_LEVEL; `warning` shows what per-request logging costs)
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { loadConfig, type Config } from '../config/load.ts';
import { openDatabase } from '../server/db/knex.ts';
import { migrateLatest } from '../server/db/migrate.ts';
import { createLocalAccount } from '../server/services/accounts/admin-accounts.service.ts';
import { createApp } from '../server/services/oauth/apps.service.ts';
import { issueToken } from '../server/services/oauth/tokens.service.ts';
import { startBenchServer } from './_server.ts';

interface Settings {
  seconds: number;
  connections: number;
  warmup: number;
  log: string;
}

function parseArgs(args: string[]): Settings {
  const settings: Settings = { seconds: 10, connections: 50, warmup: 2, log: 'info' };
  for (const arg of args) {
    const match = /^--([a-z]+)=(.+)$/.exec(arg);
    if (!match || !(match[1]! in settings)) throw new Error(`unknown option ${arg}`);
    const key = match[1] as keyof Settings;
    if (key === 'log') {
      settings.log = match[2]!;
      continue;
    }
    const value = Number(match[2]);
    if (!(value >= 0)) throw new Error(`${arg}: expected a number`);
    settings[key] = value;
  }
  return settings;
}


function serverEnv(dataDir: string, logLevel: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing from the caller's environment may point the server elsewhere.
  for (const name of Object.keys(env)) if (name.startsWith('VIEWFINDER_') || name === 'DATABASE_URL' || name === 'REDIS_URL') delete env[name];
  return {
    ...env,
    VIEWFINDER_DATA_DIR: dataDir,
    DATABASE_URL: 'sqlite:bench.sqlite',
    VIEWFINDER_RATE_LIMITS: 'off',
    VIEWFINDER_LOG_LEVEL: logLevel,
    VIEWFINDER_LOG_FORMAT: 'json',
    VIEWFINDER_HOST: '127.0.0.1',
  };
}

/** One account and a read/write token for it, written before the server starts. */
async function seed(config: Config): Promise<string> {
  const db = openDatabase(config.database);
  try {
    await migrateLatest(db);
    const { user } = await createLocalAccount(db, { username: 'bench', email: 'bench@example.com' });
    const { app } = await createApp(db, { clientName: 'bench', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write' });
    const token = await issueToken(db, config, { appId: app.id, userId: user.id, scopes: ['read', 'write'] });
    return token.accessToken;
  } finally {
    await db.destroy();
  }
}

interface Figures {
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  serverCpuMicrosPerRequest: number | null;
}

/**
 * CPU time the server process has used, in µs (Linux /proc; null elsewhere).
 * Per request it is a figure other load on the machine barely moves, unlike req/s.
 */
function serverCpuMicros(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields, in clock ticks (100 Hz).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return null; // not Linux, or the process is gone
  }
}

async function load(url: string, headers: Record<string, string>, s: Settings, seconds: number, pid?: number): Promise<Figures> {
  const cpuBefore = serverCpuMicros(pid);
  // Exact latencies from the response events: autocannon's own histogram has
  // 1 ms resolution and no p95.
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections: s.connections, duration: seconds, headers }, (error, finished) => (error ? reject(error) : resolve(finished)));
    instance.on('response', (_client, _status, _bytes, responseTime) => void latencies.push(responseTime));
  });
  const cpuAfter = serverCpuMicros(pid);
  latencies.sort((a, b) => a - b);
  const at = (p: number) => round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN);
  return {
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    latencyMs: { p50: at(50), p95: at(95), p99: at(99), max: round(latencies[latencies.length - 1] ?? NaN) },
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    serverCpuMicrosPerRequest: cpuBefore === null || cpuAfter === null ? null : Math.round((cpuAfter - cpuBefore) / Math.max(1, result.requests.total)),
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const s = parseArgs(args);
  const dataDir = mkdtempSync(join(tmpdir(), 'viewfinder-bench-api-'));
  let child: ChildProcess | undefined;
  try {
    const env = serverEnv(dataDir, s.log);
    const config = loadConfig({ env, cwd: dataDir });
    const accessToken = await seed(config);
    const server = await startBenchServer(dataDir, env, { role: 'web', startTimeoutMs: 30_000 });
    child = server.child;
    const auth = { Authorization: `Bearer ${accessToken}` };
    const verifyUrl = `${server.url}/api/v1/accounts/verify_credentials`;

    const probe = await fetch(verifyUrl, { headers: auth });
    const probeBody = await probe.text();
    const figures: Record<string, unknown> = {
      scenario: 'api',
      settings: { connections: s.connections, seconds: s.seconds, warmupSeconds: s.warmup, database: 'sqlite', rateLimits: 'off', serverLogLevel: s.log },
      node: process.version,
      // Other work on the machine skews every figure here: note how busy it was.
      machine: { cpus: cpus().length, loadAverage1mBefore: Math.round(loadavg()[0]! * 100) / 100 },
      verifyCredentials: { status: probe.status, responseBytes: Buffer.byteLength(probeBody) },
    };
    for (const [name, url, headers] of [['healthz', `${server.url}/healthz`, {}], ['verifyCredentials', verifyUrl, auth]] as const) {
      if (s.warmup > 0) await load(url, headers, s, s.warmup);
      const measured = await load(url, headers, s, s.seconds, child.pid);
      figures[name] = name === 'verifyCredentials' ? { ...(figures[name] as object), ...measured } : measured;
    }
    (figures.machine as Record<string, number>).loadAverage1mAfter = Math.round(loadavg()[0]! * 100) / 100;
    const verify = figures.verifyCredentials as Partial<Figures> & { status: number };
    figures.target = {
      wanted: 'verify_credentials >= 5000 req/s and p99 <= 25 ms',
      met: verify.status === 200 && verify.non2xx === 0 && (verify.requestsPerSecond ?? 0) >= 5000 && (verify.latencyMs?.p99 ?? Infinity) <= 25,
    };
    return figures;
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}
