import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { migrateLatest, migrateRollback, migrationStatus } from '../../server/db/migrate.ts';

const coreTables = ['accounts', 'users', 'oauth_apps', 'oauth_tokens', 'posts', 'media', 'follows', 'likes', 'home_feed', 'notifications', 'jobs', 'kv'];

for (const target of await databaseTargets()) {
  test(`${target.name}: migrations run up, down and up again`, async (t) => {
    const { db } = await target.create(t, { migrate: false });
    const applied = await migrateLatest(db);
    t.true(applied.length >= 5);
    for (const table of coreTables) t.true(await db.schema.hasTable(table), `${table} exists after up`);
    t.deepEqual((await migrationStatus(db)).pending, []);

    const undone = await migrateRollback(db, true);
    t.deepEqual([...undone].sort(), [...applied].sort());
    for (const table of coreTables) t.false(await db.schema.hasTable(table), `${table} is gone after down`);
    t.is((await migrationStatus(db)).pending.length, applied.length);

    t.deepEqual(await migrateLatest(db), applied);
    t.true(await db.schema.hasTable('home_feed'));
  });

  test(`${target.name}: usernames are unique case-insensitively per domain`, async (t) => {
    const { db } = await target.create(t);
    const row = (id: number, username: string, domain: string | null) => ({ id, username, domain, created_at: Date.now(), updated_at: Date.now() });
    await db('accounts').insert(row(1, 'Alice', null));
    await t.throwsAsync(db('accounts').insert(row(2, 'alice', null)));
    await db('accounts').insert(row(3, 'alice', 'remote.example'));
    await t.throwsAsync(db('accounts').insert(row(4, 'ALICE', 'Remote.Example')));
    t.is((await db('accounts').count({ n: '*' }))[0]!.n, 2);
  });

  test(`${target.name}: 53-bit ids come back as exact numbers`, async (t) => {
    const { db } = await target.create(t);
    const id = 2 ** 53 - 17;
    await db('accounts').insert({ id, username: 'big', created_at: Date.now(), updated_at: Date.now() });
    const found = await db('accounts').where({ id }).first();
    t.is(found.id, id);
    t.is(typeof found.id, 'number');
  });
}
