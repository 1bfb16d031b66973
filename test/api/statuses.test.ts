// Posting rules and the status endpoints around them, over real HTTP: what a
// post needs, comments (replies) and their switch, captions with mentions and
// hashtags, locations, pinning, the profile filters, threads, idempotent
// retries, and that a refused post leaves nothing behind.
import test from 'ava';
import { createWorker } from '../../server/jobs/worker.ts';
import { createJobRegistry } from '../../server/jobs/handlers.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { solidJpeg, uploadFile } from '../helpers/media-fixtures.ts';
import { newId } from '../../server/db/ids.ts';
import { createUser, getJson, startApiServer, type ApiServer, type TestUser } from './helpers.ts';
import { eventually } from './media-helpers.ts';

async function send(server: ApiServer, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any, headers: response.headers };
}

/** A processed photo of `user`'s, ready to attach. */
async function photo(server: ApiServer, user: TestUser): Promise<string> {
  const upload = await uploadFile(server.url, user.token, await solidJpeg(120, 90), { type: 'image/jpeg' });
  return upload.body.id;
}

async function setup(t: import('ava').ExecutionContext, target: Awaited<ReturnType<typeof databaseTargets>>[number]) {
  const server = await startApiServer(t, target);
  // Photos are processed on the server's own connection, as fast as they come.
  const worker = createWorker({ db: server.db, registry: createJobRegistry(server.db, server.config), concurrency: 2, pollMs: 10, leaseMs: 60_000 });
  worker.start();
  t.teardown(() => worker.stop());
  const alice = await createUser(server, 'alice');
  const bob = await createUser(server, 'bob');
  return { server, alice, bob };
}

const countPosts = async (server: ApiServer) => Number((await server.db('posts').count({ n: '*' }).first())!.n);

