// Job queue figures, single process, on SQLite (temp file, WAL, synchronous
// NORMAL as openDatabase sets) and on Postgres (a fresh schema) when reachable:
//   noop       jobs/s completed draining a backlog of no-op jobs
//   insertRow  jobs/s draining jobs that each insert one row
//   latency    enqueue-to-start delay with jobs enqueued at a steady rate while
//              the worker runs (enqueuer on its own connection, as the HTTP side is)
//   backlog    time of one claim (batch) with a large backlog queued: shows
//              whether claiming walks an index or sorts the whole backlog
// Options: --jobs=20000 --concurrency=128 --batch=128 --rate=200 --seconds=5
//          --poll=50 --backlog=200000 --db=all|sqlite|postgres --pg=postgres://…
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase, type Db } from '../server/db/knex.ts';
import { migrateLatest } from '../server/db/migrate.ts';
import type { DatabaseConfig } from '../config/database-url.ts';
import { enqueue, enqueueMany } from '../server/jobs/queue.ts';
import { JobRegistry } from '../server/jobs/registry.ts';
import { createWorker } from '../server/jobs/worker.ts';
import { queueStats } from '../server/jobs/admin.ts';
import { claimJobs } from '../server/db/jobs.repo.ts';

interface Settings {
  jobs: number;
  concurrency: number;
  batch: number;
  rate: number;
  seconds: number;
  poll: number;
  backlog: number;
  leaseMs: number;
  db: 'all' | 'sqlite' | 'postgres';
  pg: string;
}

function parseArgs(args: string[]): Settings {
  const settings: Settings = {
    jobs: 20_000,
    concurrency: 128,
    batch: 128,
    rate: 200,
    seconds: 5,
    poll: 50,
    backlog: 200_000,
    leaseMs: 30_000,
    db: 'all',
    pg: 'postgres://postgres@127.0.0.1:5432/test',
  };
  for (const arg of args) {
    const match = /^--([a-z]+)=(.+)$/.exec(arg);
    if (!match || !(match[1]! in settings)) throw new Error(`unknown option ${arg}`);
    const key = match[1] as keyof Settings;
    const value = key === 'db' || key === 'pg' ? match[2]! : Number(match[2]);
    if (typeof value === 'number' && !(value > 0)) throw new Error(`${arg}: expected a positive number`);
    (settings as unknown as Record<string, unknown>)[key] = value;
  }
  return settings;
}

interface Target {
  name: 'sqlite' | 'postgres';
  config: DatabaseConfig;
  cleanup(): Promise<void>;
}

