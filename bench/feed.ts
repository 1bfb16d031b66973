// Home feed figures (issue 5) against a real server (`viewfinder serve`, role
// all: HTTP on the main thread, jobs in the worker thread), rate limits off,
// on a database seeded by bench/feed-seed.ts (100k accounts, 1M posts, ~5M
// follows at --scale=1; reused between runs when it exists):
//   homeFirstPage  GET /api/v1/timelines/home?limit=20 at --connections
//                  (autocannon in this process), each request as one of the
//                  seeded readers in turn
//   homeDeepPage   the same with max_id ~600 entries down each reader's feed
//   fanout         a photo posted through the API by the account with 50k
//                  followers (scaled), timed from the POST's answer until every
//                  follower's feed holds it, through the real jobs (default
//                  poll interval: the first claim may wait up to 500 ms)
// Options: --scale=1 --db=sqlite|postgres|all --seconds=10 --connections=50
//          --warmup=2 --fanouts=3 --readers=200 --log=info --reseed
//          --dir=/tmp/viewfinder-bench-feed --pg=postgres://postgres@127.0.0.1:5432/test
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { loadConfig } from '../config/load.ts';
import { openDatabase, type Db } from '../server/db/knex.ts';
import { migrateLatest } from '../server/db/migrate.ts';
import { createApp } from '../server/services/oauth/apps.service.ts';
import { issueToken } from '../server/services/oauth/tokens.service.ts';
import { FANOUT_ACCOUNT, generate, loadPostgres, loadSqlite, shapeFor, userIndexes, usernameOf, type SeedData } from './feed-seed.ts';
import { startBenchServer } from './_server.ts';

interface Settings {
  scale: number;
  db: 'sqlite' | 'postgres' | 'all';
  seconds: number;
  connections: number;
  warmup: number;
  fanouts: number;
  readers: number;
  log: string;
  reseed: boolean;
  dir: string;
  pg: string;
}

