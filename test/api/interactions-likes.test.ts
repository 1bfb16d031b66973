// Likes over real HTTP on each database: favourite and unfavourite, counts
// that never drift under concurrent requests (50 accounts at once; one
// account 50 times at once), favourited_by and favourites with their Link
// pages, and the visibility policy: a block either way or a followers-only
// post of someone not followed refuses the like.
import test, { type ExecutionContext } from 'ava';
import { newId } from '../../server/db/ids.ts';
import { databaseTargets, type DatabaseTarget } from '../helpers/databases.ts';
import { appToken, createUser, getJson, startApiServer, type ApiServer, type TestUser } from './helpers.ts';
import { comment, manyAccounts, photoPost, send, startInlineWorker } from './post-helpers.ts';

async function setup(t: ExecutionContext, target: DatabaseTarget) {
  const server = await startApiServer(t, target);
  const worker = startInlineWorker(t, server);
  const alice = await createUser(server, 'alice');
  const bob = await createUser(server, 'bob');
  return { server, alice, bob };
}

const likeRows = async (server: ApiServer, postId: string) => Number((await server.db('likes').where({ post_id: postId }).count({ n: '*' }).first())!.n);
const likesCount = async (server: ApiServer, postId: string) => Number((await server.db('posts').where({ id: postId }).first('likes_count'))!.likes_count);

async function block(server: ApiServer, blocker: TestUser, blocked: TestUser): Promise<void> {
  await server.db('blocks').insert({ id: newId(), account_id: blocker.accountId, target_account_id: blocked.accountId, created_at: Date.now() });
}

/** Follows every `rel="next"` Link from `path`, collecting each page's ids. */
async function allPages(server: ApiServer, path: string, token?: string): Promise<string[][]> {
  const pages: string[][] = [];
  let url: string | null = `${server.url}${path}`;
  while (url && pages.length < 20) {
    const response: Response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    const body = (await response.json()) as { id: string }[];
    if (body.length > 0) pages.push(body.map((item) => item.id));
    const next = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '');
    url = next ? next[1]!.replace('http://127.0.0.1:9', server.url) : null;
  }
  return pages;
}

