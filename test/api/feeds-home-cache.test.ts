// The home timeline renders statuses from a cache (api/timelines/home-presenter.ts):
// on SQLite and Postgres, a cached page is byte for byte what a fresh render
// gives, each status equals GET /api/v1/statuses/:id for the same viewer, the
// viewer's flags and counts are current, edits and profile changes show at
// once, and the visibility policy still decides per viewer and per request
// (unfollow, block, suspension) even for entries still in the feed.
import test from 'ava';
import { newId } from '../../server/db/ids.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { insertFollows, publish } from '../services/feeds/feed-fixtures.ts';
import { createUser, startApiServer, type ApiServer } from './helpers.ts';
import { eventually } from './media-helpers.ts';

async function call(server: ApiServer, method: string, path: string, token: string) {
  const response = await fetch(`${server.url}${path}`, { method, headers: { Authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as any };
}

const ids = (statuses: { id: string }[]) => statuses.map((s) => s.id);

for (const target of await databaseTargets()) {
  test(`${target.name}: cached home pages are what a fresh render gives, and stay current`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const carol = await createUser(server, 'carol');
    await insertFollows(server.db, [bob.accountId, carol.accountId], alice.accountId);
    const open = await publish(server.db, alice.accountId, { hashtags: ['light'] });
    const closed = await publish(server.db, alice.accountId, { visibility: 'private' });
    const own = await publish(server.db, bob.accountId);
    await eventually(async () => Number((await server.db('home_feed').where({ account_id: bob.accountId }).count({ n: '*' }).first())!.n) === 3);
    await eventually(async () => Number((await server.db('home_feed').where({ account_id: carol.accountId }).count({ n: '*' }).first())!.n) === 2);

    const first = await call(server, 'GET', '/api/v1/timelines/home', bob.token);
    t.deepEqual(ids(first.body), [own.id, closed.id, open.id].map(String));
    const again = await call(server, 'GET', '/api/v1/timelines/home', bob.token);
    t.is(again.text, first.text);
    for (const status of again.body) t.deepEqual(status, (await call(server, 'GET', `/api/v1/statuses/${status.id}`, bob.token)).body);
    // Another reader gets the same cached statuses with their own flags.
    t.is((await call(server, 'POST', `/api/v1/statuses/${open.id}/favourite`, carol.token)).status, 200);
    t.is((await call(server, 'POST', `/api/v1/statuses/${open.id}/bookmark`, carol.token)).status, 200);
    const carols = await call(server, 'GET', '/api/v1/timelines/home', carol.token);
    t.like(carols.body[1], { id: String(open.id), favourited: true, bookmarked: true, reblogged: false, favourites_count: 1 });
    const bobs = await call(server, 'GET', '/api/v1/timelines/home', bob.token);
    t.like(bobs.body[2], { favourited: false, bookmarked: false, favourites_count: 1 });
    for (const status of [...carols.body, ...bobs.body]) {
      const viewer = carols.body.includes(status) ? carol : bob;
      t.deepEqual(status, (await call(server, 'GET', `/api/v1/statuses/${status.id}`, viewer.token)).body);
    }

    // An edit and a profile change show at once (versions: updated_at and counts).
    await server.db('posts').where({ id: open.id }).update({ caption_html: '<p>edited</p>', edited_at: Date.now(), updated_at: Date.now() + 1 });
    await server.db('accounts').where({ id: alice.accountId }).update({ display_name: 'Alice A.', updated_at: Date.now() + 1 });
    const edited = await call(server, 'GET', '/api/v1/timelines/home', bob.token);
    t.like(edited.body[2], { content: '<p>edited</p>', account: { display_name: 'Alice A.' } });
    t.like(edited.body[1], { account: { display_name: 'Alice A.' } });

    // The policy runs on every read: an unfollow hides the followers-only post before its removal job ran…
    await server.db('follows').where({ account_id: bob.accountId, target_account_id: alice.accountId }).delete();
    t.deepEqual(ids((await call(server, 'GET', '/api/v1/timelines/home', bob.token)).body), [own.id, open.id].map(String));
    // …a block hides everything of the author's…
    await server.db('blocks').insert({ id: newId(), account_id: alice.accountId, target_account_id: bob.accountId, created_at: Date.now() });
    t.deepEqual(ids((await call(server, 'GET', '/api/v1/timelines/home', bob.token)).body), [String(own.id)]);
    // …and a suspension hides the author from everyone else.
    await server.db('accounts').where({ id: alice.accountId }).update({ suspended_at: Date.now() });
    t.deepEqual((await call(server, 'GET', '/api/v1/timelines/home', carol.token)).body, []);
  });
}
