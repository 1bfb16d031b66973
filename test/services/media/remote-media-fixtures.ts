// What the remote-media tests share: a database with a remote author and
// post, the real media jobs on a worker, a "remote instance" (a real HTTP
// server on 127.0.0.1) serving attachment files, and our own /media server
// for the rendered copies.
import type { ExecutionContext } from 'ava';
import { readdir } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../../config/load.ts';
import { createMediaRouter } from '../../../media/http/media.routes.ts';
import { createLocalDiskStorage } from '../../../media/storage/local-disk.ts';
import type { MediaStorage } from '../../../media/storage/storage.ts';
import { insertAccount, type Account } from '../../../server/db/accounts.repo.ts';
import { newId } from '../../../server/db/ids.ts';
import type { Db } from '../../../server/db/knex.ts';
import { insertPost } from '../../../server/db/posts.repo.ts';
import { createHttpApp } from '../../../server/http/app.ts';
import { listen } from '../../../server/http/listen.ts';
import { createRateLimiter } from '../../../server/http/rate-limit.ts';
import { JobRegistry } from '../../../server/jobs/registry.ts';
import { createWorker, type Worker } from '../../../server/jobs/worker.ts';
import { registerFetchRemoteMediaJob } from '../../../server/services/media/fetch-remote-media.job.ts';
import { registerMediaCleanupJobs } from '../../../server/services/media/media-cleanup.job.ts';
import type { RemoteAttachment } from '../../../server/services/media/remote-media.service.ts';
import type { DatabaseTarget } from '../../helpers/databases.ts';

export interface RemoteMediaWorld {
  db: Db;
  config: Config;
  storage: MediaStorage;
  worker: Worker;
  author: Account;
  /** Every file under the media folder. */
  files(): Promise<string[]>;
}

/** A fresh database with a remote author; `env` adds settings (private addresses are allowed unless it says otherwise). */
export async function remoteMediaWorld(t: ExecutionContext, target: DatabaseTarget, env: Record<string, string> = {}): Promise<RemoteMediaWorld> {
  const { db, dataDir, url } = await target.create(t);
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, DATABASE_URL: url, VIEWFINDER_ALLOW_PRIVATE_ADDRESSES: 'on', ...env }, cwd: dataDir, persistSecret: false });
  const storage = createLocalDiskStorage(config.mediaDir);
  const registry = new JobRegistry();
  registerFetchRemoteMediaJob(registry, db, config, storage);
  registerMediaCleanupJobs(registry, db, storage);
  const worker = createWorker({ db, registry, concurrency: 2, pollMs: 20, leaseMs: 60_000 });
  const author = await insertRemoteAuthor(db);
  const files = async () => {
    const entries = await readdir(config.mediaDir, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(config.mediaDir.length + 1));
  };
  return { db, config, storage, worker, author, files };
}

/** ana@photos.example, the remote author of the remote-media tests. */
export async function insertRemoteAuthor(db: Db): Promise<Account> {
  const now = Date.now();
  return insertAccount(db, {
    id: newId(),
    username: 'ana',
    domain: 'photos.example',
    displayName: 'Ana',
    uri: 'https://photos.example/users/ana',
    url: 'https://photos.example/@ana',
    inboxUrl: 'https://photos.example/users/ana/inbox',
    createdAt: now,
    updatedAt: now,
  });
}

/** A remote carousel post by `accountId`; returns its id. */
export async function insertRemotePost(db: Db, accountId: number): Promise<number> {
  const id = newId();
  const now = Date.now();
  await insertPost(db, { id, accountId, kind: 'carousel', visibility: 'public', caption: 'Dunes', uri: `https://photos.example/p/${id}`, url: `https://photos.example/p/${id}`, createdAt: now, updatedAt: now });
  return id;
}

export function attachment(url: string, extra: Partial<RemoteAttachment> = {}): RemoteAttachment {
  return { url, mediaType: 'image/jpeg', kind: 'image', name: null, width: null, height: null, blurhash: null, focus: null, ...extra };
}

export interface RemoteFile {
  body: Buffer;
  type?: string;
  status?: number;
  /** Sent without Content-Length. */
  chunked?: boolean;
  /** The answer waits for this. */
  gate?: Promise<void>;
}

/** A "remote instance" on 127.0.0.1 serving `files` by path (changeable later); `hits` lists the paths asked for. */
export async function remoteFileServer(t: ExecutionContext, files: Record<string, RemoteFile>) {
  const hits: string[] = [];
  const send = (res: ServerResponse, file: RemoteFile) => {
    res.statusCode = file.status ?? 200;
    res.setHeader('Content-Type', file.type ?? 'image/jpeg');
    if (!file.chunked) res.setHeader('Content-Length', file.body.length);
    else res.write(file.body.subarray(0, 1)); // headers go out before the length is known
    res.end(file.chunked ? file.body.subarray(1) : file.body);
  };
  const server = createServer((req, res) => {
    hits.push(req.url!);
    const file = files[req.url!];
    if (!file) res.writeHead(404).end();
    else if (file.gate) void file.gate.then(() => send(res, file));
    else send(res, file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, hits, files };
}

/** Our /media routes over the world's storage; returns the base URL to build media URLs with. */
export async function startMediaServer(t: ExecutionContext, world: RemoteMediaWorld): Promise<string> {
  const router = createMediaRouter({ config: world.config, db: world.db, rateLimiter: createRateLimiter(world.config), mailer: null }, world.storage);
  const server = await listen(createHttpApp({ config: world.config, db: world.db, routers: [router] }), { port: 0, host: '127.0.0.1' });
  t.teardown(() => server.close());
  return server.url;
}
