// Saving posts over real HTTP on each database: bookmarks (Mastodon's, with
// GET /api/v1/bookmarks paged by bookmark) and saved collections under
// /api/viewfinder/v1/collections: create, list, read, edit, delete, add and
// remove posts, private by default, public ones readable by others, and every
// post in them passing the visibility policy for whoever reads.
import test, { type ExecutionContext } from 'ava';
import { newId } from '../../server/db/ids.ts';
import { databaseTargets, type DatabaseTarget } from '../helpers/databases.ts';
import { appToken, createUser, getJson, startApiServer, type ApiServer, type TestUser } from './helpers.ts';
import { comment, photoPost, send, startInlineWorker } from './post-helpers.ts';

async function setup(t: ExecutionContext, target: DatabaseTarget) {
  const server = await startApiServer(t, target);
  const worker = startInlineWorker(t, server);
  const alice = await createUser(server, 'alice');
  const bob = await createUser(server, 'bob');
  return { server, alice, bob };
}

async function block(server: ApiServer, blocker: TestUser, blocked: TestUser): Promise<void> {
  await server.db('blocks').insert({ id: newId(), account_id: blocker.accountId, target_account_id: blocked.accountId, created_at: Date.now() });
}

const ids = (body: { id: string }[]) => body.map((item) => item.id);
const nextPath = (link: string | null) => {
  const next = /<([^>]+)>; rel="next"/.exec(link ?? '');
  if (!next) return null;
  const url = new URL(next[1]!);
  return url.pathname + url.search;
};

const C = '/api/viewfinder/v1/collections';

