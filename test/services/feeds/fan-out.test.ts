// Fan-out on write, on SQLite and Postgres: rows written in bulk (no API), the
// feed jobs run by a worker with the test's numbers. Who receives a post
// (followers, followers-only, hashtag followers, reblogs, replies), and what
// takes it out again (unfollow, delete), trimming and backfill.
import test, { type ExecutionContext } from 'ava';
import { loadConfig } from '../../../config/load.ts';
import { newId } from '../../../server/db/ids.ts';
import { fanOutPost } from '../../../server/services/feeds/fan-out.job.ts';
import { feedAuthorRemoved, feedFollowStarted } from '../../../server/services/feeds/feed-events.ts';
import { DELIVER_JOB, TRIM_JOB, feedTuning } from '../../../server/services/feeds/feed-settings.ts';
import { deletePost } from '../../../server/services/posts/delete-post.service.ts';
import { databaseTargets, type DatabaseTarget } from '../../helpers/databases.ts';
import { feedOf, feedWorker, insertAccounts, insertFollows, publish, readersOf } from './feed-fixtures.ts';

async function setup(t: ExecutionContext, target: DatabaseTarget) {
  const { db, dataDir, url } = await target.create(t);
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, DATABASE_URL: url }, cwd: dataDir, persistSecret: false });
  return { db, config };
}

const now = () => Date.now();

