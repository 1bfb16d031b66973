import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/load.ts';
import { tempDir } from '../helpers/databases.ts';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

test('defaults: port 3000, SQLite in ./data, public URL on localhost', (t) => {
  const cwd = tempDir(t);
  const config = loadConfig({ env: {}, cwd });
  t.is(config.port, 3000);
  t.is(config.publicUrl, 'http://localhost:3000');
  t.is(config.domain, 'localhost:3000');
  t.is(config.dataDir, join(cwd, 'data'));
  t.deepEqual(config.database, { client: 'sqlite', filename: join(cwd, 'data', 'viewfinder.sqlite') });
  t.is(config.registrations, 'approval');
  t.true(config.rateLimits);
  t.false(config.trustProxy);
});

test('a bad VIEWFINDER_PORT stops start-up with a message naming the key', (t) => {
  const problems = problemsOf(() => loadConfig({ env: { VIEWFINDER_PORT: 'eighty' }, cwd: tempDir(t), persistSecret: false }));
  t.is(problems.length, 1);
  t.regex(problems[0]!, /^VIEWFINDER_PORT: must be a number/);
  t.regex(problemsOf(() => loadConfig({ env: { VIEWFINDER_PORT: '70000' }, cwd: tempDir(t), persistSecret: false }))[0]!, /^VIEWFINDER_PORT: must be at most 65535/);
});

test('a malformed DATABASE_URL stops start-up with a message naming the key', (t) => {
  for (const url of ['mysql://localhost/db', 'sqlite://relative', 'sqlite:', 'postgres://']) {
    const problems = problemsOf(() => loadConfig({ env: { DATABASE_URL: url }, cwd: tempDir(t), persistSecret: false }));
    t.regex(problems.join('\n'), /^DATABASE_URL: /m, url);
  }
});

test('every problem is reported at once, each naming its key', (t) => {
  const problems = problemsOf(() =>
    loadConfig({ env: { VIEWFINDER_PORT: '-1', VIEWFINDER_REGISTRATIONS: 'sometimes', VIEWFINDER_RATE_LIMITS: 'maybe', REDIS_URL: 'http://x' }, cwd: tempDir(t), persistSecret: false }),
  );
  t.deepEqual(
    problems.map((p) => p.split(':')[0]),
    ['VIEWFINDER_PORT', 'REDIS_URL', 'VIEWFINDER_REGISTRATIONS', 'VIEWFINDER_RATE_LIMITS'],
  );
});

test('SQLite and Postgres URL forms', (t) => {
  const cwd = tempDir(t);
  t.deepEqual(loadConfig({ env: { DATABASE_URL: 'sqlite:db/main.sqlite' }, cwd }).database, { client: 'sqlite', filename: join(cwd, 'data', 'db', 'main.sqlite') });
  t.deepEqual(loadConfig({ env: { DATABASE_URL: 'sqlite:///var/lib/vf.sqlite' }, cwd }).database, { client: 'sqlite', filename: '/var/lib/vf.sqlite' });
  const pg = loadConfig({ env: { DATABASE_URL: 'postgres://vf:secret@db.internal:5432/viewfinder?schema=s1' }, cwd }).database;
  t.deepEqual(pg, { client: 'pg', connectionString: 'postgres://vf:secret@db.internal:5432/viewfinder', schema: 's1' });
});

