// The account service in-process, for the rules the CLI tests do not spell out.
import test from 'ava';
import { databaseTargets } from '../../helpers/databases.ts';
import { AppError } from '../../../server/errors.ts';
import { createLocalAccount, demote, findLocalUser, promote, resetPassword, setRole, suspend, unsuspend } from '../../../server/services/accounts/admin-accounts.service.ts';
import { verifyPassword } from '../../../server/services/accounts/passwords.ts';

const unprocessable = (message: RegExp) => ({ instanceOf: AppError, message });

for (const target of await databaseTargets()) {
  test(`${target.name}: a created account is local, confirmed, approved and keeps its spelling`, async (t) => {
    const { db } = await target.create(t);
    const created = await createLocalAccount(db, { username: 'Dana_K', email: ' Dana@Example.com ', password: 'a fine password', role: 'moderator' });
    t.is(created.generatedPassword, null);
    t.like(created.account, { username: 'Dana_K', domain: null, suspendedAt: null, locked: false });
    t.like(created.user, { accountId: created.account.id, email: 'Dana@Example.com', role: 'moderator', approved: true });
    t.true(created.user.confirmedAt! > 0);
    const found = await findLocalUser(db, 'dana_k');
    t.is(found.user.id, created.user.id);
    t.true(await verifyPassword('a fine password', found.user.passwordHash));
  });

  test(`${target.name}: duplicates and bad input are 422s that write nothing`, async (t) => {
    const { db } = await target.create(t);
    await createLocalAccount(db, { username: 'erin', email: 'erin@example.com' });
    await t.throwsAsync(createLocalAccount(db, { username: 'ERIN' }), unprocessable(/"ERIN" is already taken/));
    await t.throwsAsync(createLocalAccount(db, { username: 'erin2', email: 'ERIN@example.COM' }), unprocessable(/already in use/));
    const error = await t.throwsAsync(createLocalAccount(db, { username: 'no way', email: 'nope', password: 'short' }));
    t.is((error as AppError).status, 422);
    t.is(((error as AppError).details?.problems as string[]).length, 3, 'every problem reported at once');
    await t.throwsAsync(createLocalAccount(db, { username: 'frank', role: 'owner' as never }), unprocessable(/Role must be one of/));
    t.is((await db('accounts').count({ n: '*' }))[0]!.n, 1);
    t.is((await db('users').count({ n: '*' }))[0]!.n, 1);
  });

  test(`${target.name}: roles step one at a time and stop at either end`, async (t) => {
    const { db } = await target.create(t);
    await createLocalAccount(db, { username: 'gus' });
    await t.throwsAsync(demote(db, 'gus'), unprocessable(/already a user, the lowest role/));
    t.deepEqual(await promote(db, 'gus'), { previous: 'user', role: 'moderator' });
    t.deepEqual(await promote(db, 'gus'), { previous: 'moderator', role: 'admin' });
    await t.throwsAsync(promote(db, 'gus'), unprocessable(/already an admin, the highest role/));
    t.deepEqual(await setRole(db, 'gus', 'user'), { previous: 'admin', role: 'user' });
    await t.throwsAsync(promote(db, 'nobody'), { instanceOf: AppError, message: /No local user named "nobody"/ });
  });

  test(`${target.name}: suspending twice or lifting a missing suspension changes nothing`, async (t) => {
    const { db } = await target.create(t);
    await createLocalAccount(db, { username: 'hana' });
    t.true(await suspend(db, 'hana'));
    const { account } = await findLocalUser(db, 'hana');
    t.false(await suspend(db, 'hana'));
    t.is((await findLocalUser(db, 'hana')).account.suspendedAt, account.suspendedAt, 'the first suspension time stays');
    t.true(await unsuspend(db, 'hana'));
    t.false(await unsuspend(db, 'hana'));
  });

  test(`${target.name}: a password reset refuses a short password and keeps the old one`, async (t) => {
    const { db } = await target.create(t);
    await createLocalAccount(db, { username: 'ivan', password: 'original password' });
    await t.throwsAsync(resetPassword(db, 'ivan', 'short'), unprocessable(/at least 8/));
    t.true(await verifyPassword('original password', (await findLocalUser(db, 'ivan')).user.passwordHash));
    const { password } = await resetPassword(db, 'ivan', 'chosen password');
    t.is(password, 'chosen password');
    t.true(await verifyPassword('chosen password', (await findLocalUser(db, 'ivan')).user.passwordHash));
  });
}
