// `viewfinder serve` flags and signals. (test/server/serve.test.ts covers what
// the server does; this covers the command: --port/--host/--role reach it and
// SIGINT stops it cleanly with exit code 0.)
import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { tempDir } from '../helpers/databases.ts';
import { viewfinderBin } from '../helpers/cli.ts';

test('serve --port 0 --host 127.0.0.1 --role web listens there and stops on SIGINT with exit code 0', async (t) => {
  const dataDir = tempDir(t);
  const child = spawn(process.execPath, [viewfinderBin, 'serve', '--port', '0', '--host', '127.0.0.1', '--role', 'web'], {
    cwd: dataDir,
    // VIEWFINDER_PORT would make the server listen elsewhere if --port were ignored.
    env: { PATH: process.env.PATH, VIEWFINDER_DATA_DIR: dataDir, VIEWFINDER_PORT: '1', VIEWFINDER_HOST: '0.0.0.0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit');

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Ready at" line in:\n${output}`)), 30_000);
    child.stderr.on('data', () => {
      const match = /Ready at '?(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', () => reject(new Error(`exited early:\n${output}`)));
  });
  t.not(new URL(url).port, '1');
  t.is((await fetch(`${url}/healthz`)).status, 200);

  child.kill('SIGINT');
  const [code] = await exited;
  t.is(code, 0, output);
  t.regex(output, /Stopped/);
});
