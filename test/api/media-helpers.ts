// What media API tests look at: the files under the media folder and an
// upload's processing, polled as apps poll it.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { getJson, type ApiServer } from './helpers.ts';

/** Every file under the media folder, relative to it. */
export async function mediaFiles(server: ApiServer): Promise<string[]> {
  const entries = await readdir(server.config.mediaDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(server.config.mediaDir.length + 1));
}

/** Polls GET /api/v1/media/:id until processing ends (bounded). */
export async function waitUntilProcessed(server: ApiServer, token: string, id: string): Promise<{ status: number; body: any }> {
  for (let i = 0; i < 600; i++) {
    const answer = await getJson(server, `/api/v1/media/${id}`, token);
    if (answer.status !== 206) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`media ${id} still processing after 30 s`);
}

/** Waits (bounded) for something a background job does. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
