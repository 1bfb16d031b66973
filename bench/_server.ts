// A real `viewfinder serve` in a child process for the benches: on a free
// port, its log written to a file (a pipe would make the load generator pay
// for reading it), ready once /healthz answers. Not a scenario (the leading
// underscore keeps it out of `npm run bench`).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const binPath = fileURLToPath(new URL('../bin/viewfinder', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startBenchServer(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  options: { role: 'all' | 'web'; startTimeoutMs: number },
): Promise<{ url: string; child: ChildProcess }> {
  // The port found free may be taken before the server binds it (tests running
  // beside the bench start servers too): then once more on another port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(dataDir, env, options);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function startOnce(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  options: { role: 'all' | 'web'; startTimeoutMs: number },
): Promise<{ url: string; child: ChildProcess }> {
  // A free port chosen here, not read from the log: at --log=warning the server prints nothing on start.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logPath = join(dataDir, 'server.log');
  const logFd = openSync(logPath, 'w');
  // BENCH_NODE_ARGS (e.g. --cpu-prof) go to the server process, for profiling.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, binPath, 'serve', '--role', options.role], {
    cwd: dataDir,
    env: { ...env, VIEWFINDER_PORT: String(port) },
    stdio: ['ignore', 'ignore', logFd],
  });
  closeSync(logFd);
  const output = () => readFileSync(logPath, 'utf8').slice(-2000);
  const deadline = Date.now() + options.startTimeoutMs;
  let lastError: unknown = null;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer /healthz within ${options.startTimeoutMs / 1000} s (${String(lastError)}):\n${output()}`);
    }
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child };
    } catch (error) {
      lastError = error; // not listening yet
    }
    await sleep(100);
  }
}
