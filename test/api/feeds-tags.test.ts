// Followed hashtags over real HTTP, on SQLite and Postgres: the Tag entity,
// follow and unfollow, the followed_tags list with its Link header, and a
// stranger's public post with a followed tag reaching the home timeline.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { insertAccounts, publish } from '../services/feeds/feed-fixtures.ts';
import { createUser, startApiServer, type ApiServer } from './helpers.ts';
import { eventually } from './media-helpers.ts';

async function call(server: ApiServer, method: string, path: string, token?: string) {
  const response = await fetch(`${server.url}${path}`, { method, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as any, link: response.headers.get('link') };
}

for (const target of await databaseTargets()) {
  test(`${target.name}: following a hashtag brings its public posts into the home timeline; unfollowing takes them out`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const bob = await createUser(server, 'bob');
    const [carol] = await insertAccounts(server.db, 1, 'carol');

    const unknown = await call(server, 'GET', '/api/v1/tags/Sunset', bob.token);
    t.is(unknown.status, 200);
    t.like(unknown.body, { id: '', name: 'Sunset', url: 'http://127.0.0.1:9/tags/sunset', following: false });
    t.is(unknown.body.history.length, 7);

    const followed = await call(server, 'POST', '/api/v1/tags/Sunset/follow', bob.token);
    t.is(followed.status, 200);
    t.like(followed.body, { name: 'Sunset', following: true });
    t.not(followed.body.id, '');
    t.like((await call(server, 'GET', '/api/v1/tags/%23sunset', bob.token)).body, { following: true });
    t.false('following' in (await call(server, 'GET', '/api/v1/tags/sunset')).body);
    t.is((await call(server, 'GET', '/api/v1/tags/not-a-tag!', bob.token)).status, 404);
    t.is((await call(server, 'POST', '/api/v1/tags/sunset/follow')).status, 401);

    const post = await publish(server.db, carol!, { hashtags: ['sunset'] });
    const unlisted = await publish(server.db, carol!, { hashtags: ['sunset'], visibility: 'unlisted' });
    const other = await publish(server.db, carol!, { hashtags: ['dawn'] });
    await eventually(async () => (await call(server, 'GET', '/api/v1/timelines/home', bob.token)).body.length === 1);
    const home = await call(server, 'GET', '/api/v1/timelines/home', bob.token);
    t.deepEqual(home.body.map((s: { id: string }) => s.id), [String(post.id)]);
    t.is((await server.db('home_feed').where({ account_id: bob.accountId, post_id: post.id }).first()).reason, 'hashtag');
    for (const id of [unlisted.id, other.id]) t.is(await server.db('home_feed').where({ account_id: bob.accountId, post_id: id }).first(), undefined);
    // A week of use, today first: one post today by one account.
    const history = (await call(server, 'GET', '/api/v1/tags/sunset')).body.history;
    t.like(history[0], { uses: '2', accounts: '1' });
    t.is(Number(history[0].day) % 86400, 0);

    const unfollowed = await call(server, 'POST', '/api/v1/tags/sunset/unfollow', bob.token);
    t.like(unfollowed.body, { following: false });
    t.deepEqual((await call(server, 'GET', '/api/v1/timelines/home', bob.token)).body, []);
  });

  test(`${target.name}: followed_tags lists the followed hashtags, newest first, paged by Link`, async (t) => {
    const server = await startApiServer(t, target);
    const bob = await createUser(server, 'bob');
    for (const name of ['one', 'two', 'three']) t.is((await call(server, 'POST', `/api/v1/tags/${name}/follow`, bob.token)).status, 200);
    // Following twice is one follow.
    await call(server, 'POST', '/api/v1/tags/two/follow', bob.token);
    const all = await call(server, 'GET', '/api/v1/followed_tags', bob.token);
    t.deepEqual(all.body.map((tag: { name: string }) => tag.name), ['three', 'two', 'one']);
    t.true(all.body.every((tag: { following: boolean }) => tag.following));
    const page = await call(server, 'GET', '/api/v1/followed_tags?limit=2', bob.token);
    t.deepEqual(page.body.map((tag: { name: string }) => tag.name), ['three', 'two']);
    const next = /<([^>]+)>; rel="next"/.exec(page.link ?? '')![1]!.replace(server.config.publicUrl, '');
    t.deepEqual((await call(server, 'GET', next, bob.token)).body.map((tag: { name: string }) => tag.name), ['one']);
    t.is((await call(server, 'GET', '/api/v1/followed_tags')).status, 401);
  });
}
