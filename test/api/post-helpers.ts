// What tests of posts and interactions do over and over: a JSON request, a
// worker processing photos on the server's own connection, a photo post, a
// comment, and many accounts at once.
import type { ExecutionContext } from 'ava';
import { insertLocalAccountAndUser } from '../../server/db/users.repo.ts';
import { createJobRegistry } from '../../server/jobs/handlers.ts';
import { createWorker, type Worker } from '../../server/jobs/worker.ts';
import { solidJpeg, uploadFile } from '../helpers/media-fixtures.ts';
import { appToken, type ApiServer, type TestUser } from './helpers.ts';
import { waitUntilProcessed } from './media-helpers.ts';

export async function send(server: ApiServer, method: string, path: string, token: string | undefined, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any, link: response.headers.get('link') };
}

/** Runs every job type on the server's own connection, as fast as jobs come, until the test ends. */
export function startInlineWorker(t: ExecutionContext, server: ApiServer): Worker {
  const worker = createWorker({ db: server.db, registry: createJobRegistry(server.db, server.config), concurrency: 2, pollMs: 10, leaseMs: 60_000 });
  worker.start();
  t.teardown(() => worker.stop());
  return worker;
}

/** A photo post of `user`'s (the photo processed first, as posting requires). */
export async function photoPost(server: ApiServer, user: TestUser, extra: Record<string, unknown> = {}): Promise<string> {
  const upload = await uploadFile(server.url, user.token, await solidJpeg(60, 40), { type: 'image/jpeg' });
  // Processed by the worker; on a busy machine that may take a moment.
  if (upload.status === 202) await waitUntilProcessed(server, user.token, upload.body.id);
  const post = await send(server, 'POST', '/api/v1/statuses', user.token, { status: 'A photo', media_ids: [upload.body.id], ...extra });
  if (post.status !== 200) throw new Error(`posting failed: ${post.status} ${JSON.stringify(post.body)}`);
  return post.body.id;
}

/** A text comment under `parentId` (comments need no photo). */
export async function comment(server: ApiServer, user: TestUser, parentId: string, text: string): Promise<string> {
  const post = await send(server, 'POST', '/api/v1/statuses', user.token, { status: text, in_reply_to_id: parentId });
  if (post.status !== 200) throw new Error(`commenting failed: ${post.status} ${JSON.stringify(post.body)}`);
  return post.body.id;
}

/** `count` accounts with tokens, inserted directly (no password hashing per account). */
export async function manyAccounts(server: ApiServer, count: number, prefix = 'fan'): Promise<{ accountId: number; token: string }[]> {
  const accounts = [];
  for (let i = 0; i < count; i++) {
    const { account, user } = await server.db.transaction((trx) =>
      insertLocalAccountAndUser(trx, `${prefix}${i}`, { email: `${prefix}${i}@example.com`, passwordHash: 'x', role: 'user', approved: true, confirmedAt: Date.now() }),
    );
    accounts.push({ accountId: account.id, token: await appToken(server, ['read', 'write'], user.id) });
  }
  return accounts;
}