for (const target of await databaseTargets()) {
  test(`${target.name}: 1,000 followers receive a post, in batches; remote, muting and blocked followers do not`, async (t) => {
    const { db, config } = await setup(t, target);
    const [author] = await insertAccounts(db, 1, 'author');
    const followers = await insertAccounts(db, 1000, 'reader');
    const remote = await insertAccounts(db, 3, 'far', 'remote.example');
    const [muter, blocker, blocked] = await insertAccounts(db, 3, 'picky');
    await insertFollows(db, [...followers, ...remote, muter!, blocker!, blocked!], author!);
    await db('mutes').insert({ id: newId(), account_id: muter, target_account_id: author, created_at: now() });
    await db('blocks').insert([
      { id: newId(), account_id: blocker, target_account_id: author, created_at: now() },
      { id: newId(), account_id: author, target_account_id: blocked, created_at: now() },
    ]);
    const post = await publish(db, author!);
    // The author's own feed has it at once, before any job.
    t.deepEqual(await feedOf(db, author!), [post.id]);

    await feedWorker(db, config, { fanoutBatch: 250 }).runUntilIdle();
    const readers = await readersOf(db, post.id);
    t.is(readers.size, 1001);
    t.true(followers.every((id) => readers.has(id)));
    t.true(readers.has(author!));
    for (const id of [...remote, muter!, blocker!, blocked!]) t.false(readers.has(id));
    const reasons = await db('home_feed').where({ post_id: post.id }).select('reason').groupBy('reason').count({ n: '*' });
    t.deepEqual(Object.fromEntries(reasons.map((r) => [(r as { reason: string }).reason, Number(r.n)])), { follow: 1000, self: 1 });
    t.is(Number((await db('jobs').count({ n: '*' }).first())!.n), 0);
  });

  test(`${target.name}: a followers-only post reaches approved followers only, never hashtag followers; a direct post no feed`, async (t) => {
    const { db, config } = await setup(t, target);
    const [author, follower, requester, tagFan] = await insertAccounts(db, 4, 'a');
    await insertFollows(db, [follower!], author!);
    await db('follow_requests').insert({ id: newId(), account_id: requester, target_account_id: author, created_at: now() });
    const privatePost = await publish(db, author!, { visibility: 'private', hashtags: ['secret'] });
    const [tag] = await db('hashtags').where({ name: 'secret' }).select('id');
    await db('followed_hashtags').insert({ id: newId(), account_id: tagFan, hashtag_id: tag.id, created_at: now() });
    const direct = await publish(db, author!, { visibility: 'direct' });
    await feedWorker(db, config).runUntilIdle();
    t.deepEqual(await readersOf(db, privatePost.id), new Set([author!, follower!]));
    t.deepEqual(await readersOf(db, direct.id), new Set());

    // A public post with the tag reaches the tag's follower, as 'hashtag'; an unlisted one does not.
    const open = await publish(db, author!, { hashtags: ['Secret'] });
    const unlisted = await publish(db, author!, { visibility: 'unlisted', hashtags: ['secret'] });
    await feedWorker(db, config).runUntilIdle();
    t.deepEqual(await readersOf(db, open.id), new Set([author!, follower!, tagFan!]));
    t.is((await db('home_feed').where({ account_id: tagFan, post_id: open.id }).first()).reason, 'hashtag');
    t.deepEqual(await readersOf(db, unlisted.id), new Set([author!, follower!]));
  });

  test(`${target.name}: unfollowing takes the author's posts out of that feed only`, async (t) => {
    const { db, config } = await setup(t, target);
    const [author, other, leaver, stayer] = await insertAccounts(db, 4, 'u');
    await insertFollows(db, [leaver!, stayer!], author!);
    await insertFollows(db, [leaver!], other!);
    const posts = [await publish(db, author!), await publish(db, author!), await publish(db, author!)];
    const kept = await publish(db, other!);
    const worker = feedWorker(db, config);
    await worker.runUntilIdle();
    t.is((await feedOf(db, leaver!)).length, 4);

    await db.transaction(async (trx) => {
      await trx('follows').where({ account_id: leaver, target_account_id: author }).delete();
      await feedAuthorRemoved(trx, leaver!, author!);
    });
    await worker.runUntilIdle();
    t.deepEqual(await feedOf(db, leaver!), [kept.id]);
    t.deepEqual(await feedOf(db, stayer!), posts.map((p) => p.id).reverse());
    t.deepEqual(await feedOf(db, author!), posts.map((p) => p.id).reverse());
  });

  test(`${target.name}: a removal job finding the follow back (and nothing between them) leaves the feed alone`, async (t) => {
    const { db, config } = await setup(t, target);
    const [author, reader] = await insertAccounts(db, 2, 'r');
    await insertFollows(db, [reader!], author!);
    const post = await publish(db, author!);
    const worker = feedWorker(db, config);
    await worker.runUntilIdle();
    await db.transaction((trx) => feedAuthorRemoved(trx, reader!, author!));
    await worker.runUntilIdle();
    t.deepEqual(await feedOf(db, reader!), [post.id]);
    // A mute takes the author's posts out, follow or not.
    await db.transaction(async (trx) => {
      await trx('mutes').insert({ id: newId(), account_id: reader, target_account_id: author, created_at: now() });
      await feedAuthorRemoved(trx, reader!, author!);
    });
    await worker.runUntilIdle();
    t.deepEqual(await feedOf(db, reader!), []);
  });

  test(`${target.name}: deleting a post takes it out of every feed (post.purge, in batches)`, async (t) => {
    const { db, config } = await setup(t, target);
    const [author] = await insertAccounts(db, 1, 'd');
    const followers = await insertAccounts(db, 1500, 'f');
    await insertFollows(db, followers, author!);
    const post = await publish(db, author!);
    const other = await publish(db, author!);
    const worker = feedWorker(db, config);
    await worker.runUntilIdle();
    t.is((await readersOf(db, post.id)).size, 1501);

    await deletePost(db, author!, post.id);
    await worker.runUntilIdle();
    t.is((await readersOf(db, post.id)).size, 0);
    t.is((await readersOf(db, other.id)).size, 1501);
    t.is(await db('posts').where({ id: post.id }).first(), undefined);
  });

  test(`${target.name}: each feed keeps its newest 800 entries`, async (t) => {
    const { db, config } = await setup(t, target);
    const [author, reader] = await insertAccounts(db, 2, 't');
    await insertFollows(db, [reader!], author!);
    // 850 older posts already in the reader's feed, written directly.
    const start = Date.now() - 1_000_000;
    const old = Array.from({ length: 850 }, (_, i) => newId(start + i * 1000));
    const postRows = old.map((id) => ({ id, account_id: author, kind: 'photo', visibility: 'public', created_at: start, updated_at: start }));
    const feedRows = old.map((post_id) => ({ account_id: reader, post_id, author_account_id: author, reason: 'follow' }));
    for (let i = 0; i < old.length; i += 400) {
      await db('posts').insert(postRows.slice(i, i + 400));
      await db('home_feed').insert(feedRows.slice(i, i + 400));
    }
    const post = await publish(db, author!);
    await feedWorker(db, config, { trimOneIn: 1 }).runUntilIdle();
    const feed = await feedOf(db, reader!);
    t.is(feed.length, 800);
    t.is(feed[0], post.id);
    t.deepEqual(feed.slice(1), old.slice(-799).reverse());
    // The author's own feed has one entry: nothing to trim.
    t.deepEqual(await feedOf(db, author!), [post.id]);
  });

  test(`${target.name}: the jobs run with the configured feed size, fan-out batch and trim rate`, async (t) => {
    const { db, dataDir, url } = await target.create(t);
    const env = { VIEWFINDER_DATA_DIR: dataDir, DATABASE_URL: url, VIEWFINDER_HOME_FEED_SIZE: '20', VIEWFINDER_HOME_FEED_FANOUT_BATCH: '10', VIEWFINDER_HOME_FEED_TRIM_ONE_IN: '1' };
    const config = loadConfig({ env, cwd: dataDir, persistSecret: false });
    const [author] = await insertAccounts(db, 1, 'c');
    const readers = await insertAccounts(db, 25, 'cr');
    await insertFollows(db, readers, author!);
    // 30 older posts already in the first reader's feed.
    const start = Date.now() - 1_000_000;
    const old = Array.from({ length: 30 }, (_, i) => newId(start + i * 1000));
    await db('posts').insert(old.map((id) => ({ id, account_id: author, kind: 'photo', visibility: 'public', created_at: start, updated_at: start })));
    await db('home_feed').insert(old.map((post_id) => ({ account_id: readers[0], post_id, author_account_id: author, reason: 'follow' })));
    const post = await publish(db, author!);

    // The planner with the configured numbers (trims due at once, as feedWorker has them): 25 followers in batches of 10, the first delivered at once.
    await fanOutPost(db, { postId: post.id }, feedTuning(config, { trimDelayMs: 0 }));
    t.is(Number((await db('jobs').where({ type: DELIVER_JOB }).count({ n: '*' }).first())!.n), 2);
    // The registered jobs (config, no numbers of the test's own but the trim delay) finish it and trim every feed to 20.
    await feedWorker(db, config).runUntilIdle();
    t.is((await readersOf(db, post.id)).size, 26);
    const feed = await feedOf(db, readers[0]!);
    t.is(feed.length, 20);
    t.deepEqual(feed, [post.id, ...old.slice(-19).reverse()]);
  });

  test(`${target.name}: a trim job is queued only for our own readers that are due; none when no reader is`, async (t) => {
    const { db, dataDir, url } = await target.create(t);
    const tuning = (oneIn: number) => feedTuning(loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, DATABASE_URL: url, VIEWFINDER_HOME_FEED_TRIM_ONE_IN: String(oneIn) }, cwd: dataDir, persistSecret: false }), { trimDelayMs: 0 });
    const [author] = await insertAccounts(db, 1, 't');
    const readers = await insertAccounts(db, 3, 'tr');
    const remote = await insertAccounts(db, 2, 'tx', 'remote.example');
    await insertFollows(db, [...readers, ...remote], author!);
    const trimJobs = async () => (await db('jobs').where({ type: TRIM_JOB }).select('payload')).map((row: { payload: string }) => JSON.parse(row.payload));

    // Every feed due: a trim job for the three local readers (remote followers have no feed here), and the author's own.
    const post = await publish(db, author!);
    await fanOutPost(db, { postId: post.id }, tuning(1));
    const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);
    t.deepEqual((await trimJobs()).map((job) => sorted(job.accountIds)).sort((a, b) => b.length - a.length), [sorted(readers), [author!]]);

    // One feed in 1,024 due, and none of these readers is this time: no trim job at all.
    await db('jobs').delete();
    let quiet = await publish(db, author!);
    while ([...readers, author!].some((id) => id % 1024 === quiet.id % 1024)) quiet = await publish(db, author!);
    await fanOutPost(db, { postId: quiet.id }, tuning(1024));
    t.deepEqual(await trimJobs(), []);
    t.true((await readersOf(db, quiet.id)).has(readers[0]!), 'delivered all the same');
  });

  test(`${target.name}: with the default numbers, about one delivery in 32 trims a feed`, async (t) => {
    const { db, config } = await setup(t, target);
    const [author] = await insertAccounts(db, 1, 's');
    const readers = await insertAccounts(db, 640, 'sr');
    await insertFollows(db, readers, author!);
    await publish(db, author!);
    await feedWorker(db, config).runUntilIdle();
    // Trim jobs ran (they are gone) and each chose about 1/32 of the readers: no feed was long enough to lose anything.
    t.is(Number((await db('home_feed').count({ n: '*' }).first())!.n), 641);
  });

  test(`${target.name}: a follow brings in the followee's recent posts the follower may see`, async (t) => {
    const { db, config } = await setup(t, target);
    const [author, follower, stranger] = await insertAccounts(db, 3, 'b');
    const base = Date.now() - 3_600_000;
    const visible: number[] = [];
    for (let i = 0; i < 45; i++) visible.push((await publish(db, author!, { createdAt: base + i * 1000, visibility: i % 5 === 0 ? 'private' : 'public' })).id);
    const direct = await publish(db, author!, { visibility: 'direct', createdAt: base + 50_000 });
    const archived = await publish(db, author!, { createdAt: base + 51_000 });
    await db('posts').where({ id: archived.id }).update({ archived_at: Date.now() });
    const strangersPost = await publish(db, stranger!, { createdAt: base + 52_000 });
    const replyToStranger = await publish(db, author!, { createdAt: base + 53_000, inReplyTo: strangersPost });
    const worker = feedWorker(db, config);
    await worker.runUntilIdle();

    await db.transaction(async (trx) => {
      await trx('follows').insert({ id: newId(), account_id: follower, target_account_id: author, created_at: Date.now() });
      await feedFollowStarted(trx, follower!, author!);
    });
    await worker.runUntilIdle();
    const feed = await feedOf(db, follower!);
    t.deepEqual(feed, visible.slice(-40).reverse());
    for (const id of [direct.id, archived.id, replyToStranger.id]) t.false(feed.includes(id));
  });

  test(`${target.name}: a reblog reaches the sharer's followers, unless they hide reblogs or already have the post`, async (t) => {
    const { db, config } = await setup(t, target);
    const [author, sharer, fan, quiet, both] = await insertAccounts(db, 5, 'rb');
    await insertFollows(db, [fan!, both!], sharer!);
    await insertFollows(db, [quiet!], sharer!, { showReblogs: false });
    await insertFollows(db, [both!], author!);
    const worker = feedWorker(db, config);
    const original = await publish(db, author!);
    await worker.runUntilIdle();
    const reblog = await publish(db, sharer!, { reblogOf: original });
    await worker.runUntilIdle();
    t.deepEqual(await readersOf(db, reblog.id), new Set([sharer!, fan!]));
    t.deepEqual(await readersOf(db, original.id), new Set([author!, both!]));
  });

  test(`${target.name}: a reply to someone else reaches only followers who follow them too`, async (t) => {
    const { db, config } = await setup(t, target);
    const [author, parentAuthor, mutual, onlyAuthor] = await insertAccounts(db, 4, 'rp');
    await insertFollows(db, [mutual!, onlyAuthor!], author!);
    await insertFollows(db, [mutual!], parentAuthor!);
    const worker = feedWorker(db, config);
    const parent = await publish(db, parentAuthor!);
    const reply = await publish(db, author!, { inReplyTo: parent, kind: 'text' });
    const selfReply = await publish(db, author!, { inReplyTo: reply, kind: 'text' });
    await worker.runUntilIdle();
    t.deepEqual(await readersOf(db, reply.id), new Set([author!, mutual!]));
    // A reply to oneself (a thread) goes to every follower... but this one answers a reply, still the author's own: all followers.
    t.deepEqual(await readersOf(db, selfReply.id), new Set([author!, mutual!, onlyAuthor!]));
  });
}