async function sqliteTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'viewfinder-bench-'));
  return { name: 'sqlite', config: { client: 'sqlite', filename: join(dir, 'bench.sqlite') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function postgresTarget(url: string): Promise<Target | string> {
  const admin = openDatabase({ client: 'pg', connectionString: url }, { poolMax: 1 });
  try {
    await Promise.race([admin.raw('select 1'), sleep(3000).then(() => Promise.reject(new Error('timed out')))]);
  } catch (error) {
    await admin.destroy();
    return `unreachable: ${(error as Error).message}`;
  }
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  await admin.raw(`CREATE SCHEMA ${schema}`);
  return {
    name: 'postgres',
    config: { client: 'pg', connectionString: url, schema },
    async cleanup() {
      await admin.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.destroy();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Enqueues `jobs` jobs, then times one worker draining them (until every job is deleted). */
async function drain(db: Db, s: Settings, type: string, handler: (payload: { i: number }, db: Db) => Promise<void>) {
  const enqueueStart = performance.now();
  const chunk = 5000;
  for (let start = 0; start < s.jobs; start += chunk) {
    const count = Math.min(chunk, s.jobs - start);
    await enqueueMany(db, Array.from({ length: count }, (_, k) => ({ type, payload: { i: start + k } })));
  }
  const enqueueMs = performance.now() - enqueueStart;

  let done = 0;
  const registry = new JobRegistry();
  registry.register<{ i: number }>(type, async (payload, ctx) => {
    await handler(payload, ctx.db);
    done += 1;
  });
  const worker = createWorker({ db, registry, concurrency: s.concurrency, batchSize: s.batch, pollMs: s.poll, leaseMs: s.leaseMs });
  const start = performance.now();
  worker.start();
  while (done < s.jobs) await sleep(5);
  await worker.stop(); // flushes the last acknowledgements
  const seconds = (performance.now() - start) / 1000;
  const left = await queueStats(db);
  if (left.queued + left.running + left.dead !== 0) throw new Error(`${type}: ${JSON.stringify(left)} jobs left after draining`);
  return { jobs: s.jobs, seconds: round(seconds, 2), jobsPerSecond: Math.round(s.jobs / seconds), enqueuePerSecond: Math.round(s.jobs / (enqueueMs / 1000)) };
}

/** Jobs enqueued one by one at a steady rate while the worker polls; start time minus enqueue time. */
async function latency(db: Db, enqueuer: Db, s: Settings) {
  const delays: number[] = [];
  const registry = new JobRegistry();
  registry.register<{ enqueuedAt: number }>('bench.latency', async (payload) => {
    delays.push(Date.now() - payload.enqueuedAt);
  });
  const worker = createWorker({ db, registry, concurrency: s.concurrency, batchSize: s.batch, pollMs: s.poll, leaseMs: s.leaseMs });
  worker.start();
  const total = Math.round(s.rate * s.seconds);
  const begin = performance.now();
  for (let i = 0; i < total; i++) {
    const due = begin + (i * 1000) / s.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    // enqueue() sets created_at = Date.now(); the payload carries the same instant.
    await enqueue(enqueuer, 'bench.latency', { enqueuedAt: Date.now() });
  }
  while (delays.length < total) await sleep(5);
  await worker.stop();
  const sorted = [...delays].sort((a, b) => a - b);
  return { jobs: total, ratePerSecond: s.rate, pollMs: s.poll, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) };
}

/** Claims from a large backlog: a claim that sorts every due job gets slower as the backlog grows. */
async function backlog(db: Db, s: Settings) {
  for (let start = 0; start < s.backlog; start += 5000) {
    const count = Math.min(5000, s.backlog - start);
    await enqueueMany(db, Array.from({ length: count }, (_, k) => ({ type: 'bench.backlog', payload: { i: start + k } })));
  }
  const times: number[] = [];
  // A backlog builds up over time, while autovacuum keeps planner statistics
  // current; a bulk insert claimed at once would measure stale statistics instead.
  await db.raw('ANALYZE jobs'); // same statement on SQLite and Postgres
  const claims = Math.max(1, Math.min(20, Math.floor(s.backlog / s.batch)));
  for (let i = 0; i < claims; i++) {
    const begin = performance.now();
    const claimed = await claimJobs(db, { types: ['bench.backlog'], limit: s.batch, leaseMs: s.leaseMs, workerId: 'bench' });
    times.push(performance.now() - begin);
    if (claimed.length !== Math.min(s.batch, s.backlog)) throw new Error(`backlog: claimed ${claimed.length} of ${s.batch}`);
  }
  await db('jobs').delete();
  const sorted = times.sort((a, b) => a - b);
  return { queued: s.backlog, batchSize: s.batch, claimP50Ms: round(percentile(sorted, 50), 2), claimMaxMs: round(sorted.at(-1)!, 2) };
}

async function runOn(target: Target, s: Settings) {
  const db = openDatabase(target.config, { poolMax: 10 });
  const enqueuer = openDatabase(target.config, { poolMax: 2 });
  try {
    await migrateLatest(db);
    await db.schema.createTable('bench_scratch', (t) => {
      t.bigInteger('id').primary();
      t.integer('n').notNullable();
    });
    const noop = await drain(db, s, 'bench.noop', async () => {});
    const insertRow = await drain(db, s, 'bench.insert', async (payload, jobDb) => {
      await jobDb('bench_scratch').insert({ id: payload.i, n: payload.i });
    });
    const [{ n }] = (await db('bench_scratch').count({ n: '*' })) as [{ n: number | string }];
    if (Number(n) !== s.jobs) throw new Error(`insertRow: expected ${s.jobs} rows, found ${n}`);
    return { noop, insertRow, latency: await latency(db, enqueuer, s), backlog: await backlog(db, s) };
  } finally {
    await enqueuer.destroy();
    await db.destroy();
  }
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const s = parseArgs(args);
  const figures: Record<string, unknown> = {
    scenario: 'queue',
    settings: { jobs: s.jobs, concurrency: s.concurrency, batchSize: s.batch, pollMs: s.poll, leaseMs: s.leaseMs, latencyRate: s.rate, latencySeconds: s.seconds, backlog: s.backlog },
    node: process.version,
  };
  const targets: (Target | string)[] = [];
  if (s.db !== 'postgres') targets.push(await sqliteTarget());
  if (s.db !== 'sqlite') targets.push(await postgresTarget(s.pg));
  for (const target of targets) {
    if (typeof target === 'string') {
      figures.postgres = { skipped: target };
      continue;
    }
    try {
      figures[target.name] = await runOn(target, s);
    } finally {
      await target.cleanup();
    }
  }
  figures.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  return figures;
}
