// What federation tests do through the client API of one instance: photo
// uploads waited on, posts with them, and JSON calls masto has no method for.
import { solidJpeg, uploadFile } from '../helpers/media-fixtures.ts';
import type { TestUser } from '../api/helpers.ts';
import { eventually, type Instance } from './instances.ts';

export async function api(instance: Instance, method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${instance.url}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Uploads photos (each a different colour, with its alt text) and waits until they are processed. */
export async function photos(instance: Instance, owner: TestUser, descriptions: string[]): Promise<string[]> {
  const colours = ['#3366cc', '#cc3333', '#33aa55', '#aaaa22', '#8844cc'];
  const ids: string[] = [];
  for (const [i, description] of descriptions.entries()) {
    const upload = await uploadFile(instance.url, owner.token, await solidJpeg(160 + i * 10, 120, colours[i % colours.length]), { type: 'image/jpeg', description });
    if (upload.status !== 200 && upload.status !== 202) throw new Error(`upload failed: ${upload.status} ${JSON.stringify(upload.body)}`);
    await eventually('the photo to be processed', async () => (await api(instance, 'GET', `/api/v1/media/${upload.body.id}`, owner.token)).status === 200);
    ids.push(upload.body.id);
  }
  return ids;
}

export async function post(instance: Instance, author: TestUser, body: Record<string, unknown>): Promise<any> {
  const response = await api(instance, 'POST', '/api/v1/statuses', author.token, body);
  if (response.status !== 200) throw new Error(`posting failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** The account id instance `on` has for `who` on instance `of`, found as a Mastodon app finds it. */
export async function remoteId(on: Instance, viewer: TestUser, who: TestUser, of: Instance): Promise<string> {
  const found = await viewer.client.v1.accounts.lookup({ acct: `${who.username}@${of.domain}` });
  return found.id;
}

/** Lets queued work run out: long enough for a delivery that is not going to come. */
export const settle = (ms = 1500) => new Promise((resolve) => setTimeout(resolve, ms));
