// The home timeline reads the viewer's ties (follow, block either way,
// mention) and own state (like, bookmark, share) with the page, in the
// dialect's own statements (server/db/timelines.repo.ts), and the visibility
// policy runs on them. Here feed rows are written straight into home_feed,
// including rows fan-out would never deliver, so the read path alone decides:
// each one is on the page exactly when GET /api/v1/statuses/:id shows it to
// the same viewer (mutes and deletions aside, which hide a post from timelines
// only), with the same JSON. Other readers who may see those posts read
// first, so the rendered-status cache holds them: for bob, what his ties say
// decides, not a fresh render's second look at the policy.
import test from 'ava';
import { newId } from '../../server/db/ids.ts';
import { insertPost, type PostVisibility } from '../../server/db/posts.repo.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { createUser, startApiServer, type ApiServer, type TestUser } from './helpers.ts';

async function call(server: ApiServer, path: string, token: string) {
  const response = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as any };
}

for (const target of await databaseTargets()) {
  test(`${target.name}: each feed row shows exactly when the policy lets the viewer see it, with current flags`, async (t) => {
    const server = await startApiServer(t, target);
    const db = server.db;
    const users: Record<string, TestUser> = {};
    for (const name of ['bob', 'alice', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivy', 'jay']) users[name] = await createUser(server, name);
    const { bob, alice, carol, dave, erin, frank, gina, hank, ivy, jay } = users as Record<string, TestUser>;
    const relate = (table: string, from: TestUser, to: TestUser) => db(table).insert({ id: newId(), account_id: from.accountId, target_account_id: to.accountId, created_at: Date.now() });
    await relate('follows', bob, alice);
    await relate('follows', bob, carol);
    await relate('blocks', bob, frank); // the viewer blocks
    await relate('blocks', gina, bob); // the author blocks the viewer
    await relate('mutes', bob, hank);
    for (const followee of [alice, carol, dave]) await relate('follows', ivy, followee);

    // Posts oldest first; every one lands in bob's feed (a share under its
    // sharer), and in ivy's and carol's, who read first.
    const feed: { id: number; label: string }[] = [];
    const post = async (label: string, author: TestUser, visibility: PostVisibility, extra: Record<string, unknown> = {}) => {
      const id = newId();
      const now = Date.now();
      await insertPost(db, { id, accountId: author.accountId, kind: 'photo', visibility, caption: label, captionHtml: `<p>${label}</p>`, createdAt: now, updatedAt: now, ...extra });
      for (const reader of [bob, ivy, carol]) await db('home_feed').insert({ account_id: reader.accountId, post_id: id, author_account_id: author.accountId, reason: 'follow' });
      feed.push({ id, label });
      return id;
    };
    const mention = (postId: number, who: TestUser) => db('mentions').insert({ id: newId(), post_id: postId, account_id: who.accountId });

    const open = await post('public from a followee', alice, 'public');
    const closed = await post('followers-only from a followee', alice, 'private');
    await post('followers-only from a stranger', dave, 'private');
    await mention(await post('followers-only from a stranger, mentioning bob', dave, 'private'), bob);
    await mention(await post('direct to bob', erin, 'direct'), bob);
    await mention(await post('direct to someone else', erin, 'direct'), carol);
    await post('public from an account bob blocks', frank, 'public');
    await post('public from an account blocking bob', gina, 'public');
    await post('archived', carol, 'public', { archivedAt: Date.now() });
    await post("bob's own followers-only post", bob, 'private');
    const hidden = await post('followers-only from carol', dave, 'private');
    await post('a share of a post bob may not see', alice, 'public', { reblogOfId: hidden });
    const shared = await post('public from carol', carol, 'public');
    await post('a share of a post bob may see', alice, 'public', { reblogOfId: shared });
    await post('public from an account bob mutes', hank, 'public');
    await post('deleted', carol, 'public', { deletedAt: Date.now() });

    // Bob's own state on some of them: what the page's flags must say.
    await db('likes').insert({ id: newId(), account_id: bob.accountId, post_id: open, created_at: Date.now() });
    await db('bookmarks').insert({ id: newId(), account_id: bob.accountId, post_id: closed, created_at: Date.now() });
    const share = newId();
    await insertPost(db, { id: share, accountId: bob.accountId, kind: 'photo', visibility: 'public', reblogOfId: shared, createdAt: Date.now(), updatedAt: Date.now() });
    await db('posts').where({ id: shared }).update({ reblogs_count: 2 });

    const expected: string[] = [];
    const single = new Map<string, unknown>();
    for (const { id, label } of [...feed].reverse()) {
      const answer = await call(server, `/api/v1/statuses/${id}`, bob.token);
      if (answer.status === 200 && !label.includes('mutes')) {
        expected.push(label);
        single.set(String(id), answer.body);
      }
    }
    t.deepEqual(expected, [
      'a share of a post bob may see',
      'public from carol',
      "bob's own followers-only post",
      'direct to bob',
      'followers-only from a stranger, mentioning bob',
      'followers-only from a followee',
      'public from a followee',
    ]);
    // Ivy sees dave's followers-only posts and frank's and gina's; carol the direct post to her.
    const warmed = new Set<string>();
    for (const reader of [ivy, carol]) for (const status of (await call(server, '/api/v1/timelines/home?limit=40', reader.token)).body) warmed.add(status.id);
    t.true(['followers-only from a stranger', 'direct to someone else', 'public from an account bob blocks', 'public from an account blocking bob'].every((label) => warmed.has(String(feed.find((row) => row.label === label)!.id))));

    const labelOf = new Map(feed.map(({ id, label }) => [String(id), label]));
    const first = await call(server, '/api/v1/timelines/home?limit=40', bob.token);
    const second = await call(server, '/api/v1/timelines/home?limit=40', bob.token);
    t.is(second.text, first.text);
    t.deepEqual(first.body.map((status: { id: string }) => labelOf.get(status.id)), expected);
    for (const status of first.body) t.deepEqual(status, single.get(status.id));
    t.like(first.body.find((s: { id: string }) => s.id === String(open)), { favourited: true, bookmarked: false, reblogged: false });
    t.like(first.body.find((s: { id: string }) => s.id === String(closed)), { favourited: false, bookmarked: true, reblogged: false });
    t.like(first.body.find((s: { id: string }) => s.id === String(shared)), { favourited: false, bookmarked: false, reblogged: true, reblogs_count: 2 });

    // A viewer who blocks no one but is blocked by an author (the one tie of his): that author's posts stay out.
    await relate('blocks', gina, jay);
    for (const { id } of feed) await db('home_feed').insert({ account_id: jay.accountId, post_id: id, author_account_id: (await db('posts').where({ id }).first('account_id')).account_id, reason: 'follow' });
    const jays = (await call(server, '/api/v1/timelines/home?limit=40', jay.token)).body.map((status: { id: string }) => labelOf.get(status.id));
    t.false(jays.includes('public from an account blocking bob'));
    t.true(jays.includes('public from an account bob blocks'));

    // The state is read per request: undoing it shows on the next (cached) read.
    await db('likes').where({ account_id: bob.accountId }).delete();
    await db('posts').where({ id: share }).update({ deleted_at: Date.now() });
    const third = await call(server, '/api/v1/timelines/home?limit=40', bob.token);
    t.like(third.body.find((s: { id: string }) => s.id === String(open)), { favourited: false });
    t.like(third.body.find((s: { id: string }) => s.id === String(shared)), { reblogged: false });
  });
}