function parseArgs(args: string[]): Settings {
  const s: Settings = { scale: 1, db: 'sqlite', seconds: 10, connections: 50, warmup: 2, fanouts: 3, readers: 200, log: 'info', reseed: false, dir: '/tmp/viewfinder-bench-feed', pg: 'postgres://postgres@127.0.0.1:5432/test' };
  for (const arg of args) {
    if (arg === '--reseed') {
      s.reseed = true;
      continue;
    }
    const match = /^--([a-z]+)=(.+)$/.exec(arg);
    if (!match || !(match[1]! in s)) throw new Error(`unknown option ${arg}`);
    const key = match[1] as keyof Settings;
    if (key === 'db' || key === 'log' || key === 'dir' || key === 'pg') (s as unknown as Record<string, string>)[key] = match[2]!;
    else {
      const value = Number(match[2]);
      if (!(value >= 0)) throw new Error(`${arg}: expected a number`);
      (s as unknown as Record<string, number>)[key] = value;
    }
  }
  if (!['sqlite', 'postgres', 'all'].includes(s.db)) throw new Error('--db: sqlite, postgres or all');
  return s;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const log = (message: string) => process.stderr.write(`[bench feed] ${message}\n`);

interface Target {
  name: 'sqlite' | 'postgres';
  databaseUrl: string;
}

/** The seeded database for this scale: reused when a finished seed exists, else made. */
async function ensureSeeded(s: Settings, name: Target['name'], data: () => SeedData): Promise<Target> {
  const tag = String(s.scale).replace('.', '_');
  if (name === 'sqlite') {
    mkdirSync(s.dir, { recursive: true });
    const file = join(s.dir, `feed-s${tag}.sqlite`);
    if (s.reseed) for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    if (!existsSync(file)) {
      const partial = `${file}.partial`;
      for (const suffix of ['', '-wal', '-shm']) rmSync(partial + suffix, { force: true });
      const db = openDatabase({ client: 'sqlite', filename: partial });
      await migrateLatest(db);
      await db.destroy();
      const started = performance.now();
      loadSqlite(partial, data(), log);
      log(`SQLite seeded in ${Math.round((performance.now() - started) / 1000)} s`);
      renameSync(partial, file); // only a finished seed has the final name
    } else log(`reusing ${file}`);
    return { name, databaseUrl: `sqlite://${file}` };
  }
  const schema = `bench_feed_s${tag}`;
  const admin = openDatabase({ client: 'pg', connectionString: s.pg }, { poolMax: 1 });
  try {
    const done = (await admin.raw('SELECT to_regclass(?) AS t', [`${schema}.bench_seeded`])).rows[0].t !== null;
    if (s.reseed || !done) {
      await admin.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.raw(`CREATE SCHEMA ${schema}`);
      const db = openDatabase({ client: 'pg', connectionString: s.pg, schema }, { poolMax: 2 });
      try {
        await migrateLatest(db);
        const started = performance.now();
        await loadPostgres(db, data(), log);
        await db.raw('CREATE TABLE bench_seeded (at bigint)');
        log(`Postgres seeded in ${Math.round((performance.now() - started) / 1000)} s`);
      } finally {
        await db.destroy();
      }
    } else log(`reusing schema ${schema}`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(s.pg);
  url.searchParams.set('schema', schema);
  return { name, databaseUrl: url.toString() };
}

function serverEnv(dataDir: string, databaseUrl: string, logLevel: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('VIEWFINDER_') || name === 'DATABASE_URL' || name === 'REDIS_URL') delete env[name];
  return { ...env, VIEWFINDER_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, VIEWFINDER_RATE_LIMITS: 'off', VIEWFINDER_LOG_LEVEL: logLevel, VIEWFINDER_LOG_FORMAT: 'json', VIEWFINDER_HOST: '127.0.0.1' };
}

interface Reader {
  token: string;
  /** max_id for a page deep in this reader's feed. */
  deepMaxId: number;
}

/** Fresh tokens (tokens are not kept between runs) for readers and the poster; deep-page cursors. */
async function prepareClients(db: Db, config: ReturnType<typeof loadConfig>, readerCount: number): Promise<{ readers: Reader[]; poster: { token: string; accountId: number; followers: number } }> {
  const { app } = await createApp(db, { clientName: 'bench feed', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write' });
  const users: { id: number; account_id: number; username: string }[] = await db('users').join('accounts', 'accounts.id', 'users.account_id').select('users.id', 'users.account_id', 'accounts.username').orderBy('users.id');
  const posterName = usernameOf(FANOUT_ACCOUNT);
  const posterUser = users.find((u) => u.username === posterName)!;
  const readers: Reader[] = [];
  for (const user of users.filter((u) => u.username !== posterName).slice(0, readerCount)) {
    const deep = await db('home_feed').where('account_id', user.account_id).orderBy('post_id', 'desc').offset(600).first('post_id');
    const token = await issueToken(db, config, { appId: app.id, userId: user.id, scopes: ['read', 'write'] });
    readers.push({ token: token.accessToken, deepMaxId: deep ? Number(deep.post_id) : Number.MAX_SAFE_INTEGER });
  }
  const posterToken = await issueToken(db, config, { appId: app.id, userId: posterUser.id, scopes: ['read', 'write'] });
  const followers = Number((await db('follows').where('target_account_id', posterUser.account_id).count({ n: '*' }).first())!.n);
  return { readers, poster: { token: posterToken.accessToken, accountId: posterUser.account_id, followers } };
}

/** Server CPU time from /proc (Linux), user + system, in microseconds. */
function serverCpuMicros(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
  } catch {
    return null;
  }
}

async function load(s: Settings, url: string, readers: Reader[], deep: boolean, seconds: number, pid?: number) {
  let next = 0;
  const latencies: number[] = [];
  const cpuBefore = serverCpuMicros(pid);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: s.connections,
        duration: seconds,
        requests: [
          {
            method: 'GET',
            setupRequest: (request) => {
              const reader = readers[next++ % readers.length]!;
              const path = `/api/v1/timelines/home?limit=20${deep ? `&max_id=${reader.deepMaxId}` : ''}`;
              return { ...request, path, headers: { ...request.headers, authorization: `Bearer ${reader.token}` } };
            },
          },
        ],
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => void latencies.push(responseTime));
  });
  const cpuAfter = serverCpuMicros(pid);
  latencies.sort((a, b) => a - b);
  const at = (p: number) => round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN);
  return {
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    latencyMs: { p50: at(50), p95: at(95), p99: at(99), max: round(latencies.at(-1) ?? NaN) },
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    meanResponseBytes: Math.round(result.throughput.total / Math.max(1, result.requests.total)),
    serverCpuMicrosPerRequest: cpuBefore === null || cpuAfter === null ? null : Math.round((cpuAfter - cpuBefore) / Math.max(1, result.requests.total)),
  };
}

async function api(url: string, token: string, method: string, path: string, body?: unknown | FormData) {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (body !== undefined && !(body instanceof FormData)) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
}

