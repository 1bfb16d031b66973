// `viewfinder admin account approve|reject`, `admin invite …`, `admin registrations …` as child processes.
import test from 'ava';
import { loadConfig } from '../../config/load.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { cliFor } from '../helpers/cli.ts';
import { registerAccount, registrationMode } from '../../server/services/accounts/registration.service.ts';
import { AppError } from '../../server/errors.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: registrations shows and sets the mode; the stored mode wins over the environment`, async (t) => {
    const database = await target.create(t);
    const cli = cliFor(database);
    const shown = await cli('admin', 'registrations');
    t.is(shown.code, 0, shown.stderr);
    t.is(shown.stdout.trim(), 'Registrations: approval');
    const set = await cli('admin', 'registrations', 'invite');
    t.is(set.code, 0, set.stderr);
    const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: database.dataDir, VIEWFINDER_REGISTRATIONS: 'open' }, cwd: database.dataDir, persistSecret: false });
    t.is(await registrationMode(database.db, config), 'invite');
    const bad = await cli('admin', 'registrations', 'sometimes');
    t.not(bad.code, 0);
    t.regex(bad.stderr, /open, approval, invite, closed/);
  });

  test(`${target.name}: approve lets a pending account in; reject deletes it; neither touches approved accounts`, async (t) => {
    const database = await target.create(t);
    const { db } = database;
    const cli = cliFor(database);
    const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: database.dataDir }, cwd: database.dataDir, persistSecret: false });
    await registerAccount(db, config, { username: 'penny', password: 'a long password' });
    await registerAccount(db, config, { username: 'spam', email: 'spam@example.com', password: 'a long password' });

    const listed = await cli('admin', 'account', 'list');
    t.regex(listed.stdout, /penny.*pending/);
    const approved = await cli('admin', 'account', 'approve', 'Penny');
    t.is(approved.code, 0, approved.stderr);
    t.truthy((await db('users').join('accounts', 'accounts.id', 'users.account_id').where('accounts.username', 'penny').first()).approved);
    t.regex((await cli('admin', 'account', 'approve', 'penny')).stdout, /already approved/);
    const rejectApproved = await cli('admin', 'account', 'reject', 'penny');
    t.not(rejectApproved.code, 0);
    t.regex(rejectApproved.stderr, /not waiting for approval/);

    const rejected = await cli('admin', 'account', 'reject', 'spam');
    t.is(rejected.code, 0, rejected.stderr);
    t.falsy(await db('accounts').where({ username: 'spam' }).first());
    t.is(Number((await db('users').count({ n: '*' }).first())!.n), 1);
    // Name and address are free again.
    await registerAccount(db, config, { username: 'spam', email: 'spam@example.com', password: 'a long password' });
    t.not((await cli('admin', 'account', 'approve', 'nobody')).code, 0);
  });

  test(`${target.name}: invite create prints a code and link that sign-up accepts; list and revoke`, async (t) => {
    const database = await target.create(t);
    const { db } = database;
    const cli = cliFor(database);
    const noAdmin = await cli('admin', 'invite', 'create');
    t.not(noAdmin.code, 0);
    t.regex(noAdmin.stderr, /admin account/);
    t.is((await cli('admin', 'account', 'create', 'boss', '--role', 'admin')).code, 0);

    const created = await cli('admin', 'invite', 'create', '--max-uses', '1', '--expires-in-days', '7');
    t.is(created.code, 0, created.stderr);
    const code = /^Invite code: (\S+)$/m.exec(created.stdout)![1]!;
    t.regex(created.stdout, new RegExp(`^Sign-up link: http://localhost:\\d+/auth/sign_up\\?invite_code=${code}$`, 'm'));
    t.is((await cli('admin', 'invite', 'create', '--max-uses', '0')).code === 0, false, 'max uses must be at least 1');

    const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: database.dataDir, VIEWFINDER_REGISTRATIONS: 'invite' }, cwd: database.dataDir, persistSecret: false });
    const { user } = await registerAccount(db, config, { username: 'ivy', password: 'a long password', inviteCode: code });
    t.true(user.approved);

    const list = await cli('admin', 'invite', 'list');
    t.regex(list.stdout, new RegExp(`${code}\\s+used up\\s+1\\s+1`));
    const other = /^Invite code: (\S+)$/m.exec((await cli('admin', 'invite', 'create')).stdout)![1]!;
    const revoked = await cli('admin', 'invite', 'revoke', other);
    t.is(revoked.code, 0, revoked.stderr);
    t.regex((await cli('admin', 'invite', 'list')).stdout, new RegExp(`${other}\\s+revoked`));
    await t.throwsAsync(registerAccount(db, config, { username: 'iris', password: 'a long password', inviteCode: other }), { instanceOf: AppError });
    t.not((await cli('admin', 'invite', 'revoke', other)).code, 0, 'revoking twice says so');
  });
}
