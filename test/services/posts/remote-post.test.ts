// Posts arriving over ActivityPub (what inbox Create/Update/Delete of a Note
// call), on SQLite and Postgres: what our users see of them (feeds,
// notifications, conversations, threads, history) and what must not happen
// (a second delivery writing twice, a reply past turned-off comments, a stale
// Update winning, someone else's Delete).
import test from 'ava';
import { findMediaByPostIds } from '../../../server/db/media.repo.ts';
import { findPostById, updatePost } from '../../../server/db/posts.repo.ts';
import { findAccountById } from '../../../server/db/accounts.repo.ts';
import { newId, timeOfId } from '../../../server/db/ids.ts';
import { findHashtagsByPostIds } from '../../../server/db/post-tags.repo.ts';
import { FETCH_REMOTE_MEDIA_JOB } from '../../../server/services/media/remote-media.service.ts';
import { NOTIFY_SUBSCRIBERS_JOB } from '../../../server/services/notifications/notify.ts';
import { getPostView } from '../../../server/services/posts/read-posts.service.ts';
import { createRemotePost, localPostRef } from '../../../server/services/posts/remote-post.service.ts';
import { editRemotePost } from '../../../server/services/posts/remote-post-edit.service.ts';
import { loadConfig } from '../../../config/load.ts';
import { JobRegistry } from '../../../server/jobs/registry.ts';
import { createWorker } from '../../../server/jobs/worker.ts';
import { registerNotificationJobs } from '../../../server/services/notifications/notification-jobs.ts';
import { htmlToPlainText, remoteHtml } from '../../../server/services/posts/remote-post-content.ts';
import { readHomeEntries } from '../../../server/services/feeds/timelines.service.ts';
import { databaseTargets } from '../../helpers/databases.ts';
import { feedWorker, insertFollows, publish, readersOf } from '../feeds/feed-fixtures.ts';
import { image, jobsOfType, localUser, note, notificationsOf, remoteActor, setup } from './remote-post-fixtures.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: a carousel Note becomes a post with pending media fetched by jobs; a second delivery changes nothing`, async (t) => {
    const { db, config } = await setup(t, target);
    const remi = await remoteActor(db, 'remi');
    const published = Date.UTC(2026, 5, 1, 12, 0, 0);
    const incoming = note(remi, {
      contentHtml: '<p>Three from the hike &amp; a <script>alert(1)</script><a href="https://remote.example/tags/Alps" class="hashtag">#Alps</a></p><p>second line<br>third</p>',
      summary: 'heights',
      published,
      hashtags: ['#Alps', 'hiking', 'not a tag'],
      attachments: [image('https://cdn.remote.example/1.jpg', 'Ridge'), image('https://cdn.remote.example/2.jpg'), { ...image('https://cdn.remote.example/3.mp4'), kind: 'video', mediaType: 'video/mp4' }],
      location: { name: 'Grindelwald', latitude: 46.62, longitude: 8.04 },
      commentsEnabled: false,
    });
    const first = await createRemotePost(db, config, { author: remi, note: incoming, mentionedAccountIds: [], addresseeIds: [] });
    t.true(first.created);
    const post = first.post!;
    t.is(post.kind, 'carousel');
    t.is(post.uri, incoming.uri);
    t.is(post.url, incoming.url);
    t.is(post.createdAt, published);
    t.is(timeOfId(post.id).getTime(), published, 'the id sorts by publication');
    t.false(post.captionHtml.includes('script'));
    t.is(post.caption, 'Three from the hike & a #Alps\n\nsecond line\nthird');
    t.is(post.spoilerText, 'heights');
    t.true(post.sensitive, 'a content warning implies sensitive media');
    t.is(post.locationName, 'Grindelwald');
    t.is(post.latitude, 46.62);
    t.false(post.commentsEnabled);
    t.deepEqual(((await findHashtagsByPostIds(db, [post.id])).get(post.id) ?? []).map((tag) => tag.name), ['alps', 'hiking']);

    const media = (await findMediaByPostIds(db, [post.id])).get(post.id) ?? [];
    t.deepEqual(
      media.map((m) => [m.state, m.remoteUrl, m.kind]),
      [
        ['pending', 'https://cdn.remote.example/1.jpg', 'image'],
        ['pending', 'https://cdn.remote.example/2.jpg', 'image'],
        ['pending', 'https://cdn.remote.example/3.mp4', 'video'],
      ],
    );
    t.is(media[0]!.description, 'Ridge');
    t.deepEqual(
      (await jobsOfType(db, FETCH_REMOTE_MEDIA_JOB)).map((job) => job.mediaId),
      media.map((m) => m.id),
    );
    t.is((await findAccountById(db, remi.id))!.postsCount, 1);

    const again = await createRemotePost(db, config, { author: remi, note: { ...incoming, contentHtml: '<p>changed?</p>' }, mentionedAccountIds: [], addresseeIds: [] });
    t.false(again.created);
    t.is(again.post!.id, post.id);
    t.is(again.post!.caption, post.caption);
    t.is(((await findMediaByPostIds(db, [post.id])).get(post.id) ?? []).length, 3);
    t.is((await jobsOfType(db, FETCH_REMOTE_MEDIA_JOB)).length, 3);
    t.is((await findAccountById(db, remi.id))!.postsCount, 1);

    // Another actor claiming the same id writes nothing.
    const mallory = await remoteActor(db, 'mallory', 'evil.example');
    const hijack = await createRemotePost(db, config, { author: mallory, note: { ...incoming, authorUri: mallory.uri! }, mentionedAccountIds: [], addresseeIds: [] });
    t.deepEqual([hijack.created, hijack.refused], [false, 'not-author']);
    t.is((await findPostById(db, post.id))!.accountId, remi.id);
  });

  test(`${target.name}: a photo Note is a photo, a video Note a video, a text Note text`, async (t) => {
    const { db, config } = await setup(t, target);
    const remi = await remoteActor(db, 'remi');
    const create = (attachments: ReturnType<typeof image>[]) => createRemotePost(db, config, { author: remi, note: note(remi, { attachments }), mentionedAccountIds: [], addresseeIds: [] });
    t.is((await create([image('https://cdn.remote.example/a.jpg')])).post!.kind, 'photo');
    t.is((await create([{ ...image('https://cdn.remote.example/a.mp4'), kind: 'video' }])).post!.kind, 'video');
    t.is((await create([])).post!.kind, 'text');
    // An attachment nothing could fetch is left out, and the kind follows what is left.
    t.is((await create([image('https://cdn.remote.example/b.jpg'), image('ftp://cdn.remote.example/c.jpg')])).post!.kind, 'photo');
  });

  test(`${target.name}: a remote comment on a local post counts, threads and notifies its author; refused when comments are off`, async (t) => {
    const { db, config } = await setup(t, target);
    const alice = await localUser(db, 'alice');
    const remi = await remoteActor(db, 'remi');
    const parent = await publish(db, alice.account.id);
    const parentUri = `${config.publicUrl}/users/alice/statuses/${parent.id}`;

    const reply = await createRemotePost(db, config, { author: remi, note: note(remi, { inReplyToUri: parentUri, contentHtml: '<p>Lovely</p>' }), mentionedAccountIds: [alice.account.id], addresseeIds: [] });
    t.true(reply.created);
    t.is(reply.post!.inReplyToId, parent.id);
    t.is(reply.post!.inReplyToAccountId, alice.account.id);
    t.is((await findPostById(db, parent.id))!.commentsCount, 1);
    t.deepEqual(await notificationsOf(db, alice.account.id), [['mention', remi.id, reply.post!.id]], 'one notification, though both mentioned and replied to');
    const thread = await getPostView(db, alice.account.id, reply.post!.id);
    t.is(thread.post.caption, 'Lovely');

    // A reply to the remote reply finds its parent by uri.
    const nested = await createRemotePost(db, config, { author: remi, note: note(remi, { inReplyToUri: reply.post!.uri }), mentionedAccountIds: [], addresseeIds: [] });
    t.is(nested.post!.inReplyToId, reply.post!.id);
    // An unknown parent is remembered by its uri only.
    const stray = await createRemotePost(db, config, { author: remi, note: note(remi, { inReplyToUri: 'https://other.example/notes/1' }), mentionedAccountIds: [], addresseeIds: [] });
    t.deepEqual([stray.post!.inReplyToId, stray.post!.inReplyToUri], [null, 'https://other.example/notes/1']);

    await updatePost(db, parent.id, { commentsEnabled: false });
    const refused = await createRemotePost(db, config, { author: remi, note: note(remi, { inReplyToUri: parentUri }), mentionedAccountIds: [alice.account.id], addresseeIds: [] });
    t.deepEqual(refused, { post: null, created: false, refused: 'comments-disabled' });
    t.is((await findPostById(db, parent.id))!.commentsCount, 1);
    t.is(Number((await db('posts').where({ in_reply_to_id: parent.id }).count({ n: '*' }).first())!.n), 1);
    t.is((await notificationsOf(db, alice.account.id)).length, 1);
  });

  test(`${target.name}: a remote followers-only post reaches our approved followers' home feeds only`, async (t) => {
    const { db, config } = await setup(t, target);
    const remi = await remoteActor(db, 'remi');
    const follower = await localUser(db, 'follower');
    const requester = await localUser(db, 'requester');
    const stranger = await localUser(db, 'stranger');
    await insertFollows(db, [follower.account.id], remi.id);
    await db('follow_requests').insert({ id: newId(), account_id: requester.account.id, target_account_id: remi.id, created_at: Date.now() });

    const { post } = await createRemotePost(db, config, { author: remi, note: note(remi, { visibility: 'private', hashtags: ['quiet'] }), mentionedAccountIds: [], addresseeIds: [] });
    const open = await createRemotePost(db, config, { author: remi, note: note(remi), mentionedAccountIds: [], addresseeIds: [] });
    await feedWorker(db, config).runUntilIdle();

    t.deepEqual(await readersOf(db, post!.id), new Set([follower.account.id]), 'no own-feed row for a remote author, no requester, no stranger');
    t.deepEqual(
      (await readHomeEntries(db, follower.account.id, { limit: 20 })).entries.map((entry) => entry.post.id),
      [open.post!.id, post!.id],
    );
    t.deepEqual((await readHomeEntries(db, requester.account.id, { limit: 20 })).entries, []);
    t.deepEqual((await readHomeEntries(db, stranger.account.id, { limit: 20 })).entries, []);
    // Nobody here asked to be told of remi's posts: no job to find that out.
    t.is((await jobsOfType(db, NOTIFY_SUBSCRIBERS_JOB)).length, 0);
  });

  test(`${target.name}: subscribers are told of a remote author's top-level posts, as of local ones`, async (t) => {
    const { db, config } = await setup(t, target);
    const remi = await remoteActor(db, 'remi');
    const fan = await localUser(db, 'fan');
    const follower = await localUser(db, 'follower');
    await insertFollows(db, [fan.account.id, follower.account.id], remi.id);
    await db('follows').where({ account_id: fan.account.id }).update({ notify: true });
    const { post } = await createRemotePost(db, config, { author: remi, note: note(remi), mentionedAccountIds: [], addresseeIds: [] });
    await createRemotePost(db, config, { author: remi, note: note(remi, { inReplyToUri: post!.uri! }), mentionedAccountIds: [], addresseeIds: [] });
    t.is((await jobsOfType(db, NOTIFY_SUBSCRIBERS_JOB)).length, 1, 'the post, not the reply');
    const registry = new JobRegistry();
    registerNotificationJobs(registry, db, config);
    await createWorker({ db, registry, concurrency: 2, pollMs: 10, leaseMs: 60_000 }).runUntilIdle();
    t.deepEqual(
      await notificationsOf(db, fan.account.id),
      [['status', remi.id, post!.id]],
    );
    t.deepEqual(await notificationsOf(db, follower.account.id), []);
  });

  test(`${target.name}: with remote media off, a remote post's and an edit's attachments are recorded and no fetch job is queued`, async (t) => {
    const { db, dataDir, url } = await target.create(t);
    const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, DATABASE_URL: url, VIEWFINDER_REMOTE_MEDIA: 'off' }, cwd: dataDir, persistSecret: false });
    const remi = await remoteActor(db, 'remi');
    const incoming = note(remi, { attachments: [image('https://cdn.remote.example/1.jpg', 'Ridge')] });
    const { post } = await createRemotePost(db, config, { author: remi, note: incoming, mentionedAccountIds: [], addresseeIds: [] });
    const edit = { ...incoming, updated: Date.now() + 1000, attachments: [image('https://cdn.remote.example/1.jpg', 'Ridge'), image('https://cdn.remote.example/2.jpg')] };
    await editRemotePost(db, config, { author: remi, note: edit, mentionedAccountIds: [] });
    t.deepEqual(
      ((await findMediaByPostIds(db, [post!.id])).get(post!.id) ?? []).map((m) => m.remoteUrl),
      ['https://cdn.remote.example/1.jpg', 'https://cdn.remote.example/2.jpg'],
    );
    t.deepEqual(await jobsOfType(db, FETCH_REMOTE_MEDIA_JOB), []);
  });

  test(`${target.name}: a remote reply to a post we do not know stays out of home feeds`, async (t) => {
    const { db, config } = await setup(t, target);
    const remi = await remoteActor(db, 'remi');
    const follower = await localUser(db, 'follower');
    await insertFollows(db, [follower.account.id], remi.id);
    const { post } = await createRemotePost(db, config, { author: remi, note: note(remi, { inReplyToUri: 'https://other.example/notes/9' }), mentionedAccountIds: [], addresseeIds: [] });
    await feedWorker(db, config).runUntilIdle();
    t.deepEqual(await readersOf(db, post!.id), new Set());
    t.is((await jobsOfType(db, NOTIFY_SUBSCRIBERS_JOB)).length, 0);
  });

  test(`${target.name}: mentions from an account our user blocked notify nobody`, async (t) => {
    const { db, config } = await setup(t, target);
    const alice = await localUser(db, 'alice');
    const remi = await remoteActor(db, 'remi');
    await db('blocks').insert({ id: newId(), account_id: alice.account.id, target_account_id: remi.id, created_at: Date.now() });
    const { post } = await createRemotePost(db, config, { author: remi, note: note(remi), mentionedAccountIds: [alice.account.id], addresseeIds: [] });
    t.truthy(post);
    t.deepEqual(await notificationsOf(db, alice.account.id), []);
  });
}