for (const target of await databaseTargets()) {
  test(`${target.name}: favourite and unfavourite answer the post with the flag and the count, idempotently`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const postId = await photoPost(server, alice);

    const liked = await send(server, 'POST', `/api/v1/statuses/${postId}/favourite`, bob.token);
    t.is(liked.status, 200);
    t.is(liked.body.id, postId);
    t.true(liked.body.favourited);
    t.is(liked.body.favourites_count, 1);
    const again = await send(server, 'POST', `/api/v1/statuses/${postId}/favourite`, bob.token);
    t.is(again.status, 200);
    t.is(again.body.favourites_count, 1, 'a double like is one like');
    t.is(await likeRows(server, postId), 1);

    const seenByAlice = await getJson(server, `/api/v1/statuses/${postId}`, alice.token);
    t.is(seenByAlice.body.favourites_count, 1);
    t.false(seenByAlice.body.favourited);
    const anonymous = await getJson(server, `/api/v1/statuses/${postId}`);
    t.is(anonymous.body.favourites_count, 1);
    t.is(anonymous.body.favourited, undefined, 'no viewer flags without a viewer');

    const unliked = await send(server, 'POST', `/api/v1/statuses/${postId}/unfavourite`, bob.token);
    t.is(unliked.status, 200);
    t.false(unliked.body.favourited);
    t.is(unliked.body.favourites_count, 0);
    const unlikedAgain = await send(server, 'POST', `/api/v1/statuses/${postId}/unfavourite`, bob.token);
    t.is(unlikedAgain.body.favourites_count, 0);
    t.is(await likesCount(server, postId), 0);

    // Through masto, as an app does; the author may like their own post.
    const own = await alice.client.v1.statuses.$select(postId).favourite();
    t.true(own.favourited);
    t.is(own.favouritesCount, 1);

    t.is((await send(server, 'POST', `/api/v1/statuses/${newId()}/favourite`, bob.token)).status, 404);
    t.is((await send(server, 'POST', `/api/v1/statuses/${postId}/favourite`, undefined)).status, 401);
    const readOnly = await appToken(server, ['read'], bob.userId);
    t.is((await send(server, 'POST', `/api/v1/statuses/${postId}/favourite`, readOnly)).status, 403);
  });

  test(`${target.name}: 50 parallel likes from 50 accounts count 50; 50 parallel double likes from one account count 1`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const postId = await photoPost(server, alice);
    const fans = await manyAccounts(server, 50);

    const answers = await Promise.all(fans.map((fan) => send(server, 'POST', `/api/v1/statuses/${postId}/favourite`, fan.token)));
    t.deepEqual([...new Set(answers.map((a) => a.status))], [200]);
    t.is(await likeRows(server, postId), 50);
    t.is(await likesCount(server, postId), 50);
    t.is((await getJson(server, `/api/v1/statuses/${postId}`)).body.favourites_count, 50);

    const doubles = await Promise.all(Array.from({ length: 50 }, () => send(server, 'POST', `/api/v1/statuses/${postId}/favourite`, bob.token)));
    t.deepEqual([...new Set(doubles.map((a) => a.status))], [200]);
    t.is(await likeRows(server, postId), 51);
    t.is(await likesCount(server, postId), 51, "one account's 50 likes are one like");

    const undoes = await Promise.all([
      ...fans.map((fan) => send(server, 'POST', `/api/v1/statuses/${postId}/unfavourite`, fan.token)),
      ...Array.from({ length: 20 }, () => send(server, 'POST', `/api/v1/statuses/${postId}/unfavourite`, bob.token)),
    ]);
    t.deepEqual([...new Set(undoes.map((a) => a.status))], [200]);
    t.is(await likeRows(server, postId), 0);
    t.is(await likesCount(server, postId), 0);
  });

  test(`${target.name}: favourited_by and favourites are paged newest like first, with Link headers`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const postId = await photoPost(server, alice);
    const posts = [postId];
    for (let i = 0; i < 4; i++) posts.push(await comment(server, alice, postId, `comment ${i}`));
    // Bob likes them in a shuffled order: the list follows the likes, not the posts.
    const likeOrder = [posts[2]!, posts[0]!, posts[4]!, posts[1]!, posts[3]!];
    for (const id of likeOrder) t.is((await send(server, 'POST', `/api/v1/statuses/${id}/favourite`, bob.token)).status, 200);

    const pages = await allPages(server, '/api/v1/favourites?limit=2', bob.token);
    t.deepEqual(pages, [
      [likeOrder[4], likeOrder[3]],
      [likeOrder[2], likeOrder[1]],
      [likeOrder[0]],
    ]);
    const first = await send(server, 'GET', '/api/v1/favourites?limit=2', bob.token);
    t.regex(first.link ?? '', /^<http:\/\/127\.0\.0\.1:9\/api\/v1\/favourites\?limit=2&max_id=\d+>; rel="next", <http:\/\/127\.0\.0\.1:9\/api\/v1\/favourites\?limit=2&min_id=\d+>; rel="prev"$/);
    t.true(first.body.every((s: { favourited: boolean }) => s.favourited));
    // The prev link ("newer than this page") of the second page gives the first back.
    const next = new URL(/<([^>]+)>; rel="next"/.exec(first.link!)![1]!);
    const second = await send(server, 'GET', next.pathname + next.search, bob.token);
    const prev = new URL(/<([^>]+)>; rel="prev"/.exec(second.link!)![1]!);
    t.deepEqual((await send(server, 'GET', prev.pathname + prev.search, bob.token)).body.map((s: { id: string }) => s.id), [likeOrder[4], likeOrder[3]]);
    t.is((await send(server, 'GET', '/api/v1/favourites', undefined)).status, 401);

    // Through masto's paginator, which follows the Link header.
    const viaMasto: string[] = [];
    for await (const page of bob.client.v1.favourites.list({ limit: 2 })) viaMasto.push(...page.map((s) => s.id));
    t.deepEqual(viaMasto, [...likeOrder].reverse());

    const likers = [bob];
    for (const name of ['carol', 'dave', 'erin']) {
      const user = await createUser(server, name);
      likers.push(user);
      await send(server, 'POST', `/api/v1/statuses/${postId}/favourite`, user.token);
    }
    // Bob liked it first, then carol, dave, erin: newest first.
    const byPages = await allPages(server, `/api/v1/statuses/${postId}/favourited_by?limit=3`);
    t.deepEqual(byPages, [
      [String(likers[3]!.accountId), String(likers[2]!.accountId), String(likers[1]!.accountId)],
      [String(bob.accountId)],
    ]);
    const accounts = await getJson(server, `/api/v1/statuses/${postId}/favourited_by`);
    t.is(accounts.body[0].username, 'erin');
    t.is((await getJson(server, `/api/v1/statuses/${newId()}/favourited_by`)).status, 404);
  });

  test(`${target.name}: a block either way refuses the like and hides the liker; followers-only posts only for followers`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const carol = await createUser(server, 'carol');
    const postId = await photoPost(server, alice);
    t.is((await send(server, 'POST', `/api/v1/statuses/${postId}/favourite`, carol.token)).status, 200);

    await block(server, alice, bob);
    const refused = await send(server, 'POST', `/api/v1/statuses/${postId}/favourite`, bob.token);
    t.is(refused.status, 404);
    await t.throwsAsync(bob.client.v1.statuses.$select(postId).favourite(), undefined, 'masto sees the refusal');
    t.is(await likesCount(server, postId), 1);

    // Carol blocks Dave: Dave no longer sees Carol among the likers.
    const dave = await createUser(server, 'dave');
    await send(server, 'POST', `/api/v1/statuses/${postId}/favourite`, dave.token);
    await block(server, carol, dave);
    const seenByDave = await getJson(server, `/api/v1/statuses/${postId}/favourited_by`, dave.token);
    t.deepEqual(seenByDave.body.map((a: { username: string }) => a.username), ['dave']);
    const seenByAnyone = await getJson(server, `/api/v1/statuses/${postId}/favourited_by`);
    t.deepEqual(seenByAnyone.body.map((a: { username: string }) => a.username), ['dave', 'carol']);

    // Blocking the author (the other way round) refuses too, and the liked post leaves the blocker's favourites.
    await block(server, carol, alice);
    t.is((await send(server, 'POST', `/api/v1/statuses/${postId}/unfavourite`, carol.token)).status, 404, 'the like goes, the post stays hidden');
    t.is(await likesCount(server, postId), 1);
    t.is((await send(server, 'POST', `/api/v1/statuses/${postId}/favourite`, carol.token)).status, 404);
    t.is(await likesCount(server, postId), 1);

    const privateId = await photoPost(server, alice, { visibility: 'private' });
    t.is((await send(server, 'POST', `/api/v1/statuses/${privateId}/favourite`, dave.token)).status, 404);
    await server.db('follows').insert({ id: newId(), account_id: dave.accountId, target_account_id: alice.accountId, created_at: Date.now() });
    const byFollower = await send(server, 'POST', `/api/v1/statuses/${privateId}/favourite`, dave.token);
    t.is(byFollower.status, 200);
    t.is(byFollower.body.favourites_count, 1);
    // Dave's favourites: the private post and the public one.
    t.deepEqual((await send(server, 'GET', '/api/v1/favourites', dave.token)).body.map((s: { id: string }) => s.id), [privateId, postId]);
    // Alice blocks Dave: both leave his list, but the page is still cut where the likes are.
    await block(server, alice, dave);
    const hidden = await send(server, 'GET', '/api/v1/favourites?limit=1', dave.token);
    t.deepEqual(hidden.body, []);
    t.regex(hidden.link ?? '', /rel="next"/, 'an empty page that read a full page of likes still links on');
  });
}
