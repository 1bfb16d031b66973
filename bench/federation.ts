// Federation throughput against a real server (`viewfinder serve`, role all:
// HTTP on the main thread, jobs in worker threads), rate limits off,
// private addresses allowed, every remote server played by one loopback stub
// (bench/federation-stub.ts):
//   deliveries  one photo post by a local author with --followers remote
//               followers, each with its own inbox on the stub (--inboxes
//               distinct ones, no shared inbox), published through the client
//               API; timed from the POST until the stub has had a request at
//               every inbox (bench/federation-deliveries.ts). Fedify signs
//               each delivery with the author's RSA key (the server's own,
//               2048-bit as federation/keys.ts makes them; --authorkey=rsa2048
//               stores one made here beforehand);
//               the stub answers 202 to the first knock, so requests = inboxes.
//   inbox       --activities signed Creates (a public Note with one Image)
//               from --actors remote actors whose keys (RSA-2048) the stub serves,
//               each followed by the local author (so every post goes to a
//               home feed, as on a real server), POSTed to the shared inbox --concurrency at a time: accepted/s
//               at the HTTP side, processed/s until every one is a posts row
//               (bench/federation-inbox.ts). Remote media fetching is off
//               (VIEWFINDER_REMOTE_MEDIA=off); the attachment URLs point at the
//               stub, so a server without that setting fetches a tiny JPEG.
// Options: --followers=1000 --inboxes=1000 --origins=1 (stub listeners the
//          inboxes are spread over) --activities=2000 --concurrency=50
//          --actors=5 --db=sqlite|postgres --log=info --timeout=300 (s per figure)
//          --jobs=N (the server's VIEWFINDER_JOB_CONCURRENCY; default: its own)
//          --deliveries=N (the server's VIEWFINDER_DELIVERY_CONCURRENCY; default: its own)
//          --threads=N (the server's VIEWFINDER_JOB_THREADS; default: its own)
//          --pg=postgres://postgres@127.0.0.1:5432/test
//          --serverlog=<path> (keeps a copy of the server's log there)
//          --authorkey=server|rsa2048 (server: the author's keys are the server's
//          own, made on first use; rsa2048: an RSA-2048 key stored beforehand)
// Each figure has the server's CPU per item and `cores`: how many cores the
// server, this bench (client and stub) and everything else on the machine
// used meanwhile; the machine is shared, so read a rate against otherCores.
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { loadConfig } from '../config/load.ts';
import { openDatabase, type Db } from '../server/db/knex.ts';
import { migrateLatest } from '../server/db/migrate.ts';
import { startBenchServer } from './_server.ts';
import { log, round, settle, type Settings } from './federation-common.ts';
import { DELIVERY_JOBS, measureDeliveries } from './federation-deliveries.ts';
import { measureInbox } from './federation-inbox.ts';
import { seedAuthor, seedRemoteFollowers } from './federation-seed.ts';
import { startStub } from './federation-stub.ts';

function parseArgs(args: string[]): Settings {
  const s: Settings = { followers: 1000, inboxes: 1000, origins: 1, activities: 2000, concurrency: 50, actors: 5, jobs: 0, deliveries: 0, threads: 0, timeout: 300, db: 'sqlite', log: 'info', pg: 'postgres://postgres@127.0.0.1:5432/test', serverlog: '', authorkey: 'server' };
  for (const arg of args) {
    const match = /^--([a-z]+)=(.+)$/.exec(arg);
    if (!match || !(match[1]! in s)) throw new Error(`unknown option ${arg}`);
    const key = match[1] as keyof Settings;
    if (key === 'db' || key === 'log' || key === 'pg' || key === 'serverlog' || key === 'authorkey') {
      s[key] = match[2]!;
      continue;
    }
    const value = Number(match[2]);
    if (!Number.isInteger(value) || value < (key === 'jobs' || key === 'deliveries' || key === 'threads' ? 0 : 1)) throw new Error(`${arg}: expected a positive integer`);
    s[key] = value;
  }
  if (s.db !== 'sqlite' && s.db !== 'postgres') throw new Error('--db: sqlite or postgres');
  if (s.authorkey !== 'server' && s.authorkey !== 'rsa2048') throw new Error('--authorkey: server or rsa2048');
  return s;
}

