// Runs the real `viewfinder` command in a child process, the way an operator
// does, with an environment that holds only what the test gives it (no
// VIEWFINDER_* or DATABASE_URL leaking in from the developer's shell).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from './databases.ts';

export const viewfinderBin = fileURLToPath(new URL('../../bin/viewfinder', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  /** Working directory; config/viewfinder.json is looked up here. Default: a directory without one. */
  cwd?: string;
}

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(VIEWFINDER_|DATABASE_URL$|REDIS_URL$)/.test(key)) env[key] = value;
  }
  return env;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [viewfinderBin, ...args],
      { env: { ...baseEnv(), ...options.env }, cwd: options.cwd ?? options.env?.VIEWFINDER_DATA_DIR ?? fileURLToPath(new URL('.', import.meta.url)), timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error); // failed to start, or killed by the timeout
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** The environment that points the CLI at a test database. */
export function cliEnv(database: Pick<TestDatabase, 'url' | 'dataDir'>, extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: database.url, VIEWFINDER_DATA_DIR: database.dataDir, ...extra };
}

/** A CLI bound to one test database. */
export function cliFor(database: Pick<TestDatabase, 'url' | 'dataDir'>): (...args: string[]) => Promise<CliResult> {
  return (...args) => runCli(args, { env: cliEnv(database) });
}
