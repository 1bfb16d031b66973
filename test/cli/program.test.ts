// The command line itself: help, usage errors and configuration errors. None
// of these reach a database.
import test from 'ava';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/databases.ts';

const commands = [
  'serve',
  'migrate',
  'admin account create',
  'admin account list',
  'admin account promote',
  'admin account demote',
  'admin account suspend',
  'admin account unsuspend',
  'admin account reset-password',
  'jobs list',
  'jobs retry',
  'jobs purge-dead',
];

test('--help lists every command, and each command has its own help', async (t) => {
  const [top, create, retry] = await Promise.all([runCli(['--help']), runCli(['admin', 'account', 'create', '--help']), runCli(['jobs', 'retry', '--help'])]);
  t.is(top.code, 0);
  for (const command of commands) t.true(top.stdout.includes(`viewfinder ${command} `), `help names "${command}"`);
  t.is(create.code, 0);
  t.regex(create.stdout, /Usage: viewfinder admin account create \[options\] <username>/);
  t.regex(create.stdout, /--role <role>/);
  t.regex(create.stdout, /apply any pending migrations/);
  t.is(retry.code, 0);
  t.regex(retry.stdout, /--all-dead/);
});

test('unknown commands and options, and bad arguments, fail with a message', async (t) => {
  const [unknown, unknownOption, badLimit, noIds, nothing] = await Promise.all([
    runCli(['frobnicate']),
    runCli(['migrate', '--frobnicate']),
    runCli(['admin', 'account', 'list', '--limit', 'lots']),
    runCli(['jobs', 'retry']),
    runCli([]),
  ]);
  t.not(unknown.code, 0);
  t.regex(unknown.stderr, /unknown command 'frobnicate'/);
  t.regex(unknown.stderr, /--help/);
  t.not(unknownOption.code, 0);
  t.regex(unknownOption.stderr, /unknown option '--frobnicate'/);
  t.not(badLimit.code, 0);
  t.regex(badLimit.stderr, /--limit.*lots.*whole number/);
  t.not(noIds.code, 0);
  t.regex(noIds.stderr, /--all-dead/);
  t.not(nothing.code, 0);
  t.regex(nothing.stderr, /Usage: viewfinder/);
});

test('configuration errors name the setting and show no stack trace', async (t) => {
  const dataDir = tempDir(t);
  const [badPort, badUrl] = await Promise.all([
    runCli(['migrate', 'status'], { env: { VIEWFINDER_DATA_DIR: dataDir, VIEWFINDER_PORT: 'abc' } }),
    runCli(['admin', 'account', 'list'], { env: { VIEWFINDER_DATA_DIR: dataDir, DATABASE_URL: 'mysql://x' } }),
  ]);
  t.is(badPort.code, 1);
  t.regex(badPort.stderr, /VIEWFINDER_PORT: must be a number/);
  t.is(badUrl.code, 1);
  t.regex(badUrl.stderr, /DATABASE_URL: must start with sqlite: or postgres:\/\//);
  for (const { stderr } of [badPort, badUrl]) t.notRegex(stderr, /\n\s+at /, 'no stack trace');
});

test('an unreachable database is one line on stderr, with the stack only at log level debug', async (t) => {
  const env = { VIEWFINDER_DATA_DIR: tempDir(t), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
  const [plain, debug] = await Promise.all([
    runCli(['admin', 'account', 'list'], { env }),
    runCli(['admin', 'account', 'list'], { env: { ...env, VIEWFINDER_LOG_LEVEL: 'debug' } }),
  ]);
  t.is(plain.code, 1);
  t.regex(plain.stderr, /^error: .*ECONNREFUSED/m);
  t.is(debug.code, 1);
  t.regex(debug.stderr, /\n\s+at /);
});
