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
  /** Seconds each figure may take before the bench gives up. */
  timeout: number;
  db: string;
  log: string;
  pg: string;
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