test('our ActivityPub ids of local posts are recognised, nothing else', (t) => {
  const base = 'https://photos.example';
  t.deepEqual(localPostRef(base, `${base}/users/alice/statuses/123456`), { username: 'alice', id: 123456 });
  t.deepEqual(localPostRef(`${base}/`, `${base}/users/b%C3%A9a/statuses/7`), { username: 'béa', id: 7 });
  t.is(localPostRef(base, 'https://elsewhere.example/users/alice/statuses/1'), null);
  t.is(localPostRef(base, `${base}/users/alice/statuses/1/replies`), null);
  t.is(localPostRef(base, `${base}/users/alice/statuses/12345678901234567`), null);
  t.is(localPostRef(base, `${base}/users/%E0%A4%A/statuses/1`), null);
});

test("other servers' markup shows as text, never as tags; scripts and bad links go", (t) => {
  const html = remoteHtml('<p>a <strong>bold</strong> &amp; <script>steal()</script><a href="javascript:x()" onclick="y()">link</a></p><blockquote>quoted</blockquote><ul><li>one</li></ul>');
  t.is(html, '<p>a bold &amp; <a>link</a></p><p>quoted</p><p>one</p>');
  t.is(htmlToPlainText(html), 'a bold & link\n\nquoted\n\none');
  t.is(htmlToPlainText(remoteHtml('<p>1 &lt; 2 &quot;ok&quot;<br/>next</p>')), '1 < 2 "ok"\nnext');
});