/** The database for this run: SQLite in the data dir, or a fresh Postgres schema dropped afterwards. */
async function prepareDatabase(s: Settings): Promise<{ databaseUrl: string; drop: () => Promise<void> }> {
  if (s.db === 'sqlite') return { databaseUrl: 'sqlite:bench.sqlite', drop: async () => {} };
  const schema = 'bench_federation';
  const admin = openDatabase({ client: 'pg', connectionString: s.pg }, { poolMax: 1 });
  await admin.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.raw(`CREATE SCHEMA ${schema}`);
  const url = new URL(s.pg);
  url.searchParams.set('schema', schema);
  return {
    databaseUrl: url.toString(),
    drop: async () => {
      await admin.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.destroy();
    },
  };
}

function serverEnv(dataDir: string, databaseUrl: string, s: Settings): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing from the caller's environment may point the server elsewhere.
  for (const name of Object.keys(env)) if (name.startsWith('VIEWFINDER_') || name === 'DATABASE_URL' || name === 'REDIS_URL') delete env[name];
  // No VIEWFINDER_PUBLIC_URL: startBenchServer picks the port, so the public
  // URL is the default http://localhost:<port> (localhost is 127.0.0.1 here).
  return {
    ...env,
    VIEWFINDER_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    VIEWFINDER_HOST: '127.0.0.1',
    VIEWFINDER_RATE_LIMITS: 'off',
    VIEWFINDER_ALLOW_PRIVATE_ADDRESSES: 'true',
    VIEWFINDER_REMOTE_MEDIA: 'off',
    VIEWFINDER_LOG_LEVEL: s.log,
    VIEWFINDER_LOG_FORMAT: 'json',
    ...(s.jobs > 0 ? { VIEWFINDER_JOB_CONCURRENCY: String(s.jobs) } : {}),
    ...(s.deliveries > 0 ? { VIEWFINDER_DELIVERY_CONCURRENCY: String(s.deliveries) } : {}),
    ...(s.threads > 0 ? { VIEWFINDER_JOB_THREADS: String(s.threads) } : {}),
  };
}

/** A figure that failed is reported as its error, so the other figure of the run is not lost with it. */
async function orError<T>(figure: Promise<T>): Promise<T | { error: string }> {
  try {
    return await figure;
  } catch (error) {
    log(`figure failed: ${String(error)}`);
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const s = parseArgs(args);
  const dataDir = mkdtempSync(join(tmpdir(), 'viewfinder-bench-federation-'));
  const database = await prepareDatabase(s);
  const stub = await startStub({ origins: s.origins });
  let child: ChildProcess | undefined;
  let db: Db | undefined;
  try {
    const env = serverEnv(dataDir, database.databaseUrl, s);
    const config = loadConfig({ env, cwd: dataDir });
    db = openDatabase(config.database, { poolMax: 2 });
    await migrateLatest(db);
    const author = await seedAuthor(db, config, s.authorkey as 'server' | 'rsa2048');
    const inboxes = await seedRemoteFollowers(db, { authorId: author.accountId, followers: s.followers, inboxes: s.inboxes, origins: stub.origins });
    log(`seeded ${s.followers} remote followers with ${inboxes} inboxes on ${stub.origins.length} stub origin(s)`);
    const started = await startBenchServer(dataDir, env, { role: 'all', startTimeoutMs: 120_000 });
    child = started.child;
    const server = { ...started, publicUrl: started.url.replace('//127.0.0.1:', '//localhost:') };
    const { pg: _pg, serverlog: _serverlog, ...shown } = s;
    const figures: Record<string, unknown> = {
      scenario: 'federation',
      settings: { ...shown, rateLimits: 'off', publicUrl: server.publicUrl },
      node: process.version,
      // Other work on the machine skews every rate here: note how busy it was.
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, loadAverage1mBefore: round(loadavg()[0]!, 2) },
    };
    log('deliveries: posting');
    figures.deliveries = await orError(measureDeliveries(s, server, db, stub, author, inboxes));
    await settle(db, DELIVERY_JOBS, 60_000);
    log('inbox: signing and posting activities');
    figures.inbox = await orError(measureInbox(s, server, db, stub, author));
    (figures.machine as Record<string, unknown>).loadAverage1mAfter = round(loadavg()[0]!, 2);
    return figures;
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await db?.destroy();
    await stub.close();
    await database.drop();
    const serverLog = join(dataDir, 'server.log');
    if (s.serverlog && existsSync(serverLog)) copyFileSync(serverLog, s.serverlog);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
