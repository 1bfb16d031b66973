// SQLite transactions take the write lock when they begin (server/db/knex.ts
// sends BEGIN IMMEDIATE). A transaction that reads before it writes, as most
// services do (check a name is free, then insert), would otherwise fail with
// SQLITE_BUSY at its first write whenever the other thread's connection wrote
// in between: busy_timeout cannot help a read snapshot that must become a
// write. Checked with a worker thread writing all along, as the job thread does.
import test from 'ava';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { openDatabase } from '../../server/db/knex.ts';
import { databaseTargets } from '../helpers/databases.ts';

const sqlite = (await databaseTargets()).find((target) => target.name === 'sqlite')!;

// The other connection: autocommit inserts, one after another, until told to stop.
const WRITER = `
  const { parentPort, workerData } = require('node:worker_threads');
  const Database = require(workerData.driver);
  const db = new Database(workerData.filename);
  db.pragma('busy_timeout = 10000');
  const insert = db.prepare('insert into counters (name, n) values (?, 0)');
  let stop = false, i = 0;
  parentPort.on('message', () => { stop = true; });
  parentPort.postMessage('started');
  (function loop() {
    for (let k = 0; k < 20; k++) insert.run('w' + i++);
    if (stop) { db.close(); parentPort.postMessage(i); } else setImmediate(loop);
  })();
`;

test('a transaction that reads, then writes, while another connection keeps writing, commits', async (t) => {
  const { config } = await sqlite.create(t, { migrate: false });
  const db = openDatabase(config);
  t.teardown(() => db.destroy());
  await db.schema.createTable('counters', (table) => {
    table.increments('id');
    table.text('name').unique();
    table.integer('n').notNullable();
  });
  const writer = new Worker(WRITER, { eval: true, workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), filename: (config as { filename: string }).filename } });
  t.teardown(() => writer.terminate());
  await new Promise((resolve) => writer.once('message', resolve));
  const failures: string[] = [];
  for (let i = 0; i < 200; i++) {
    try {
      await db.transaction(async (trx) => {
        const taken = await trx('counters').where({ name: `main${i}` }).first();
        // Let the writer commit between this transaction's read and its write.
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (!taken) await trx('counters').insert({ name: `main${i}`, n: i });
      });
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  writer.postMessage('stop');
  const written = await new Promise<number>((resolve) => writer.on('message', resolve));
  t.deepEqual(failures.slice(0, 3), []);
  t.is(Number((await db('counters').where('name', 'like', 'main%').count({ n: '*' }).first())?.n), 200);
  t.true(written > 0, 'the other connection wrote meanwhile');
});
