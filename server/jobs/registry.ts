// Which job types this process can run. A worker claims only the types
// registered at claim time, so a process never takes a job it cannot run
// (e.g. a web-only build without ffmpeg leaves media jobs to the workers).
import type { Db } from '../db/knex.ts';

export interface JobContext {
  jobId: number;
  type: string;
  /** 1-based. */
  attempt: number;
  maxAttempts: number;
  /** Fires when the worker stops or the job's lease was lost: finish or throw soon. */
  signal: AbortSignal;
  db: Db;
}

export type JobHandler<P = any> = (payload: P, ctx: JobContext) => Promise<void>;

export interface JobDefinition<P = any> {
  handler: JobHandler<P>;
  /** Overrides the attempts stored with each job of this type. */
  maxAttempts?: number;
  /** First retry delay (default 1 s); doubles per attempt. */
  backoffBaseMs?: number;
  /** Longest retry delay (default 1 h). */
  backoffMaxMs?: number;
}

export class JobRegistry {
  #definitions = new Map<string, JobDefinition>();

  register<P>(type: string, def: JobDefinition<P> | JobHandler<P>): void {
    if (this.#definitions.has(type)) throw new Error(`job type ${type} is already registered`);
    this.#definitions.set(type, typeof def === 'function' ? { handler: def } : def);
  }

  unregister(type: string): void {
    this.#definitions.delete(type);
  }

  get(type: string): JobDefinition | undefined {
    return this.#definitions.get(type);
  }

  types(): string[] {
    return [...this.#definitions.keys()];
  }
}