for (const target of await databaseTargets()) {
  test(`${target.name}: bookmark and unbookmark, idempotently; bookmarks are private and paged by bookmark`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const postId = await photoPost(server, alice);
    const comments = [await comment(server, alice, postId, 'one'), await comment(server, alice, postId, 'two')];

    const saved = await send(server, 'POST', `/api/v1/statuses/${postId}/bookmark`, bob.token);
    t.is(saved.status, 200);
    t.true(saved.body.bookmarked);
    t.is((await send(server, 'POST', `/api/v1/statuses/${postId}/bookmark`, bob.token)).status, 200);
    t.is(Number((await server.db('bookmarks').count({ n: '*' }).first())!.n), 1, 'a double save is one save');
    t.false((await getJson(server, `/api/v1/statuses/${postId}`, alice.token)).body.bookmarked, "Bob's save is his alone");

    await bob.client.v1.statuses.$select(comments[1]!).bookmark();
    await send(server, 'POST', `/api/v1/statuses/${comments[0]}/bookmark`, bob.token);
    // Saved last first, whatever the posts' own order.
    const first = await send(server, 'GET', '/api/v1/bookmarks?limit=2', bob.token);
    t.deepEqual(ids(first.body), [comments[0], comments[1]]);
    t.true(first.body.every((s: { bookmarked: boolean }) => s.bookmarked));
    const second = await send(server, 'GET', nextPath(first.link)!, bob.token);
    t.deepEqual(ids(second.body), [postId]);
    t.is(nextPath(second.link), null);
    const viaMasto: string[] = [];
    for await (const page of bob.client.v1.bookmarks.list({ limit: 1 })) viaMasto.push(...ids(page));
    t.deepEqual(viaMasto, [comments[0], comments[1], postId]);
    t.deepEqual((await send(server, 'GET', '/api/v1/bookmarks', alice.token)).body, []);
    t.is((await send(server, 'GET', '/api/v1/bookmarks', undefined)).status, 401);

    const unsaved = await send(server, 'POST', `/api/v1/statuses/${postId}/unbookmark`, bob.token);
    t.is(unsaved.status, 200);
    t.false(unsaved.body.bookmarked);
    t.is((await send(server, 'POST', `/api/v1/statuses/${postId}/unbookmark`, bob.token)).status, 200);
    t.deepEqual(ids((await send(server, 'GET', '/api/v1/bookmarks', bob.token)).body), [comments[0], comments[1]]);

    // A block: no new saves, and saved posts leave the list.
    await block(server, alice, bob);
    t.is((await send(server, 'POST', `/api/v1/statuses/${postId}/bookmark`, bob.token)).status, 404);
    t.deepEqual((await send(server, 'GET', '/api/v1/bookmarks', bob.token)).body, []);
    const readOnly = await appToken(server, ['read'], bob.userId);
    t.is((await send(server, 'POST', `/api/v1/statuses/${postId}/bookmark`, readOnly)).status, 403);
  });

  test(`${target.name}: collections: create, list, read, rename, add and remove posts, delete`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const posts = [await photoPost(server, alice), await photoPost(server, alice)];
    const bobsOwn = await photoPost(server, bob);

    const created = await send(server, 'POST', C, bob.token, { name: '  Beaches ', description: 'Summer' });
    t.is(created.status, 200);
    t.like(created.body, { name: 'Beaches', description: 'Summer', visibility: 'private', statuses_count: 0, account_id: String(bob.accountId) });
    const id: string = created.body.id;
    const other = await send(server, 'POST', C, bob.token, { name: 'Food' });
    t.is(other.body.description, '');
    t.is((await send(server, 'POST', C, bob.token, { name: '  ' })).status, 422);
    t.is((await send(server, 'POST', C, bob.token, { name: 'x'.repeat(101) })).status, 422);
    t.is((await send(server, 'POST', C, bob.token, { name: 'Ok', visibility: 'friends' })).status, 422);
    t.is((await send(server, 'POST', C, undefined, { name: 'Anon' })).status, 401);

    const list = await send(server, 'GET', C, bob.token);
    t.deepEqual(ids(list.body), [other.body.id, id], 'newest first');
    t.deepEqual((await send(server, 'GET', C, alice.token)).body, []);

    for (const postId of [posts[0]!, bobsOwn, posts[1]!]) {
      const added = await send(server, 'POST', `${C}/${id}/statuses/${postId}`, bob.token);
      t.is(added.status, 200);
    }
    const twice = await send(server, 'POST', `${C}/${id}/statuses/${posts[0]}`, bob.token);
    t.is(twice.body.statuses_count, 3, 'adding twice adds once');
    t.is((await send(server, 'POST', `${C}/${id}/statuses/${newId()}`, bob.token)).status, 404);

    const content = await send(server, 'GET', `${C}/${id}/statuses?limit=2`, bob.token);
    t.deepEqual(ids(content.body), [posts[1], bobsOwn], 'last added first');
    t.deepEqual(ids((await send(server, 'GET', nextPath(content.link)!, bob.token)).body), [posts[0]]);

    const renamed = await send(server, 'PATCH', `${C}/${id}`, bob.token, { name: 'Coast' });
    t.like(renamed.body, { name: 'Coast', description: 'Summer', statuses_count: 3 });
    t.is((await send(server, 'PATCH', `${C}/${id}`, bob.token, { name: '' })).status, 422);
    t.like((await send(server, 'GET', `${C}/${id}`, bob.token)).body, { name: 'Coast' });

    const removed = await send(server, 'DELETE', `${C}/${id}/statuses/${bobsOwn}`, bob.token);
    t.is(removed.body.statuses_count, 2);
    t.is((await send(server, 'DELETE', `${C}/${id}/statuses/${bobsOwn}`, bob.token)).body.statuses_count, 2);
    // A deleted post leaves the collection's count and content.
    await send(server, 'DELETE', `/api/v1/statuses/${posts[1]}`, alice.token);
    t.is((await send(server, 'GET', `${C}/${id}`, bob.token)).body.statuses_count, 1);
    t.deepEqual(ids((await send(server, 'GET', `${C}/${id}/statuses`, bob.token)).body), [posts[0]]);

    // Someone else's private collection does not exist for them.
    t.is((await send(server, 'GET', `${C}/${id}`, alice.token)).status, 404);
    t.is((await send(server, 'GET', `${C}/${id}/statuses`, undefined)).status, 404);
    t.is((await send(server, 'PATCH', `${C}/${id}`, alice.token, { name: 'Mine' })).status, 404);
    t.is((await send(server, 'POST', `${C}/${id}/statuses/${posts[0]}`, alice.token)).status, 404);
    t.is((await send(server, 'DELETE', `${C}/${id}`, alice.token)).status, 404);

    const deleted = await send(server, 'DELETE', `${C}/${id}`, bob.token);
    t.is(deleted.status, 200);
    t.is((await send(server, 'GET', `${C}/${id}`, bob.token)).status, 404);
    t.deepEqual(ids((await send(server, 'GET', C, bob.token)).body), [other.body.id]);
    t.is(Number((await server.db('collection_items').where({ collection_id: id }).count({ n: '*' }).first())!.n), 0);
    t.truthy(await server.db('posts').where({ id: posts[0] }).first(), 'the posts stay');
  });

  test(`${target.name}: a public collection shows each reader only what they may see; blocks hide it`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const carol = await createUser(server, 'carol');
    const dave = await createUser(server, 'dave');
    await server.db('follows').insert({ id: newId(), account_id: bob.accountId, target_account_id: alice.accountId, created_at: Date.now() });
    const publicId = await photoPost(server, alice);
    const privateId = await photoPost(server, alice, { visibility: 'private' });
    const carolsId = await photoPost(server, carol);

    const collection = await send(server, 'POST', C, bob.token, { name: 'Favourites', visibility: 'public' });
    const id: string = collection.body.id;
    for (const postId of [publicId, privateId, carolsId]) t.is((await send(server, 'POST', `${C}/${id}/statuses/${postId}`, bob.token)).status, 200);
    // Only posts Bob may see go in.
    const dm = await send(server, 'POST', '/api/v1/statuses', alice.token, { status: '@carol secret', visibility: 'direct' });
    t.is((await send(server, 'POST', `${C}/${id}/statuses/${dm.body.id}`, bob.token)).status, 404);

    t.deepEqual(ids((await send(server, 'GET', `${C}/${id}/statuses`, bob.token)).body), [carolsId, privateId, publicId]);
    t.deepEqual(ids((await send(server, 'GET', `${C}/${id}/statuses`, undefined)).body), [carolsId, publicId], 'no followers-only post for the anonymous');
    t.is((await send(server, 'GET', `${C}/${id}`, dave.token)).body.statuses_count, 3);
    t.deepEqual(ids((await send(server, 'GET', `/api/viewfinder/v1/accounts/${bob.accountId}/collections`, dave.token)).body), [id]);

    // Carol blocks Dave: her post leaves what Dave is shown of Bob's collection.
    await block(server, carol, dave);
    t.deepEqual(ids((await send(server, 'GET', `${C}/${id}/statuses`, dave.token)).body), [publicId]);
    // Bob blocks Dave: the collection is gone for Dave.
    await block(server, bob, dave);
    t.is((await send(server, 'GET', `${C}/${id}`, dave.token)).status, 404);
    t.is((await send(server, 'GET', `${C}/${id}/statuses`, dave.token)).status, 404);
    t.deepEqual((await send(server, 'GET', `/api/viewfinder/v1/accounts/${bob.accountId}/collections`, dave.token)).body, []);

    // Made private again: only Bob.
    await send(server, 'PATCH', `${C}/${id}`, bob.token, { visibility: 'private' });
    t.is((await send(server, 'GET', `${C}/${id}`, carol.token)).status, 404);
    t.deepEqual((await send(server, 'GET', `/api/viewfinder/v1/accounts/${bob.accountId}/collections`, carol.token)).body, []);
    t.deepEqual(ids((await send(server, 'GET', `/api/viewfinder/v1/accounts/${bob.accountId}/collections`, bob.token)).body), [id]);
  });
}
