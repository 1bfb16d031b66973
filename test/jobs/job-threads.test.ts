// VIEWFINDER_JOB_THREADS: `serve --role all` runs that many job worker
// threads (docs/decisions/0009). Seen from outside: with one job at a time per
// thread, two slow jobs (remote files that take their time) are fetched at
// once only when there are two threads.
import test from 'ava';
import { createServer, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig } from '../../config/load.ts';
import { addRemoteMedia } from '../../server/services/media/remote-media.service.ts';
import { serve } from '../../server/serve.ts';
import { databaseTargets, tempDir } from '../helpers/databases.ts';
import { attachment, insertRemoteAuthor, insertRemotePost } from '../services/media/remote-media-fixtures.ts';

const targets = await databaseTargets();

test('VIEWFINDER_JOB_THREADS defaults to one thread, takes a small count, and a bad value names the key', (t) => {
  const base = { VIEWFINDER_DATA_DIR: tempDir(t) };
  t.is(loadConfig({ env: base, persistSecret: false }).jobs.threads, 1);
  t.is(loadConfig({ env: { ...base, VIEWFINDER_JOB_THREADS: '3' }, persistSecret: false }).jobs.threads, 3);
  for (const bad of ['0', '2.5', 'many', '100']) {
    const error = t.throws(() => loadConfig({ env: { ...base, VIEWFINDER_JOB_THREADS: bad }, persistSecret: false }), { instanceOf: ConfigError });
    t.regex(error?.message ?? '', /VIEWFINDER_JOB_THREADS/);
  }
});

for (const target of targets) {
  test(`${target.name}: with two job threads of one job each, two slow remote files are fetched at the same time`, async (t) => {
    const database = await target.create(t);
    // The remote server: holds every request until the test lets go.
    const waiting: ServerResponse[] = [];
    const remote = createServer((_req, res) => void waiting.push(res));
    remote.listen(0, '127.0.0.1');
    await once(remote, 'listening');
    const release = () => {
      for (const res of waiting.splice(0)) res.writeHead(404).end();
    };
    t.teardown(() => {
      release();
      remote.closeAllConnections();
      return new Promise<void>((resolve) => remote.close(() => resolve()));
    });
    const base = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;

    const author = await insertRemoteAuthor(database.db);
    const postId = await insertRemotePost(database.db, author.id);
    await database.db.transaction((trx) => addRemoteMedia(trx, { accountId: author.id, postId, attachments: [attachment(`${base}/1.jpg`), attachment(`${base}/2.jpg`)] }));

    const config = loadConfig({
      env: {
        DATABASE_URL: database.url,
        VIEWFINDER_DATA_DIR: database.dataDir,
        VIEWFINDER_PORT: '0',
        VIEWFINDER_HOST: '127.0.0.1',
        VIEWFINDER_JOB_POLL_MS: '20',
        VIEWFINDER_LOG_LEVEL: 'warning',
        VIEWFINDER_ALLOW_PRIVATE_ADDRESSES: 'true',
        VIEWFINDER_JOB_THREADS: '2',
        VIEWFINDER_JOB_CONCURRENCY: '1',
      },
      persistSecret: false,
    });
    const server = await serve(config, { role: 'all' });
    t.teardown(() => server.stop());

    const deadline = Date.now() + 20_000;
    while (waiting.length < 2 && Date.now() < deadline) await sleep(20);
    t.is(waiting.length, 2, 'both files requested while neither was answered');
    release();
  });
}
