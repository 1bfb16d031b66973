// What both federation bench figures share: the options, rounding and
// percentiles, the server process's CPU time, and the job queue as seen from
// the bench's own database connection.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../server/db/knex.ts';

export interface Settings {
  followers: number;
  inboxes: number;
  /** Stub listeners (remote origins) the inboxes are spread over. */
  origins: number;
  activities: number;
  concurrency: number;
  actors: number;
  /** The server's VIEWFINDER_JOB_CONCURRENCY; 0 leaves its default. */
  jobs: number;
  /** The server's VIEWFINDER_DELIVERY_CONCURRENCY; 0 leaves its default. */
  deliveries: number;
  /** The server's VIEWFINDER_JOB_THREADS; 0 leaves its default. */
  threads: number;
  /** Seconds each figure may take before the bench gives up. */
  timeout: number;
  db: string;
  log: string;
  pg: string;
  /** Where to keep a copy of the server's log ('' = nowhere). */
  serverlog: string;
  /** 'server' (keys made by the server on first use) or 'rsa2048' (stored beforehand). */
  authorkey: string;
}

export interface BenchServer {
  url: string;
  /** What the server calls itself (signatures are checked against it). */
  publicUrl: string;
  child: ChildProcess;
}

export const log = (message: string) => process.stderr.write(`[bench federation] ${message}\n`);
export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
export const perSecond = (count: number, ms: number) => round(count / (ms / 1000));

export function percentiles(values: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN, 2);
  return { p50: at(50), p95: at(95), p99: at(99), max: round(sorted.at(-1) ?? NaN, 2) };
}

/**
 * CPU time of the Viewfinder process (all its threads; not Postgres's), in ms,
 * from /proc; null off Linux. Per delivery or activity it is a figure other
 * load on the machine moves much less than a rate.
 */
export function serverCpuMs(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, clock ticks at 100 Hz
  } catch {
    return null;
  }
}

/** Busy CPU time of the whole machine (every process, every core), in ms, from /proc/stat; null off Linux. */
function machineBusyMs(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, _idle, _iowait, irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) * 10; // clock ticks at 100 Hz
  } catch {
    return null;
  }
}

export interface CpuWindow {
  /** Where the cores went while a figure was measured: the server, this bench (client and stub), everything else on the machine. */
  end(): { serverCores: number | null; benchCores: number; otherCores: number | null };
}

/** Starts measuring who used the machine's CPU, so a rate can be read against the load other work put on it. */
export function cpuWindow(serverPid: number | undefined): CpuWindow {
  const started = performance.now();
  const machine = machineBusyMs();
  const server = serverCpuMs(serverPid);
  const bench = process.cpuUsage();
  return {
    end() {
      const wall = performance.now() - started;
      const machineNow = machineBusyMs();
      const serverNow = serverCpuMs(serverPid);
      const benchUsed = process.cpuUsage(bench);
      const benchMs = (benchUsed.user + benchUsed.system) / 1000;
      const serverMs = server === null || serverNow === null ? null : serverNow - server;
      const cores = (ms: number) => round(ms / wall, 2);
      return {
        serverCores: serverMs === null ? null : cores(serverMs),
        benchCores: cores(benchMs),
        otherCores: machine === null || machineNow === null || serverMs === null ? null : cores(Math.max(0, machineNow - machine - serverMs - benchMs)),
      };
    },
  };
}

/** CPU ms per item between two serverCpuMs readings. */
export const cpuPer = (before: number | null, after: number | null, items: number) => (before === null || after === null ? null : round((after - before) / items, 2));

export async function jobCounts(db: Db, types: string[]): Promise<Record<string, number>> {
  const rows: { type: string; n: number | string }[] = await db('jobs').whereIn('type', types).groupBy('type').select('type').count({ n: '*' });
  return Object.fromEntries(types.map((type) => [type, Number(rows.find((r) => r.type === type)?.n ?? 0)]));
}

/** Waits (bounded) until no job of these types is left, so one figure's work does not run into the next. */
export async function settle(db: Db, types: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const counts = await jobCounts(db, types);
    if (Object.values(counts).every((n) => n === 0)) return;
    await sleep(200);
  }
  log(`jobs still queued after ${timeoutMs / 1000} s: ${JSON.stringify(await jobCounts(db, types))}`);
}