test('precedence: defaults < config file < environment', (t) => {
  const cwd = tempDir(t);
  mkdirSync(join(cwd, 'config'));
  writeFileSync(join(cwd, 'config', 'viewfinder.json'), JSON.stringify({ port: 4000, registrations: 'open', publicUrl: 'https://photos.example' }));
  const fromFile = loadConfig({ env: {}, cwd });
  t.is(fromFile.port, 4000);
  t.is(fromFile.registrations, 'open');
  t.is(fromFile.domain, 'photos.example');
  const fromEnv = loadConfig({ env: { VIEWFINDER_PORT: '5000' }, cwd });
  t.is(fromEnv.port, 5000);
  t.is(fromEnv.registrations, 'open');

  const other = join(cwd, 'other.json');
  writeFileSync(other, JSON.stringify({ port: 'x', colour: 'blue' }));
  const problems = problemsOf(() => loadConfig({ env: { VIEWFINDER_CONFIG: other }, cwd, persistSecret: false }));
  t.true(problems.some((p) => p.startsWith('VIEWFINDER_PORT (config file key "port")')));
  t.true(problems.some((p) => p.includes('unknown key "colour"')));
  t.regex(problemsOf(() => loadConfig({ env: { VIEWFINDER_CONFIG: join(cwd, 'missing.json') }, cwd }))[0]!, /^VIEWFINDER_CONFIG: no file/);
});

test('the secret key is generated once into the data dir and reused', (t) => {
  const cwd = tempDir(t);
  const first = loadConfig({ env: {}, cwd }).secretKey;
  t.true(first.length >= 32);
  t.true(existsSync(join(cwd, 'data', 'secret.key')));
  t.is(loadConfig({ env: {}, cwd }).secretKey, first);
  t.is(readFileSync(join(cwd, 'data', 'secret.key'), 'utf8').trim(), first);
  t.is(loadConfig({ env: { VIEWFINDER_SECRET_KEY: 'x'.repeat(40) }, cwd }).secretKey, 'x'.repeat(40));
});

test('private addresses are allowed only for an http:// local trial', (t) => {
  const cwd = tempDir(t);
  t.true(loadConfig({ env: { VIEWFINDER_ALLOW_PRIVATE_ADDRESSES: 'true', VIEWFINDER_PUBLIC_URL: 'http://127.0.0.1:3001' }, cwd }).allowPrivateAddresses);
  const problems = problemsOf(() => loadConfig({ env: { VIEWFINDER_ALLOW_PRIVATE_ADDRESSES: 'true', VIEWFINDER_PUBLIC_URL: 'https://photos.example' }, cwd }));
  t.regex(problems[0]!, /^VIEWFINDER_ALLOW_PRIVATE_ADDRESSES: /);
  t.regex(problemsOf(() => loadConfig({ env: { VIEWFINDER_PUBLIC_URL: 'https://photos.example/app' }, cwd }))[0]!, /^VIEWFINDER_PUBLIC_URL: /);
});

test('home feed numbers: 800 entries, batches of 1,000, a trim in 32 by default; each one settable and checked', (t) => {
  const cwd = tempDir(t);
  t.deepEqual(loadConfig({ env: {}, cwd, persistSecret: false }).homeFeed, { size: 800, fanoutBatch: 1000, trimOneIn: 32 });
  const env = { VIEWFINDER_HOME_FEED_SIZE: '400', VIEWFINDER_HOME_FEED_FANOUT_BATCH: '250', VIEWFINDER_HOME_FEED_TRIM_ONE_IN: '1' };
  t.deepEqual(loadConfig({ env, cwd, persistSecret: false }).homeFeed, { size: 400, fanoutBatch: 250, trimOneIn: 1 });
  const problems = problemsOf(() => loadConfig({ env: { VIEWFINDER_HOME_FEED_SIZE: '5', VIEWFINDER_HOME_FEED_FANOUT_BATCH: 'lots', VIEWFINDER_HOME_FEED_TRIM_ONE_IN: '0' }, cwd, persistSecret: false }));
  t.is(problems.length, 3);
  t.regex(problems[0]!, /^VIEWFINDER_HOME_FEED_SIZE: must be at least 20/);
  t.regex(problems[1]!, /^VIEWFINDER_HOME_FEED_FANOUT_BATCH: must be a number/);
  t.regex(problems[2]!, /^VIEWFINDER_HOME_FEED_TRIM_ONE_IN: must be at least 1/);
});
