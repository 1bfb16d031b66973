// `viewfinder admin reports …` run as a child process against each database:
// list, show and resolve, and clear failures for bad input.
import test from 'ava';
import { newId } from '../../server/db/ids.ts';
import { insertPost } from '../../server/db/posts.repo.ts';
import { createLocalAccount, promote } from '../../server/services/accounts/admin-accounts.service.ts';
import { fileReport } from '../../server/services/moderation/file-report.service.ts';
import { cliFor } from '../helpers/cli.ts';
import { databaseTargets } from '../helpers/databases.ts';

/** The rows of a table printed by the CLI, keyed by the first column. */
function parseTable(stdout: string): Map<string, Record<string, string>> {
  const [header, ...lines] = stdout.trim().split('\n');
  const names = header!.trim().split(/\s{2,}/);
  return new Map(
    lines.map((line) => {
      const cells = line.trim().split(/\s{2,}/);
      const row = Object.fromEntries(names.map((name, i) => [name, cells[i]!]));
      return [row[names[0]!]!, row];
    }),
  );
}

for (const target of await databaseTargets()) {
  test(`${target.name}: admin reports list, show and resolve`, async (t) => {
    const database = await target.create(t);
    const { db } = database;
    const cli = cliFor(database);

    const empty = await cli('admin', 'reports', 'list');
    t.is(empty.code, 0, empty.stderr);
    t.is(empty.stdout, '');
    t.regex(empty.stderr, /No open reports\./);

    const [alice, bob, mod] = await Promise.all(['alice', 'bob', 'dana'].map((username) => createLocalAccount(db, { username, password: 'correct horse battery' })));
    await promote(db, 'dana');
    const now = Date.now();
    const postId = newId(now);
    await insertPost(db, { id: postId, accountId: bob!.account.id, kind: 'photo', caption: 'Buy cheap watches at example.com', captionHtml: '<p>Buy cheap watches</p>', visibility: 'public', createdAt: now, updatedAt: now });
    const spam = await fileReport(db, alice!.account.id, { accountId: bob!.account.id, postIds: [postId], comment: 'Spam in my comments\nagain', category: 'spam' });
    const other = await fileReport(db, mod!.account.id, { accountId: alice!.account.id, comment: 'Impersonation?' });
    const spamId = String(spam.report.id);
    const otherId = String(other.report.id);

    const list = await cli('admin', 'reports', 'list');
    t.is(list.code, 0, list.stderr);
    const rows = parseTable(list.stdout);
    t.deepEqual([...rows.keys()], [spamId, otherId], 'oldest first');
    t.like(rows.get(spamId), { state: 'open', category: 'spam', reporter: '@alice', target: '@bob', posts: '1', comment: 'Spam in my comments again' });
    t.like(rows.get(otherId), { state: 'open', category: 'other', reporter: '@dana', target: '@alice', posts: '0' });

    const show = await cli('admin', 'reports', 'show', spamId);
    t.is(show.code, 0, show.stderr);
    t.regex(show.stdout, new RegExp(`^Report ${spamId} \\(open\\)`));
    t.regex(show.stdout, /Reporter: +@alice/);
    t.regex(show.stdout, /Target: +@bob/);
    t.regex(show.stdout, /Category: +spam/);
    t.regex(show.stdout, /Comment: +Spam in my comments\n +again/);
    t.regex(show.stdout, new RegExp(`${postId} +public .*Buy cheap watches at example\\.com`));
    const json = await cli('admin', 'reports', 'show', spamId, '--json');
    t.is(json.code, 0, json.stderr);
    t.like(JSON.parse(json.stdout), { report: { id: spam.report.id, category: 'spam', postIds: [postId] }, reporter: { username: 'alice' }, target: { username: 'bob' } });

    const resolved = await cli('admin', 'reports', 'resolve', spamId, '--by', 'dana');
    t.is(resolved.code, 0, resolved.stderr);
    t.regex(resolved.stdout, new RegExp(`Resolved report ${spamId}\\.`));
    const row = await db('reports').where({ id: spam.report.id }).first();
    t.truthy(row.resolved_at);
    t.is(Number(row.resolved_by_account_id), mod!.account.id);

    const [again, open, all, shown] = await Promise.all([
      cli('admin', 'reports', 'resolve', spamId),
      cli('admin', 'reports', 'list'),
      cli('admin', 'reports', 'list', '--all'),
      cli('admin', 'reports', 'show', spamId),
    ]);
    t.is(again.code, 0, 'resolving twice is not an error');
    t.regex(again.stdout, /was already resolved/);
    t.deepEqual([...parseTable(open.stdout).keys()], [otherId], 'a resolved report leaves the open list');
    t.like(parseTable(all.stdout).get(spamId), { state: 'resolved' });
    t.regex(shown.stdout, /Resolved: +\S+ by @dana/);

    // Bad input: a message on stderr and a non-zero exit, nothing changed.
    const [notNumber, unknown, unknownResolve, nobody, notModerator, noId] = await Promise.all([
      cli('admin', 'reports', 'show', 'abc'),
      cli('admin', 'reports', 'show', '999999'),
      cli('admin', 'reports', 'resolve', '999999'),
      cli('admin', 'reports', 'resolve', otherId, '--by', 'nobody'),
      cli('admin', 'reports', 'resolve', otherId, '--by', 'bob'),
      cli('admin', 'reports', 'resolve'),
    ]);
    t.not(notNumber.code, 0);
    t.regex(notNumber.stderr, /whole number/);
    t.not(unknown.code, 0);
    t.regex(unknown.stderr, /Report 999999 not found/);
    t.not(unknownResolve.code, 0);
    t.regex(unknownResolve.stderr, /Report 999999 not found/);
    t.not(nobody.code, 0);
    t.regex(nobody.stderr, /No local account named nobody/);
    t.not(notModerator.code, 0);
    t.regex(notModerator.stderr, /bob is not a moderator or admin/);
    t.not(noId.code, 0);
    t.regex(noId.stderr, /missing required argument 'id'/);
    t.is((await db('reports').where({ id: other.report.id }).first()).resolved_at, null);
  });
}
