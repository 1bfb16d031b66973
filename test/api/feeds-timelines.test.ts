// The timelines over real HTTP, on SQLite and Postgres, with the server's own
// job runner fanning out: home (through masto too), its pagination and Link
// header, public (local, remote, only_media) and hashtag (any, all, none).
// Follows are rows written directly (the social API is tested elsewhere).
import test, { type ExecutionContext } from 'ava';
import { newId } from '../../server/db/ids.ts';
import { databaseTargets, type DatabaseTarget } from '../helpers/databases.ts';
import { solidJpeg, uploadFile } from '../helpers/media-fixtures.ts';
import { insertAccounts, insertFollows, publish } from '../services/feeds/feed-fixtures.ts';
import { createUser, getJson, startApiServer, type ApiServer } from './helpers.ts';
import { eventually, waitUntilProcessed } from './media-helpers.ts';

async function setup(t: ExecutionContext, target: DatabaseTarget) {
  const server = await startApiServer(t, target, {}, { jobs: true });
  const alice = await createUser(server, 'alice');
  const bob = await createUser(server, 'bob');
  return { server, alice, bob };
}

async function get(server: ApiServer, path: string, token?: string) {
  const response = await fetch(path.startsWith('http') ? path : `${server.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as any, link: response.headers.get('link') };
}

const ids = (statuses: { id: string }[]) => statuses.map((s) => s.id);
/** The URL of a Link relation, moved onto the test server (links are on the public URL). */
function linkOf(server: ApiServer, link: string | null, rel: 'next' | 'prev'): string | undefined {
  const match = new RegExp(`<([^>]+)>; rel="${rel}"`).exec(link ?? '');
  return match ? match[1]!.replace(server.config.publicUrl, server.url) : undefined;
}

async function feedSize(server: ApiServer, accountId: number): Promise<number> {
  return Number((await server.db('home_feed').where({ account_id: accountId }).count({ n: '*' }).first())!.n);
}

for (const target of await databaseTargets()) {
  test(`${target.name}: bob follows alice, alice posts a photo, bob's home timeline shows it (masto)`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    await insertFollows(server.db, [bob.accountId], alice.accountId);
    const upload = await uploadFile(server.url, alice.token, await solidJpeg(120, 90), { type: 'image/jpeg' });
    await waitUntilProcessed(server, alice.token, upload.body.id);
    const status = await alice.client.v1.statuses.create({ status: 'Morning light #sunrise', mediaIds: [upload.body.id] });
    // The author's feed has it at once; the follower's once the fan-out job ran.
    t.deepEqual(ids(await alice.client.v1.timelines.home.list()), [status.id]);
    await eventually(async () => (await feedSize(server, bob.accountId)) === 1);
    const home = await bob.client.v1.timelines.home.list();
    t.deepEqual(ids(home), [status.id]);
    t.is(home[0]!.account.username, 'alice');
    t.is(home[0]!.mediaAttachments.length, 1);
    t.false(home[0]!.favourited ?? false);
    // No token, no home.
    t.is((await get(server, '/api/v1/timelines/home')).status, 401);
  });

  test(`${target.name}: the home timeline pages by max_id, since_id and min_id, with a Link header`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    await insertFollows(server.db, [bob.accountId], alice.accountId);
    const posted: string[] = [];
    for (let i = 0; i < 25; i++) posted.unshift(String((await publish(server.db, alice.accountId)).id));
    await eventually(async () => (await feedSize(server, bob.accountId)) === 25);

    const first = await get(server, '/api/v1/timelines/home?limit=10', bob.token);
    t.deepEqual(ids(first.body), posted.slice(0, 10));
    t.is(linkOf(server, first.link, 'prev'), `${server.url}/api/v1/timelines/home?limit=10&min_id=${posted[0]}`);
    const second = await get(server, linkOf(server, first.link, 'next')!, bob.token);
    t.deepEqual(ids(second.body), posted.slice(10, 20));
    const third = await get(server, linkOf(server, second.link, 'next')!, bob.token);
    t.deepEqual(ids(third.body), posted.slice(20));
    t.is(linkOf(server, third.link, 'next'), undefined);

    t.deepEqual(ids((await get(server, `/api/v1/timelines/home?since_id=${posted[5]}&limit=3`, bob.token)).body), posted.slice(0, 3));
    t.deepEqual(ids((await get(server, `/api/v1/timelines/home?min_id=${posted[5]}&limit=3`, bob.token)).body), posted.slice(2, 5));
    t.deepEqual(ids((await get(server, `/api/v1/timelines/home?max_id=${posted[20]}`, bob.token)).body), posted.slice(21));

    // A page the visibility policy thins (alice suspended... here: a block after fan-out) still links onward.
    const [carol] = await insertAccounts(server.db, 1, 'carol');
    await insertFollows(server.db, [bob.accountId], carol!);
    const hidden = await publish(server.db, carol!);
    await eventually(async () => (await feedSize(server, bob.accountId)) === 26);
    await server.db('blocks').insert({ id: newId(), account_id: carol, target_account_id: bob.accountId, created_at: Date.now() });
    const thinned = await get(server, '/api/v1/timelines/home?limit=5', bob.token);
    t.false(ids(thinned.body).includes(String(hidden.id)));
    t.is(thinned.body.length, 4);
    t.truthy(linkOf(server, thinned.link, 'next'));
  });

  test(`${target.name}: the public timeline: public posts only, local or remote, only media`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const [far] = await insertAccounts(server.db, 1, 'far', 'remote.example');
    const photo = await publish(server.db, alice.accountId);
    const text = await publish(server.db, alice.accountId, { kind: 'text' });
    await publish(server.db, alice.accountId, { visibility: 'unlisted' });
    await publish(server.db, alice.accountId, { visibility: 'private' });
    await publish(server.db, bob.accountId, { kind: 'text', inReplyTo: photo }); // a comment: not on public timelines
    const remote = await publish(server.db, far!);
    const all = (await get(server, '/api/v1/timelines/public')).body;
    t.deepEqual(ids(all), [remote.id, text.id, photo.id].map(String));
    t.deepEqual(ids((await get(server, '/api/v1/timelines/public?local=true', bob.token)).body), [text.id, photo.id].map(String));
    t.deepEqual(ids((await get(server, '/api/v1/timelines/public?remote=true')).body), [String(remote.id)]);
    t.deepEqual(ids((await get(server, '/api/v1/timelines/public?only_media=true&local=1')).body), [String(photo.id)]);
    const paged = await get(server, '/api/v1/timelines/public?limit=2');
    t.deepEqual(ids(paged.body), [remote.id, text.id].map(String));
    t.deepEqual(ids((await get(server, linkOf(server, paged.link, 'next')!)).body), [String(photo.id)]);
  });

  test(`${target.name}: hashtag timelines with any[], all[] and none[]`, async (t) => {
    const { server, alice } = await setup(t, target);
    const cats = await publish(server.db, alice.accountId, { hashtags: ['Cats'] });
    const catsAndDogs = await publish(server.db, alice.accountId, { hashtags: ['cats', 'dogs'] });
    const birds = await publish(server.db, alice.accountId, { hashtags: ['birds'] });
    await publish(server.db, alice.accountId, { hashtags: ['cats'], visibility: 'unlisted' });
    await publish(server.db, alice.accountId, { hashtags: ['dogs'] });
    const tag = async (query: string) => ids((await get(server, `/api/v1/timelines/tag/${query}`)).body);
    t.deepEqual(await tag('cats'), [catsAndDogs.id, cats.id].map(String));
    t.deepEqual(await tag('CATS'), [catsAndDogs.id, cats.id].map(String));
    t.deepEqual(await tag('cats?any[]=birds'), [birds.id, catsAndDogs.id, cats.id].map(String));
    t.deepEqual(await tag('cats?all[]=dogs'), [String(catsAndDogs.id)]);
    t.deepEqual(await tag('cats?none[]=dogs'), [String(cats.id)]);
    t.deepEqual(await tag('cats?all[]=unknown'), []);
    t.deepEqual(await tag('nobody'), []);
    t.deepEqual(await tag('cats?only_media=true&remote=true'), []);
  });
}
