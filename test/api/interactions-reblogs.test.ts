// Shares (reblogs) over real HTTP on each database: reblog and unreblog, the
// share's Status with the original nested, its visibility (public unless
// asked; followers-only posts only by their author; direct never), counts
// under concurrent requests, reblogged_by, and that a share of a post the
// viewer may not see is not shown. Hydration stays a fixed number of queries
// whatever the page holds.
import test, { type ExecutionContext } from 'ava';
import { newId } from '../../server/db/ids.ts';
import { findPostsByIds } from '../../server/db/posts.repo.ts';
import { visiblePostViews } from '../../server/services/posts/post-views.ts';
import { databaseTargets, type DatabaseTarget } from '../helpers/databases.ts';
import { createUser, getJson, startApiServer, type ApiServer, type TestUser } from './helpers.ts';
import { manyAccounts, photoPost, send, startInlineWorker } from './post-helpers.ts';
import { eventually } from './media-helpers.ts';

/** A photo post tagged #sea, so a share's original has a tag to show. */
const seaPost = (server: ApiServer, user: TestUser, extra: Record<string, unknown> = {}) => photoPost(server, user, { status: 'A photo #sea', ...extra });

async function setup(t: ExecutionContext, target: DatabaseTarget) {
  const server = await startApiServer(t, target);
  const worker = startInlineWorker(t, server);
  const alice = await createUser(server, 'alice');
  const bob = await createUser(server, 'bob');
  return { server, worker, alice, bob };
}

const reblogsCount = async (server: ApiServer, postId: string) => Number((await server.db('posts').where({ id: postId }).first('reblogs_count'))!.reblogs_count);
const liveShares = async (server: ApiServer, postId: string) => Number((await server.db('posts').where({ reblog_of_id: postId }).whereNull('deleted_at').count({ n: '*' }).first())!.n);

async function follow(server: ApiServer, follower: TestUser, followed: TestUser): Promise<void> {
  await server.db('follows').insert({ id: newId(), account_id: follower.accountId, target_account_id: followed.accountId, created_at: Date.now() });
}

async function block(server: ApiServer, blocker: TestUser, blocked: TestUser): Promise<void> {
  await server.db('blocks').insert({ id: newId(), account_id: blocker.accountId, target_account_id: blocked.accountId, created_at: Date.now() });
}

