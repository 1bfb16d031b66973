// Mastodon's pagination: what the query parameters mean (junk ignored as
// Mastodon does, limits clamped) and the Link header clients follow, checked
// by walking a list page by page over a real socket.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { Router } from '@koa/router';
import { databaseTargets, tempDir } from '../helpers/databases.ts';
import { loadConfig } from '../../config/load.ts';
import { createHttpApp } from '../../server/http/app.ts';
import { listen } from '../../server/http/listen.ts';
import { pageParams, setLinkHeader, type PageParams } from '../../server/http/pagination.ts';

const [sqlite] = await databaseTargets();
const PUBLIC_URL = 'https://photos.example';

test('pageParams reads ids and the limit, ignoring junk like Mastodon', (t) => {
  t.deepEqual(pageParams({}), { limit: 20 });
  t.deepEqual(pageParams({ max_id: '109', min_id: '7', since_id: '3', limit: '5' }), { maxId: 109, minId: 7, sinceId: 3, limit: 5 });
  // Junk ids and limits: ignored, not refused (apps send `max_id=` and worse).
  t.deepEqual(pageParams({ max_id: '', min_id: 'abc', since_id: '12x', limit: 'ten' }), { limit: 20 });
  t.deepEqual(pageParams({ max_id: '-5', since_id: '99999999999999999999' }), { limit: 20 }, 'negative and beyond 53 bits');
  // Limits are clamped to 1…maxLimit.
  t.is(pageParams({ limit: '1000' }).limit, 40);
  t.is(pageParams({ limit: '0' }).limit, 1);
  t.is(pageParams({ limit: '-3' }).limit, 1);
  t.is(pageParams({ limit: '80' }, { maxLimit: 80 }).limit, 80);
  t.is(pageParams({}, { defaultLimit: 40, maxLimit: 80 }).limit, 40);
  t.is(pageParams({}, { defaultLimit: 100, maxLimit: 80 }).limit, 80, 'a default never beyond the cap');
  // A repeated parameter: the last one, as Rails reads it.
  t.deepEqual(pageParams({ max_id: ['5', '9'], limit: ['2', '3'] }), { maxId: 9, limit: 3 });
});

/** A list of items with ids 1…50 served newest first, paginated like a Mastodon timeline. */
async function start(t: ExecutionContext): Promise<string> {
  const dataDir = tempDir(t);
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, VIEWFINDER_PUBLIC_URL: PUBLIC_URL }, cwd: dataDir, persistSecret: false });
  const { db } = await sqlite!.create(t, { migrate: false });
  const ids = Array.from({ length: 50 }, (_, i) => i + 1);
  const router = new Router();
  router.get('/api/v1/items', (ctx) => {
    const params = pageParams(ctx.query, { defaultLimit: 10 });
    const page = select(ids, params).map((id) => ({ id: String(id) }));
    setLinkHeader(ctx, page, params, { publicUrl: config.publicUrl });
    ctx.body = page;
  });
  const server = await listen(createHttpApp({ config, db, routers: [router] }), { port: 0, host: '127.0.0.1' });
  t.teardown(() => server.close());
  return server.url;
}

/** What a repository does with PageParams: newest first; min_id gives the page just above it. */
function select(ids: number[], params: PageParams): number[] {
  let matching = ids.filter((id) => (params.maxId === undefined || id < params.maxId) && (params.sinceId === undefined || id > params.sinceId) && (params.minId === undefined || id > params.minId));
  if (params.minId !== undefined) matching = matching.slice(0, params.limit); // oldest first above min_id
  return matching.sort((a, b) => b - a).slice(0, params.limit);
}

function links(response: Response): Record<string, URL> {
  const result: Record<string, URL> = {};
  for (const match of (response.headers.get('link') ?? '').matchAll(/<([^>]+)>;\s*rel="(\w+)"/g)) result[match[2]!] = new URL(match[1]!);
  return result;
}

async function page(url: string): Promise<{ ids: number[]; links: Record<string, URL> }> {
  const response = await fetch(url);
  const body = (await response.json()) as { id: string }[];
  return { ids: body.map((item) => Number(item.id)), links: links(response) };
}

test('following rel="next" walks the whole list once; rel="prev" goes back up', async (t) => {
  const url = await start(t);
  const first = await page(`${url}/api/v1/items?limit=12&only_media=true`);
  t.deepEqual(first.ids, [50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39]);
  const next = first.links.next!;
  const prev = first.links.prev!;
  // Absolute URLs on the public URL; other parameters kept.
  t.is(`${next.origin}${next.pathname}`, `${PUBLIC_URL}/api/v1/items`);
  t.is(next.searchParams.get('max_id'), '39');
  t.is(next.searchParams.get('limit'), '12');
  t.is(next.searchParams.get('only_media'), 'true');
  t.is(prev.searchParams.get('min_id'), '50');
  t.is(prev.searchParams.get('max_id'), null, 'the page’s own ids are replaced, not piled up');

  const seen = [...first.ids];
  let link: URL | undefined = next;
  while (link) {
    const current = await page(`${url}${link.pathname}${link.search}`);
    seen.push(...current.ids);
    link = current.links.next;
    if (current.ids.length < 12) t.true(link === undefined, 'no next link after a short page');
  }
  t.deepEqual(seen, Array.from({ length: 50 }, (_, i) => 50 - i));

  // Going back up from the second page lands on the newer items.
  const second = await page(`${url}/api/v1/items?limit=5&max_id=20`);
  t.deepEqual(second.ids, [19, 18, 17, 16, 15]);
  const above = await page(`${url}/api/v1/items?${second.links.prev!.searchParams}`);
  t.deepEqual(above.ids, [24, 23, 22, 21, 20]);
});

test('an empty page has no Link header; limits are capped', async (t) => {
  const url = await start(t);
  const empty = await fetch(`${url}/api/v1/items?min_id=50`);
  t.deepEqual(await empty.json(), []);
  t.is(empty.headers.get('link'), null);
  const capped = await page(`${url}/api/v1/items?limit=500`);
  t.is(capped.ids.length, 40, 'capped at 40');
  t.is(capped.links.next?.searchParams.get('max_id'), '11');
  t.is(capped.links.next?.searchParams.get('limit'), '500', 'the client’s own parameter kept as sent');
  const junk = await page(`${url}/api/v1/items?max_id=abc&limit=x`);
  t.deepEqual(junk.ids, [50, 49, 48, 47, 46, 45, 44, 43, 42, 41], 'junk ignored: the default page of 10');
});
