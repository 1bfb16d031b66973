// Every SQLite statement's parameters are written `+?` (server/db/knex.ts) so
// SQLite does not re-plan it on every run; the results must not change:
// comparisons convert values as with a bare `?`; a `?` inside a string
// literal is text, not a parameter.
import test from 'ava';
import { withPlainParameters } from '../../server/db/knex.ts';
import { databaseTargets } from '../helpers/databases.ts';

const targets = await databaseTargets();

test('parameters outside string literals become +?; literals and +? stay as they are', (t) => {
  t.is(withPlainParameters('select * from `kv` where `key` = ? and x in (?, ?) limit ?'), 'select * from `kv` where `key` = +? and x in (+?, +?) limit +?');
  t.is(withPlainParameters("select '?' as q, 'it''s ?' as r where a = ?"), "select '?' as q, 'it''s ?' as r where a = +?");
  t.is(withPlainParameters('select 1 where a = +?'), 'select 1 where a = +?');
  t.is(withPlainParameters('select 1'), 'select 1');
});

for (const target of targets) {
  test(`${target.name}: lookups, conversions and literals answer as before`, async (t) => {
    const { db } = await target.create(t);
    await db.schema.createTable('probe', (table) => {
      table.bigInteger('id').primary();
      table.text('name').index();
      table.float('score');
    });
    await db('probe').insert([
      { id: 5, name: 'five', score: 1.5 },
      { id: 6, name: '6', score: 2 },
    ]);
    t.is((await db('probe').where('id', 5).first())?.name, 'five');
    t.deepEqual((await db('probe').whereIn('id', [5, 6]).orderBy('id').select('name')).map((r) => r.name), ['five', '6']);
    t.is((await db('probe').where('name', '6').first())?.id, 6);
    t.is((await db('probe').where('score', '>', 1.75).first())?.id, 6);
    t.deepEqual(await db('probe').where('id', 7).select('id'), []);
    // Inserts and updates through +? store the values unchanged.
    await db('probe').where('id', 6).update({ name: 'six', score: 3 });
    t.like(await db('probe').where('id', 6).first(), { name: 'six', score: 3 });
  });
}