for (const target of await databaseTargets()) {
  test(`${target.name}: a post needs a photo or video; comments and direct messages may be text only`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const textOnly = await send(server, 'POST', '/api/v1/statuses', alice.token, { status: 'Just words' });
    t.is(textOnly.status, 422);
    t.regex(textOnly.body.error, /at least one photo or video/);
    const empty = await send(server, 'POST', '/api/v1/statuses', alice.token, { status: '   ', visibility: 'direct' });
    t.is(empty.status, 422);
    t.is(await countPosts(server), 0);

    const post = await send(server, 'POST', '/api/v1/statuses', alice.token, { status: 'Hello @bob #Sunset', media_ids: [await photo(server, alice)] });
    t.is(post.status, 200);
    t.is(post.body.kind, 'photo');
    t.deepEqual(post.body.mentions.map((m: { acct: string }) => m.acct), ['bob']);
    t.regex(post.body.content, /class="u-url mention">@<span>bob<\/span>/);
    t.deepEqual(post.body.tags, [{ name: 'sunset', url: 'http://127.0.0.1:9/tags/sunset' }]);

    const comment = await send(server, 'POST', '/api/v1/statuses', bob.token, { status: 'Lovely', in_reply_to_id: post.body.id });
    t.is(comment.status, 200);
    t.is(comment.body.kind, 'text');
    t.is(comment.body.in_reply_to_id, post.body.id);
    t.is(comment.body.in_reply_to_account_id, String(alice.accountId));
    const dm = await send(server, 'POST', '/api/v1/statuses', alice.token, { status: '@bob see you', visibility: 'direct' });
    t.is(dm.status, 200);
    t.is(dm.body.visibility, 'direct');

    const parent = await getJson(server, `/api/v1/statuses/${post.body.id}`);
    t.is(parent.body.replies_count, 1);
    const context = await getJson(server, `/api/v1/statuses/${post.body.id}/context`);
    t.deepEqual(context.body.descendants.map((s: { id: string }) => s.id), [comment.body.id]);
    const ancestors = await getJson(server, `/api/v1/statuses/${comment.body.id}/context`);
    t.deepEqual(ancestors.body.ancestors.map((s: { id: string }) => s.id), [post.body.id]);

    const removed = await send(server, 'DELETE', `/api/v1/statuses/${comment.body.id}`, bob.token);
    t.is(removed.status, 200);
    t.is((await getJson(server, `/api/v1/statuses/${post.body.id}`)).body.replies_count, 0);
    const credentials = await getJson(server, '/api/v1/accounts/verify_credentials', alice.token);
    t.is(credentials.body.statuses_count, 2);
  });

  test(`${target.name}: turning comments off refuses new comments; the like count can be hidden from others`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const post = await send(server, 'POST', '/api/v1/statuses', alice.token, { status: 'Quiet', media_ids: [await photo(server, alice)], comments_disabled: true, hide_like_count: true });
    t.true(post.body.comments_disabled);
    const comment = await send(server, 'POST', '/api/v1/statuses', bob.token, { status: 'Hi', in_reply_to_id: post.body.id });
    t.is(comment.status, 422);
    t.regex(comment.body.error, /Comments are turned off/);

    await server.db('posts').where({ id: Number(post.body.id) }).update({ likes_count: 7 });
    t.is((await getJson(server, `/api/v1/statuses/${post.body.id}`, bob.token)).body.favourites_count, 0);
    t.is((await getJson(server, `/api/v1/statuses/${post.body.id}`, alice.token)).body.favourites_count, 7, 'the author still sees it');

    const reopened = await send(server, 'PUT', `/api/v1/statuses/${post.body.id}`, alice.token, { comments_disabled: false });
    t.false(reopened.body.comments_disabled);
    t.is(reopened.body.edited_at, null, 'a switch is not an edit of what people see');
    t.is((await send(server, 'POST', '/api/v1/statuses', bob.token, { status: 'Hi', in_reply_to_id: post.body.id })).status, 200);
  });

  test(`${target.name}: refused posts leave nothing behind: unknown or someone else's media, too long, bad location`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const bobsPhoto = await photo(server, bob);
    const alicesPhoto = await photo(server, alice);
    const cases: [string, unknown, RegExp][] = [
      ['unknown media', { status: 'x', media_ids: ['12345'] }, /unknown media id 12345/],
      ["someone else's media", { status: 'x', media_ids: [bobsPhoto] }, new RegExp(`unknown media id ${bobsPhoto}`)],
      ['a caption over 2,200 characters', { status: 'a'.repeat(2201), media_ids: [alicesPhoto] }, /2200/],
      ['a latitude out of range', { status: 'x', media_ids: [alicesPhoto], location: { name: 'Nowhere', lat: 91, lon: 0 } }, /lat must be/],
      ['a location without a name', { status: 'x', media_ids: [alicesPhoto], location: { name: '', lat: 1, lon: 1 } }, /needs a name/],
      ['a reel that is a photo', { status: 'x', media_ids: [alicesPhoto], reel: true }, /reel is one vertical video/],
      ['an unknown visibility', { status: 'x', media_ids: [alicesPhoto], visibility: 'friends' }, /Visibility/],
      ['a reply to a post that does not exist', { status: 'x', in_reply_to_id: '999' }, /does not appear to exist/],
    ];
    for (const [what, body, message] of cases) {
      const answer = await send(server, 'POST', '/api/v1/statuses', alice.token, body);
      t.is(answer.status, 422, what);
      t.regex(answer.body.error, message, what);
    }
    t.is(await countPosts(server), 0);
    const media = await server.db('media').whereNotNull('post_id');
    t.deepEqual(media, [], 'no upload was attached by a refused post');
    t.is((await getJson(server, '/api/v1/accounts/verify_credentials', alice.token)).body.statuses_count, 0);
    const exact = await send(server, 'POST', '/api/v1/statuses', alice.token, { status: '🌅'.repeat(2200), media_ids: [alicesPhoto] });
    t.is(exact.status, 200, '2,200 characters (not UTF-16 units) is fine');
  });

  test(`${target.name}: a retry with the same Idempotency-Key posts once`, async (t) => {
    const { server, alice } = await setup(t, target);
    const body = { status: 'Once', media_ids: [await photo(server, alice)] };
    const first = await send(server, 'POST', '/api/v1/statuses', alice.token, body, { 'Idempotency-Key': 'k-1' });
    const second = await send(server, 'POST', '/api/v1/statuses', alice.token, body, { 'Idempotency-Key': 'k-1' });
    t.is(first.status, 200);
    t.is(second.status, 200);
    t.is(second.body.id, first.body.id);
    t.is(await countPosts(server), 1);
  });

  test(`${target.name}: pinned posts, comments and hashtags filter a profile; pages link to the next`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const ids: string[] = [];
    for (const caption of ['one #cats', 'two', 'three #cats', 'four', 'five', 'six']) {
      ids.push((await send(server, 'POST', '/api/v1/statuses', alice.token, { status: caption, media_ids: [await photo(server, alice)] })).body.id);
    }
    const reply = (await send(server, 'POST', '/api/v1/statuses', alice.token, { status: 'a comment', in_reply_to_id: (await send(server, 'POST', '/api/v1/statuses', bob.token, { status: 'b', media_ids: [await photo(server, bob)] })).body.id })).body.id;
    const list = async (query: string) => (await getJson(server, `/api/v1/accounts/${alice.accountId}/statuses${query}`)).body.map((s: { id: string }) => s.id);
    t.deepEqual(await list(''), [reply, ...ids.slice().reverse()]);
    t.deepEqual(await list('?exclude_replies=true'), ids.slice().reverse());
    t.deepEqual(await list('?only_media=true'), ids.slice().reverse());
    t.deepEqual(await list('?tagged=Cats'), [ids[2], ids[0]]);

    for (const id of ids.slice(0, 5)) t.is((await send(server, 'POST', `/api/v1/statuses/${id}/pin`, alice.token)).body.pinned, true);
    const sixth = await send(server, 'POST', `/api/v1/statuses/${ids[5]}/pin`, alice.token);
    t.is(sixth.status, 422);
    t.regex(sixth.body.error, /at most 5/);
    t.is((await send(server, 'POST', `/api/v1/statuses/${ids[5]}/pin`, bob.token)).status, 404, "someone else's post");
    t.is((await send(server, 'POST', `/api/v1/statuses/${ids[1]}/unpin`, alice.token)).body.pinned, false);
    t.deepEqual((await list('?pinned=true')).sort(), [ids[0], ids[2], ids[3], ids[4]].sort());

    const page = await fetch(`${server.url}/api/v1/accounts/${alice.accountId}/statuses?limit=3&exclude_replies=1`);
    const firstPage = ((await page.json()) as { id: string }[]).map((s) => s.id);
    t.deepEqual(firstPage, [ids[5], ids[4], ids[3]]);
    const next = /<([^>]+)>; rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
    t.truthy(next);
    t.regex(next!, new RegExp(`max_id=${ids[3]}`));
    t.deepEqual(await list(`?limit=3&exclude_replies=1&max_id=${ids[3]}`), [ids[2], ids[1], ids[0]]);
  });

  test(`${target.name}: only the author edits or deletes a post; someone else gets 404`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const post = await send(server, 'POST', '/api/v1/statuses', alice.token, { status: 'Mine', media_ids: [await photo(server, alice)] });
    t.is((await send(server, 'PUT', `/api/v1/statuses/${post.body.id}`, bob.token, { status: 'Hacked' })).status, 404);
    t.is((await send(server, 'DELETE', `/api/v1/statuses/${post.body.id}`, bob.token)).status, 404);
    t.is((await getJson(server, `/api/v1/statuses/${post.body.id}/source`, bob.token)).status, 404);
    const noMedia = await send(server, 'PUT', `/api/v1/statuses/${post.body.id}`, alice.token, { media_ids: [] });
    t.is(noMedia.status, 422, 'an edit cannot leave a post without its photo');
    const located = await send(server, 'PUT', `/api/v1/statuses/${post.body.id}`, alice.token, { location: { name: 'Lisbon', lat: 38.72, lon: -9.14 } });
    t.deepEqual(located.body.place, { name: 'Lisbon', lat: 38.72, lon: -9.14 });
    const unlocated = await send(server, 'PUT', `/api/v1/statuses/${post.body.id}`, alice.token, { location: null });
    t.is(unlocated.body.place, null);
    const history = await getJson(server, `/api/v1/statuses/${post.body.id}/history`);
    t.is(history.body.length, 3, 'original, with location, without');
    t.deepEqual(history.body.map((v: { place: { name: string } | null }) => v.place?.name ?? null), [null, 'Lisbon', null]);
  });

  test(`${target.name}: a deleted post disappears at once and leaves every home feed by a job`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const post = await send(server, 'POST', '/api/v1/statuses', alice.token, { status: 'Soon gone', media_ids: [await photo(server, alice)] });
    const postId = Number(post.body.id);
    // Feed rows as fan-out leaves them (2,500: more than one purge batch).
    const readers = [bob.accountId, alice.accountId];
    for (let i = 0; i < 2498; i++) {
      const id = newId();
      await server.db('accounts').insert({ id, username: `reader${i}`, created_at: Date.now(), updated_at: Date.now() });
      readers.push(id);
    }
    for (let i = 0; i < readers.length; i += 500) {
      // Fan-out may have put it in its author's feed already.
      await server.db('home_feed')
        .insert(readers.slice(i, i + 500).map((account_id) => ({ account_id, post_id: postId, author_account_id: alice.accountId })))
        .onConflict(['account_id', 'post_id'])
        .ignore();
    }
    t.is((await send(server, 'DELETE', `/api/v1/statuses/${post.body.id}`, alice.token)).status, 200);
    t.is((await getJson(server, `/api/v1/statuses/${post.body.id}`, bob.token)).status, 404, 'hidden before the purge ran');
    t.is((await getJson(server, `/api/v1/accounts/${alice.accountId}/statuses`)).body.length, 0);
    await eventually(async () => (await server.db('posts').where({ id: postId }).first()) === undefined);
    t.is(Number((await server.db('home_feed').where({ post_id: postId }).count({ n: '*' }).first())!.n), 0);
  });
}