for (const target of await databaseTargets()) {
  test(`${target.name}: reblog answers the share with the original nested; unreblog takes it back; both idempotent`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const postId = await seaPost(server, alice);

    const shared = await send(server, 'POST', `/api/v1/statuses/${postId}/reblog`, bob.token);
    t.is(shared.status, 200);
    const shareId: string = shared.body.id;
    t.not(shareId, postId);
    t.is(shared.body.account.username, 'bob');
    t.is(shared.body.visibility, 'public');
    t.is(shared.body.content, '');
    t.deepEqual(shared.body.media_attachments, []);
    t.is(shared.body.uri, `http://127.0.0.1:9/users/bob/statuses/${shareId}/activity`);
    t.true(shared.body.reblogged);
    t.is(shared.body.reblog.id, postId);
    t.is(shared.body.reblog.account.username, 'alice');
    t.is(shared.body.reblog.media_attachments.length, 1);
    t.deepEqual(shared.body.reblog.tags.map((tag: { name: string }) => tag.name), ['sea']);
    t.true(shared.body.reblog.reblogged);
    t.is(shared.body.reblog.reblogs_count, 1);
    t.is(shared.body.reblog.reblog, null);

    const again = await send(server, 'POST', `/api/v1/statuses/${postId}/reblog`, bob.token);
    t.is(again.body.id, shareId, 'a second reblog is the same share');
    // Sharing the share shares the original, once.
    t.is((await send(server, 'POST', `/api/v1/statuses/${shareId}/reblog`, bob.token)).body.id, shareId);
    t.is(await reblogsCount(server, postId), 1);
    t.is(await liveShares(server, postId), 1);

    // Anyone reads the share as Mastodon serializes it; the profile grid keeps to the author's own posts.
    const anonymous = await getJson(server, `/api/v1/statuses/${shareId}`);
    t.is(anonymous.status, 200);
    t.is(anonymous.body.reblog.id, postId);
    t.is(anonymous.body.reblog.favourited, undefined);
    t.deepEqual((await getJson(server, `/api/v1/accounts/${bob.accountId}/statuses`)).body, []);

    // Liking the share likes the original.
    const liked = await send(server, 'POST', `/api/v1/statuses/${shareId}/favourite`, alice.token);
    t.is(liked.body.id, postId);
    t.is(liked.body.favourites_count, 1);

    const by = await getJson(server, `/api/v1/statuses/${postId}/reblogged_by`);
    t.deepEqual(by.body.map((a: { username: string }) => a.username), ['bob']);

    const undone = await send(server, 'POST', `/api/v1/statuses/${postId}/unreblog`, bob.token);
    t.is(undone.status, 200);
    t.is(undone.body.id, postId);
    t.false(undone.body.reblogged);
    t.is(undone.body.reblogs_count, 0);
    t.is((await getJson(server, `/api/v1/statuses/${shareId}`)).status, 404, 'the share is gone at once');
    t.is((await send(server, 'POST', `/api/v1/statuses/${postId}/unreblog`, bob.token)).body.reblogs_count, 0);
    t.deepEqual((await getJson(server, `/api/v1/statuses/${postId}/reblogged_by`)).body, []);
    // The purge job takes the row away for good.
    await eventually(async () => (await server.db('posts').where({ id: shareId }).first()) === undefined);

    // Shared again, through masto: a new share, asked unlisted.
    const viaMasto = await bob.client.v1.statuses.$select(postId).reblog({ visibility: 'unlisted' });
    t.not(viaMasto.id, shareId);
    t.is(viaMasto.visibility, 'unlisted');
    t.is(viaMasto.reblog?.id, postId);
    t.is(viaMasto.reblog?.reblogsCount, 1);
    t.is(await reblogsCount(server, postId), 1);

    t.is((await send(server, 'POST', `/api/v1/statuses/${postId}/reblog`, alice.token, { visibility: 'direct' })).status, 422);
    t.is((await send(server, 'POST', `/api/v1/statuses/${newId()}/reblog`, bob.token)).status, 404);
    t.is((await send(server, 'POST', `/api/v1/statuses/${postId}/reblog`, undefined)).status, 401);
  });

  test(`${target.name}: followers-only posts are shared only by their author, direct posts never`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const carol = await createUser(server, 'carol');
    await follow(server, bob, alice);
    const privateId = await seaPost(server, alice, { visibility: 'private' });

    const byFollower = await send(server, 'POST', `/api/v1/statuses/${privateId}/reblog`, bob.token);
    t.is(byFollower.status, 403, 'a follower sees it but may not share it');
    t.is(byFollower.body.error, 'This action is not allowed');
    await t.throwsAsync(bob.client.v1.statuses.$select(privateId).reblog());
    t.is((await send(server, 'POST', `/api/v1/statuses/${privateId}/reblog`, carol.token)).status, 404, 'a stranger does not see it at all');

    const own = await send(server, 'POST', `/api/v1/statuses/${privateId}/reblog`, alice.token, { visibility: 'public' });
    t.is(own.status, 200);
    t.is(own.body.visibility, 'private', "a share of a followers-only post stays followers-only");
    t.is(own.body.reblog.id, privateId);
    // Bob (a follower) sees Alice's share; Carol does not.
    t.is((await getJson(server, `/api/v1/statuses/${own.body.id}`, bob.token)).status, 200);
    t.is((await getJson(server, `/api/v1/statuses/${own.body.id}`, carol.token)).status, 404);
    t.is(await reblogsCount(server, privateId), 1);

    const dm = await send(server, 'POST', '/api/v1/statuses', alice.token, { status: '@bob hi', visibility: 'direct' });
    t.is((await send(server, 'POST', `/api/v1/statuses/${dm.body.id}/reblog`, bob.token)).status, 403);
    t.is((await send(server, 'POST', `/api/v1/statuses/${dm.body.id}/reblog`, alice.token)).status, 403);
    t.is(await liveShares(server, dm.body.id), 0);
  });

  test(`${target.name}: a share of a post the viewer may not see is not shown; neither is a private share to non-followers`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const carol = await createUser(server, 'carol');
    const dave = await createUser(server, 'dave');
    const postId = await seaPost(server, alice);
    const share = await send(server, 'POST', `/api/v1/statuses/${postId}/reblog`, bob.token);
    const privateShare = await send(server, 'POST', `/api/v1/statuses/${postId}/reblog`, carol.token, { visibility: 'private' });
    t.is(privateShare.body.visibility, 'private');

    await block(server, alice, dave);
    t.is((await getJson(server, `/api/v1/statuses/${share.body.id}`, dave.token)).status, 404, "Bob's share of a post hidden from Dave");
    t.is((await getJson(server, `/api/v1/statuses?id[]=${share.body.id}&id[]=${postId}`, dave.token)).body.length, 0);
    t.is((await send(server, 'POST', `/api/v1/statuses/${share.body.id}/reblog`, dave.token)).status, 404, 'nor can Dave share it through the share');
    t.is((await getJson(server, `/api/v1/statuses/${privateShare.body.id}`, bob.token)).status, 404, "Carol's followers-only share, to a non-follower");
    await follow(server, bob, carol);
    t.is((await getJson(server, `/api/v1/statuses/${privateShare.body.id}`, bob.token)).status, 200);
    // reblogged_by lists public and unlisted shares only (and the viewer's own).
    t.deepEqual((await getJson(server, `/api/v1/statuses/${postId}/reblogged_by`)).body.map((a: { username: string }) => a.username), ['bob']);
    t.deepEqual((await getJson(server, `/api/v1/statuses/${postId}/reblogged_by`, carol.token)).body.map((a: { username: string }) => a.username), ['carol', 'bob']);
    t.is((await getJson(server, `/api/v1/statuses/${postId}/reblogged_by`, dave.token)).status, 404);

    // The original deleted: its shares go with it.
    t.is((await send(server, 'DELETE', `/api/v1/statuses/${postId}`, alice.token)).status, 200);
    t.is((await getJson(server, `/api/v1/statuses/${share.body.id}`)).status, 404);
  });

  test(`${target.name}: parallel reblogs count once per account`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const postId = await seaPost(server, alice);
    const sharers = await manyAccounts(server, 30, 'sharer');
    const answers = await Promise.all([
      ...sharers.map((s) => send(server, 'POST', `/api/v1/statuses/${postId}/reblog`, s.token)),
      ...Array.from({ length: 30 }, () => send(server, 'POST', `/api/v1/statuses/${postId}/reblog`, bob.token)),
    ]);
    t.deepEqual([...new Set(answers.map((a) => a.status))], [200]);
    t.is(new Set(answers.slice(30).map((a) => a.body.id)).size, 1, "all of Bob's answers are his one share");
    t.is(await liveShares(server, postId), 31);
    t.is(await reblogsCount(server, postId), 31);

    const undoes = await Promise.all([
      ...sharers.map((s) => send(server, 'POST', `/api/v1/statuses/${postId}/unreblog`, s.token)),
      ...Array.from({ length: 10 }, () => send(server, 'POST', `/api/v1/statuses/${postId}/unreblog`, bob.token)),
    ]);
    t.deepEqual([...new Set(undoes.map((a) => a.status))], [200]);
    t.is(await liveShares(server, postId), 0);
    t.is(await reblogsCount(server, postId), 0);
  });

  test(`${target.name}: hydrating a page takes no more queries for 12 posts than for 2, shares included`, async (t) => {
    const { server, worker, alice, bob } = await setup(t, target);
    const carol = await createUser(server, 'carol');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await seaPost(server, alice, { status: `@carol photo ${i} #tag${i}` }));
    for (let i = 0; i < 3; i++) ids.push((await send(server, 'POST', '/api/v1/statuses', carol.token, { status: `@bob nice ${i}`, in_reply_to_id: ids[i] })).body.id);
    for (const user of [bob, carol]) {
      for (const id of ids.slice(0, 3)) ids.push((await send(server, 'POST', `/api/v1/statuses/${id}/reblog`, user.token)).body.id);
    }
    t.is(ids.length, 12);
    for (const id of ids.slice(0, 4)) await send(server, 'POST', `/api/v1/statuses/${id}/favourite`, bob.token);
    await worker.stop();

    const byId = new Map((await findPostsByIds(server.db, ids.map(Number))).map((p) => [p.id, p]));
    const posts = ids.map((id) => byId.get(Number(id))!);
    const queriesFor = async (page: typeof posts) => {
      let queries = 0;
      const count = () => queries++;
      server.db.on('query', count);
      const views = await visiblePostViews(server.db, bob.accountId, page);
      server.db.removeListener('query', count);
      return { queries, views };
    };
    // A small page with one share, and the whole page with six.
    const small = await queriesFor([posts[0]!, posts[6]!]);
    const large = await queriesFor(posts);
    t.is(small.views.length, 2);
    t.is(large.views.length, 12);
    // Never more for the larger page (fewer when, say, every mentioned account is already an author).
    t.true(large.queries <= small.queries, `${small.queries} queries for 2 posts, ${large.queries} for 12`);
    t.true(small.queries <= 16, `${small.queries} queries`);
    t.is(large.views[6]!.reblog?.post.id, Number(ids[0]));
    t.true(large.views[6]!.reblog?.viewer.liked);
    t.is(large.views[6]!.reblog?.media.length, 1);
  });

  test(`${target.name}: deleting a share through DELETE /statuses/:id takes it back without drifting counts`, async (t) => {
    const { server, alice, bob } = await setup(t, target);
    const original = await seaPost(server, alice);
    const share = await send(server, 'POST', `/api/v1/statuses/${original}/reblog`, bob.token);
    t.is(share.status, 200);
    const postsBefore = (await getJson(server, '/api/v1/accounts/verify_credentials', bob.token)).body.statuses_count;
    t.is(await reblogsCount(server, original), 1);
    t.is((await send(server, 'PUT', `/api/v1/statuses/${share.body.id}`, bob.token, { status: 'edited' })).status, 404, 'a share is not editable');
    t.is((await send(server, 'POST', `/api/v1/statuses/${share.body.id}/pin`, bob.token)).status, 404, 'nor pinnable');
    const deleted = await send(server, 'DELETE', `/api/v1/statuses/${share.body.id}`, bob.token);
    t.is(deleted.status, 200);
    t.is(await reblogsCount(server, original), 0);
    t.is(await liveShares(server, original), 0);
    t.is((await getJson(server, '/api/v1/accounts/verify_credentials', bob.token)).body.statuses_count, postsBefore);
    await eventually(async () => (await server.db('posts').where({ id: share.body.id }).first()) === undefined);
  });
}