/** A photo posted through the API; the time until every follower's feed (and the author's) holds it. */
async function fanout(url: string, db: Db, poster: { token: string; followers: number }): Promise<{ ms: number; rows: number; firstRowMs: number }> {
  const form = new FormData();
  const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#336699' } }).jpeg().toBuffer();
  form.append('file', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'bench.jpg');
  const upload = await api(url, poster.token, 'POST', '/api/v2/media', form);
  for (let i = 0; i < 600; i++) {
    const media = await api(url, poster.token, 'GET', `/api/v1/media/${upload.body.id}`);
    if (media.status === 200) break;
    await sleep(50);
  }
  const created = await api(url, poster.token, 'POST', '/api/v1/statuses', { status: 'Fan-out bench', media_ids: [upload.body.id] });
  if (created.status !== 200) throw new Error(`post failed: ${created.status} ${JSON.stringify(created.body)}`);
  const started = performance.now();
  const expected = poster.followers + 1;
  let firstRowMs = NaN;
  for (;;) {
    const rows = Number((await db('home_feed').where('post_id', Number(created.body.id)).count({ n: '*' }).first())!.n);
    const elapsed = performance.now() - started;
    if (rows > 1 && Number.isNaN(firstRowMs)) firstRowMs = elapsed;
    if (rows >= expected) {
      await api(url, poster.token, 'DELETE', `/api/v1/statuses/${created.body.id}`); // its purge keeps the seeded data as it was
      return { ms: Math.round(elapsed), rows, firstRowMs: Math.round(firstRowMs) };
    }
    if (elapsed > 120_000) throw new Error(`fan-out reached ${rows} of ${expected} feeds in 120 s`);
    await sleep(25); // counting 50k index entries is work too: not more often
  }
}

/** Waits (at most a minute) until no feed or purge job is left. */
async function settle(db: Db): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const left = Number((await db('jobs').where((q) => q.where('type', 'like', 'feed.%').orWhere('type', 'post.purge')).count({ n: '*' }).first())!.n);
    if (left === 0) return;
    await sleep(250);
  }
}

async function runOn(s: Settings, target: Target) {
  const dataDir = join(s.dir, `run-${target.name}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const env = serverEnv(dataDir, target.databaseUrl, s.log);
  const config = loadConfig({ env, cwd: dataDir });
  const db = openDatabase(config.database, { poolMax: 2 });
  let child: ChildProcess | undefined;
  try {
    await migrateLatest(db);
    const { readers, poster } = await prepareClients(db, config, s.readers);
    const server = await startBenchServer(dataDir, env, { role: 'all', startTimeoutMs: 120_000 });
    child = server.child;
    const home = `${server.url}/api/v1/timelines/home?limit=20`;
    const probe = await fetch(home, { headers: { Authorization: `Bearer ${readers[0]!.token}` } });
    const probeBody = (await probe.json()) as unknown[];
    const figures: Record<string, unknown> = { probe: { status: probe.status, statuses: probeBody.length }, readers: readers.length };
    for (const [name, deep] of [['homeFirstPage', false], ['homeDeepPage', true]] as const) {
      if (s.warmup > 0) await load(s, server.url, readers, deep, s.warmup);
      figures[name] = await load(s, server.url, readers, deep, s.seconds, child.pid);
    }
    const runs = [];
    for (let i = 0; i < s.fanouts; i++) {
      runs.push(await fanout(server.url, db, poster));
      await settle(db); // the last one's trims (due some seconds later) and purge run before the next is timed
    }
    figures.fanout = { followers: poster.followers, runs, bestMs: Math.min(...runs.map((r) => r.ms)), medianMs: runs.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(runs.length / 2)] };
    return figures;
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await db.destroy();
  }
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const s = parseArgs(args);
  const shape = shapeFor(s.scale);
  let data: SeedData | undefined;
  const generated = () => {
    if (!data) {
      const started = performance.now();
      data = generate(shape);
      log(`generated ${data.shape.accounts} accounts, ${data.postIds.length} posts, ${data.followFollower.length} follows, ${userIndexes(data).length} users in ${Math.round(performance.now() - started)} ms`);
    }
    return data;
  };
  const figures: Record<string, unknown> = {
    scenario: 'feed',
    settings: { scale: s.scale, shape, connections: s.connections, seconds: s.seconds, warmupSeconds: s.warmup, readers: s.readers, rateLimits: 'off', serverLogLevel: s.log, serverRole: 'all' },
    node: process.version,
    machine: { cpus: cpus().length, loadAverage1mBefore: round(loadavg()[0]!) },
  };
  const names: Target['name'][] = s.db === 'all' ? ['sqlite', 'postgres'] : [s.db];
  for (const name of names) {
    const target = await ensureSeeded(s, name, generated);
    figures[name] = await runOn(s, target);
  }
  (figures.machine as Record<string, number>).loadAverage1mAfter = round(loadavg()[0]!);
  const sqlite = figures.sqlite as { homeFirstPage: { requestsPerSecond: number; latencyMs: { p95: number } }; fanout: { medianMs: number } } | undefined;
  if (sqlite) {
    figures.target = {
      wanted: 'SQLite: home >= 2000 req/s with p95 <= 30 ms at 50 connections; 50k-follower fan-out <= 2 s',
      met: sqlite.homeFirstPage.requestsPerSecond >= 2000 && sqlite.homeFirstPage.latencyMs.p95 <= 30 && sqlite.fanout.medianMs <= 2000,
    };
  }
  figures.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  return figures;
}
