// `viewfinder migrate` run as a child process against each database.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { cliFor } from '../helpers/cli.ts';
import { migrationStatus } from '../../server/db/migrate.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: migrate status, latest and rollback; other commands migrate a fresh database first`, async (t) => {
    const database = await target.create(t, { migrate: false });
    const { db } = database;
    const cli = cliFor(database);
    const { pending: all } = await migrationStatus(db);
    t.true(all.length > 0);

    const before = await cli('migrate', 'status');
    t.is(before.code, 0, before.stderr);
    t.regex(before.stdout, /Completed \(0\)/);
    t.regex(before.stdout, new RegExp(`Pending \\(${all.length}\\)`));
    for (const name of all) t.true(before.stdout.includes(name));

    const latest = await cli('migrate');
    t.is(latest.code, 0, latest.stderr);
    t.deepEqual(latest.stdout.trim().split('\n'), all.map((name) => `applied  ${name}`));
    t.true(await db.schema.hasTable('accounts'));

    const after = await cli('migrate', 'status');
    t.regex(after.stdout, new RegExp(`Completed \\(${all.length}\\)`));
    t.regex(after.stdout, /Pending \(0\)/);

    const rollback = await cli('migrate', 'rollback');
    t.is(rollback.code, 0, rollback.stderr);
    t.deepEqual(rollback.stdout.trim().split('\n').sort(), all.map((name) => `undone   ${name}`).sort());
    t.false(await db.schema.hasTable('accounts'));

    // Documented in --help: commands that use the database bring it up to date first.
    const list = await cli('admin', 'account', 'list');
    t.is(list.code, 0, list.stderr);
    t.regex(list.stderr, new RegExp(`Applied ${all.length} pending migration\\(s\\) first`));
    t.deepEqual((await migrationStatus(db)).pending, []);
  });
}
