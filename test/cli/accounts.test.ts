// `viewfinder admin account …` run as a child process against each database.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { cliFor } from '../helpers/cli.ts';
import { verifyPassword } from '../../server/services/accounts/passwords.ts';

/** The rows of `admin account list`'s table, keyed by username. */
function parseTable(stdout: string): Map<string, Record<string, string>> {
  const [header, ...lines] = stdout.trim().split('\n');
  const names = header!.trim().split(/\s{2,}/);
  return new Map(
    lines.map((line) => {
      const cells = line.trim().split(/\s{2,}/);
      const row = Object.fromEntries(names.map((name, i) => [name, cells[i]!]));
      return [row.username!, row];
    }),
  );
}

const passwordOf = (stdout: string) => /^New password: (\S+)$/m.exec(stdout)?.[1];

for (const target of await databaseTargets()) {
  test(`${target.name}: create lists the account, prints a working password, and refuses duplicates and bad input`, async (t) => {
    const database = await target.create(t);
    const { db } = database;
    const cli = cliFor(database);

    const created = await cli('admin', 'account', 'create', 'alice', '--email', 'a@example.com');
    t.is(created.code, 0, created.stderr);
    const password = passwordOf(created.stdout);
    t.truthy(password, 'a generated password is printed');
    const user = await db('users').join('accounts', 'accounts.id', 'users.account_id').where('accounts.username', 'alice').first();
    t.true(await verifyPassword(password!, user.password_hash));
    t.truthy(user.approved);
    t.truthy(user.confirmed_at);
    t.is(user.role, 'user');

    const list = await cli('admin', 'account', 'list');
    t.is(list.code, 0, list.stderr);
    t.like(parseTable(list.stdout).get('alice'), { email: 'a@example.com', role: 'user', state: 'active' });

    // Independent failures, run side by side to keep the test quick.
    const [duplicate, sameEmail, badName, badRole] = await Promise.all([
      cli('admin', 'account', 'create', 'ALICE', '--password', 'long enough'),
      cli('admin', 'account', 'create', 'alice2', '--email', 'A@Example.com'),
      cli('admin', 'account', 'create', 'bad-name!'),
      cli('admin', 'account', 'create', 'bob', '--role', 'superuser'),
    ]);
    t.not(duplicate.code, 0);
    t.regex(duplicate.stderr, /already taken/);
    t.not(sameEmail.code, 0);
    t.regex(sameEmail.stderr, /already in use/);
    t.not(badName.code, 0);
    t.regex(badName.stderr, /letters, numbers and underscores/);
    t.not(badRole.code, 0);
    t.regex(badRole.stderr, /--role.*superuser.*user, moderator, admin/);
    for (const failed of [duplicate, sameEmail, badName, badRole]) t.is(passwordOf(failed.stdout), undefined);

    const accounts = await db('accounts').select('username');
    t.deepEqual(accounts.map((a) => a.username), ['alice'], 'nothing but alice was written');
    t.is((await db('users').count({ n: '*' }))[0]!.n, 1);
  });

  test(`${target.name}: promote, demote, suspend, unsuspend and reset-password`, async (t) => {
    const database = await target.create(t);
    const { db } = database;
    const cli = cliFor(database);
    t.is((await cli('admin', 'account', 'create', 'carol', '--password', 'first password')).code, 0);
    t.is((await cli('admin', 'account', 'promote', 'carol')).code, 0);
    t.is((await cli('admin', 'account', 'promote', 'Carol')).code, 0, 'usernames match in any case');
    const admins = await cli('admin', 'account', 'list', '--role', 'admin');
    t.deepEqual([...parseTable(admins.stdout).keys()], ['carol']);
    t.like(parseTable(admins.stdout).get('carol'), { role: 'admin', state: 'active' });

    t.is((await cli('admin', 'account', 'demote', 'carol')).code, 0);
    t.is((await cli('admin', 'account', 'suspend', 'carol')).code, 0);
    const afterSuspend = await cli('admin', 'account', 'list', '--json');
    t.like(JSON.parse(afterSuspend.stdout)[0], { username: 'carol', role: 'moderator', state: 'suspended' });
    t.is((await cli('admin', 'account', 'unsuspend', 'carol')).code, 0);
    t.is((await db('accounts').first('suspended_at')).suspended_at, null);

    // A token and a session from before the reset must stop working.
    const { id: userId } = await db('users').first('id');
    const now = Date.now();
    await db('oauth_apps').insert({ id: 1, name: 'app', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read', client_id: 'c', client_secret_hash: 'x', created_at: now });
    await db('oauth_tokens').insert({ id: 2, app_id: 1, user_id: userId, token_hash: 't', scopes: 'read', created_at: now });
    await db('sessions').insert({ id: 3, user_id: userId, token_hash: 's', expires_at: now + 60_000, created_at: now });

    const [reset, missing] = await Promise.all([cli('admin', 'account', 'reset-password', 'carol'), cli('admin', 'account', 'suspend', 'nobody')]);
    t.is(reset.code, 0, reset.stderr);
    const hash = (await db('users').first('password_hash')).password_hash;
    t.true(await verifyPassword(passwordOf(reset.stdout)!, hash));
    t.false(await verifyPassword('first password', hash));
    t.is((await db('oauth_tokens').count({ n: '*' }))[0]!.n, 0);
    t.is((await db('sessions').count({ n: '*' }))[0]!.n, 0);

    t.not(missing.code, 0);
    t.regex(missing.stderr, /No local user named "nobody"/);
  });
}
