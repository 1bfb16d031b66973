// Remote posts after they arrive, on SQLite and Postgres: direct messages in
// our users' conversations, Updates (history, out-of-order delivery) and
// Deletes (one post, or all of an actor's), and racing deliveries.
import test from 'ava';
import { findAccountById } from '../../../server/db/accounts.repo.ts';
import { findMediaByPostIds } from '../../../server/db/media.repo.ts';
import { findHashtagsByPostIds } from '../../../server/db/post-tags.repo.ts';
import { findPostById, findPostByUri } from '../../../server/db/posts.repo.ts';
import { listConversations } from '../../../server/services/conversations/conversations.service.ts';
import { FETCH_REMOTE_MEDIA_JOB } from '../../../server/services/media/remote-media.service.ts';
import { NOTIFY_SHARERS_JOB } from '../../../server/services/notifications/notify.ts';
import { createPost } from '../../../server/services/posts/create-post.service.ts';
import { getPostHistory } from '../../../server/services/posts/post-history.service.ts';
import { getPostView } from '../../../server/services/posts/read-posts.service.ts';
import { createRemotePost, deleteAllPostsOf, deleteRemotePost, editRemotePost } from '../../../server/services/posts/remote-post.service.ts';
import { databaseTargets } from '../../helpers/databases.ts';
import { feedWorker, insertFollows, publish, readersOf } from '../feeds/feed-fixtures.ts';
import { image, jobsOfType, localUser, note, notificationsOf, remoteActor, setup } from './remote-post-fixtures.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: a DM to two of our users (and someone elsewhere) is one conversation they share, and their reply joins it`, async (t) => {
    const { db, config } = await setup(t, target);
    const remi = await remoteActor(db, 'remi');
    const far = await remoteActor(db, 'far', 'far.example');
    const alice = await localUser(db, 'alice');
    const bob = await localUser(db, 'bob');
    const carol = await localUser(db, 'carol');
    const addressees = [alice.account.id, bob.account.id, far.id];
    // Mastodon tags only some addressees as mentions; all of them are addressed.
    const dm = note(remi, { visibility: 'direct', recipientUris: [], contentHtml: '<p>Dinner?</p>' });
    const { post } = await createRemotePost(db, config, { author: remi, note: dm, mentionedAccountIds: [alice.account.id], addresseeIds: addressees });
    // Delivered again to Bob's own inbox: still one post, one conversation.
    t.false((await createRemotePost(db, config, { author: remi, note: dm, mentionedAccountIds: [alice.account.id], addresseeIds: addressees })).created);

    const aliceList = (await listConversations(db, alice.account.id, { limit: 20 })).conversations;
    const bobList = (await listConversations(db, bob.account.id, { limit: 20 })).conversations;
    t.is(aliceList.length, 1);
    t.is(bobList.length, 1);
    t.is(aliceList[0]!.id, bobList[0]!.id);
    t.true(aliceList[0]!.unread);
    t.is(aliceList[0]!.lastStatus.post.id, post!.id);
    t.deepEqual(aliceList[0]!.accounts.map((a) => a.account.id).sort(), [remi.id, bob.account.id, far.id].sort());
    t.deepEqual((await listConversations(db, carol.account.id, { limit: 20 })).conversations, []);
    await t.throwsAsync(getPostView(db, carol.account.id, post!.id), undefined, 'a direct post is for its addressees only');
    t.deepEqual(await notificationsOf(db, alice.account.id), [['mention', remi.id, post!.id]]);
    t.deepEqual(await notificationsOf(db, bob.account.id), [['mention', remi.id, post!.id]]);
    await feedWorker(db, config).runUntilIdle();
    t.deepEqual(await readersOf(db, post!.id), new Set(), 'a direct post goes to no home feed');

    const reply = await createPost(db, config, { ...alice, appId: null }, { text: 'Yes!', visibility: 'direct', inReplyToId: post!.id });
    t.is(reply.conversationId, aliceList[0]!.id);
    const after = (await listConversations(db, bob.account.id, { limit: 20 })).conversations;
    t.deepEqual(
      after.map((c) => [c.id, c.lastStatus.post.id]),
      [[aliceList[0]!.id, post!.id]],
      "Alice's reply did not mention Bob: his list still shows the newest post that reached him",
    );
  });

  test(`${target.name}: an Update keeps the history, replaces media and tags, tells sharers; a stale or foreign one changes nothing`, async (t) => {
    const { db, config } = await setup(t, target);
    const remi = await remoteActor(db, 'remi');
    const mallory = await remoteActor(db, 'mallory', 'evil.example');
    const published = Date.now() - 3_600_000;
    const original = note(remi, {
      published,
      contentHtml: '<p>Sunset #orange</p>',
      hashtags: ['orange'],
      attachments: [image('https://cdn.remote.example/1.jpg', 'one'), image('https://cdn.remote.example/2.jpg', 'two')],
    });
    const { post } = await createRemotePost(db, config, { author: remi, note: original, mentionedAccountIds: [], addresseeIds: [] });
    const [kept] = (await findMediaByPostIds(db, [post!.id])).get(post!.id)!;

    const updated = published + 600_000;
    const edit = { ...original, contentHtml: '<p>Sunset, edited #red</p>', hashtags: ['red'], summary: 'bright', updated, attachments: [image('https://cdn.remote.example/1.jpg', 'one, better'), image('https://cdn.remote.example/3.jpg')] };
    t.is(await editRemotePost(db, config, { author: mallory, note: edit, mentionedAccountIds: [] }), null, "someone else's Update");
    const edited = await editRemotePost(db, config, { author: remi, note: edit, mentionedAccountIds: [] });
    t.is(edited!.caption, 'Sunset, edited #red');
    t.is(edited!.spoilerText, 'bright');
    t.true(edited!.sensitive);
    t.is(edited!.editedAt, updated);
    t.is(edited!.kind, 'carousel');
    const media = (await findMediaByPostIds(db, [post!.id])).get(post!.id)!;
    t.deepEqual(
      media.map((m) => [m.remoteUrl, m.description]),
      [
        ['https://cdn.remote.example/1.jpg', 'one, better'],
        ['https://cdn.remote.example/3.jpg', null],
      ],
    );
    t.is(media[0]!.id, kept!.id, 'an attachment still there keeps its row (and its fetched file)');
    t.is((await jobsOfType(db, FETCH_REMOTE_MEDIA_JOB)).length, 3);
    t.deepEqual(((await findHashtagsByPostIds(db, [post!.id])).get(post!.id) ?? []).map((tag) => tag.name), ['red']);
    t.deepEqual(
      (await jobsOfType(db, NOTIFY_SHARERS_JOB)).map((job) => job.postId),
      [post!.id],
    );

    const { versions } = await getPostHistory(db, null, post!.id);
    t.deepEqual(
      versions.map((v) => [v.edit.caption, v.edit.createdAt, v.media.map((m) => m.description)]),
      [
        ['Sunset #orange', published, ['one']],
        ['Sunset, edited #red', updated, ['one, better', null]],
      ],
    );

    // A late delivery of an older Update, or the same one again, is ignored.
    t.is(await editRemotePost(db, config, { author: remi, note: { ...original, updated: updated - 1, contentHtml: '<p>older</p>' }, mentionedAccountIds: [] }), null);
    t.is(await editRemotePost(db, config, { author: remi, note: edit, mentionedAccountIds: [] }), null);
    t.is((await findPostById(db, post!.id))!.caption, 'Sunset, edited #red');
    t.is((await getPostHistory(db, null, post!.id)).versions.length, 2);
    t.is((await jobsOfType(db, NOTIFY_SHARERS_JOB)).length, 1);
  });

  test(`${target.name}: a Delete from the author takes the post out of feeds and counts; from anyone else it is refused`, async (t) => {
    const { db, config } = await setup(t, target);
    const alice = await localUser(db, 'alice');
    const remi = await remoteActor(db, 'remi');
    const mallory = await remoteActor(db, 'mallory', 'evil.example');
    await insertFollows(db, [alice.account.id], remi.id);
    const parent = await publish(db, alice.account.id);
    const incoming = note(remi, { inReplyToUri: `${config.publicUrl}/users/alice/statuses/${parent.id}`, attachments: [image('https://cdn.remote.example/1.jpg')] });
    const { post } = await createRemotePost(db, config, { author: remi, note: incoming, mentionedAccountIds: [alice.account.id], addresseeIds: [] });
    const top = await createRemotePost(db, config, { author: remi, note: note(remi), mentionedAccountIds: [], addresseeIds: [] });
    const worker = feedWorker(db, config);
    await worker.runUntilIdle();
    t.deepEqual(await readersOf(db, top.post!.id), new Set([alice.account.id]));
    t.is((await findPostById(db, parent.id))!.commentsCount, 1);

    t.false(await deleteRemotePost(db, { authorId: mallory.id, uri: incoming.uri }));
    t.false(await deleteRemotePost(db, { authorId: mallory.id, uri: top.post!.uri! }));
    t.truthy(await findPostById(db, post!.id));

    t.true(await deleteRemotePost(db, { authorId: remi.id, uri: incoming.uri }));
    t.true(await deleteRemotePost(db, { authorId: remi.id, uri: top.post!.uri! }));
    t.false(await deleteRemotePost(db, { authorId: remi.id, uri: top.post!.uri! }), 'a second Delete finds nothing to delete');
    t.is(await findPostById(db, post!.id), undefined, 'hidden at once');
    t.is((await findPostById(db, parent.id))!.commentsCount, 0);
    t.is((await findAccountById(db, remi.id))!.postsCount, 0);
    t.deepEqual((await findMediaByPostIds(db, [post!.id])).get(post!.id) ?? [], []);
    // A Create delivered late must not bring it back while its tombstone stands.
    t.deepEqual((await createRemotePost(db, config, { author: remi, note: incoming, mentionedAccountIds: [], addresseeIds: [] })).refused, 'deleted');

    await worker.runUntilIdle();
    t.deepEqual(await readersOf(db, top.post!.id), new Set());
    t.is(await findPostByUri(db, top.post!.uri!, { withDeleted: true }), undefined, 'purged');
  });

  test(`${target.name}: an actor's Delete removes all their posts and shares, in batches`, async (t) => {
    const { db, config } = await setup(t, target);
    const alice = await localUser(db, 'alice');
    const remi = await remoteActor(db, 'remi');
    const other = await remoteActor(db, 'other');
    for (let i = 0; i < 5; i++) await createRemotePost(db, config, { author: remi, note: note(remi), mentionedAccountIds: [], addresseeIds: [] });
    const kept = await createRemotePost(db, config, { author: other, note: note(other), mentionedAccountIds: [], addresseeIds: [] });
    const shared = await publish(db, alice.account.id);
    await db('posts').where({ id: shared.id }).update({ reblogs_count: 1 });
    await publish(db, remi.id, { reblogOf: shared });

    t.is(await deleteAllPostsOf(db, remi.id, 2), 6);
    t.is(Number((await db('posts').where({ account_id: remi.id }).whereNull('deleted_at').count({ n: '*' }).first())!.n), 0);
    t.is((await findAccountById(db, remi.id))!.postsCount, 0);
    t.is((await findPostById(db, shared.id))!.reblogsCount, 0);
    t.truthy(await findPostById(db, kept.post!.id));
    t.is(await deleteAllPostsOf(db, remi.id), 0);
  });

  test(`${target.name}: two deliveries of one Create racing make one post`, async (t) => {
    const { db, config } = await setup(t, target);
    const remi = await remoteActor(db, 'remi');
    const incoming = note(remi, { attachments: [image('https://cdn.remote.example/1.jpg')] });
    const results = await Promise.all([1, 2, 3].map(() => createRemotePost(db, config, { author: remi, note: incoming, mentionedAccountIds: [], addresseeIds: [] })));
    t.is(results.filter((r) => r.created).length, 1);
    t.is(new Set(results.map((r) => r.post!.id)).size, 1);
    t.is((await jobsOfType(db, FETCH_REMOTE_MEDIA_JOB)).length, 1);
    t.is((await findAccountById(db, remi.id))!.postsCount, 1);
  });
}
