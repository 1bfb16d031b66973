// `viewfinder admin domain …` run as a child process against each database:
// block (and change a block), list, unblock, with their effect on the
// domain's accounts, and clear failures for bad input.
import test from 'ava';
import { insertFollow } from '../../server/db/follows.repo.ts';
import { cliFor, runCli } from '../helpers/cli.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { insertAccounts } from '../services/feeds/feed-fixtures.ts';

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

// Known before any test is declared (ava wants them all declared at once).
const targets = await databaseTargets();

test('every domain command has its own help', async (t) => {
  const helps = await Promise.all([['admin', 'domain', '--help'], ['admin', 'domain', 'block', '--help'], ['admin', 'domain', 'unblock', '--help'], ['admin', 'domain', 'list', '--help']].map((args) => runCli(args)));
  for (const help of helps) t.is(help.code, 0, help.stderr);
  t.regex(helps[0]!.stdout, /block \[options\] <domain>/);
  t.regex(helps[1]!.stdout, /--severity <severity>/);
  t.regex(helps[1]!.stdout, /suspend +its accounts are suspended/);
  t.regex(helps[2]!.stdout, /lift the block/);
  t.regex(helps[3]!.stdout, /--json/);
});

for (const target of targets) {
  test(`${target.name}: admin domain block, list and unblock`, async (t) => {
    const database = await target.create(t);
    const { db } = database;
    const cli = cliFor(database);

    const empty = await cli('admin', 'domain', 'list');
    t.is(empty.code, 0, empty.stderr);
    t.is(empty.stdout, '');
    t.regex(empty.stderr, /No domain blocks\./);

    const [alice] = await insertAccounts(db, 1, 'alice');
    const [spammer, helper] = await insertAccounts(db, 2, 'spam', 'media.spam.example');
    await insertFollow(db, { accountId: spammer!, targetAccountId: alice!, showReblogs: true, notify: false });
    await insertFollow(db, { accountId: alice!, targetAccountId: helper!, showReblogs: true, notify: false });

    const blocked = await cli('admin', 'domain', 'block', 'https://SPAM.example/about', '--reject-media', '--private-comment', 'wave of spam', '--public-comment', 'Spam');
    t.is(blocked.code, 0, blocked.stderr);
    t.regex(blocked.stdout, /^Blocked spam\.example \(suspend; media rejected\)\. 2 account\(s\) suspended, 2 follow\(s\) removed\./);
    const rows = await db('accounts').whereIn('id', [spammer!, helper!]).select('suspended_at');
    t.true(rows.every((row) => row.suspended_at !== null), 'the subdomain accounts are suspended');
    t.is(Number((await db('follows').count({ n: '*' }).first())!.n), 0);
    t.like(await db('accounts').where({ id: alice }).first(), { followers_count: 0, following_count: 0 });

    const silence = await cli('admin', 'domain', 'block', 'quiet.example', '--severity', 'silence', '--reject-reports');
    t.is(silence.code, 0, silence.stderr);
    t.regex(silence.stdout, /^Blocked quiet\.example \(silence; reports rejected\)\./);

    const list = await cli('admin', 'domain', 'list');
    t.is(list.code, 0, list.stderr);
    const table = parseTable(list.stdout);
    t.deepEqual([...table.keys()], ['quiet.example', 'spam.example'], 'by domain');
    t.like(table.get('spam.example'), { severity: 'suspend', media: 'rejected', reports: 'accepted', comment: 'public: Spam; private: wave of spam' });
    t.like(table.get('quiet.example'), { severity: 'silence', media: 'accepted', reports: 'rejected', comment: '-' });
    const json = await cli('admin', 'domain', 'list', '--json');
    t.is(json.code, 0, json.stderr);
    t.like(JSON.parse(json.stdout), [{ domain: 'quiet.example', severity: 'silence' }, { domain: 'spam.example', severity: 'suspend', rejectMedia: true, privateComment: 'wave of spam', publicComment: 'Spam' }]);

    // Changing a block: what is not given stays; --no-reject-media turns an option off.
    const changed = await cli('admin', 'domain', 'block', 'spam.example', '--severity', 'silence', '--no-reject-media');
    t.is(changed.code, 0, changed.stderr);
    t.regex(changed.stdout, /^Changed the block on spam\.example \(silence\), was suspend\. 2 account\(s\) unsuspended, 2 account\(s\) silenced\./);
    t.like(JSON.parse((await cli('admin', 'domain', 'list', '--json')).stdout)[1], { domain: 'spam.example', severity: 'silence', rejectMedia: false, privateComment: 'wave of spam' });

    const unblocked = await cli('admin', 'domain', 'unblock', 'SPAM.example.');
    t.is(unblocked.code, 0, unblocked.stderr);
    t.regex(unblocked.stdout, /^Unblocked spam\.example \(was silence\)\. 2 account\(s\) unsilenced\./);
    const after = await db('accounts').whereIn('id', [spammer!, helper!]).select('suspended_at', 'silenced_at');
    t.true(after.every((row) => row.suspended_at === null && row.silenced_at === null));
    t.deepEqual([...parseTable((await cli('admin', 'domain', 'list')).stdout).keys()], ['quiet.example']);

    // Bad input: a message on stderr and a non-zero exit, nothing changed.
    const [garbage, severity, unknown, noDomain, self] = await Promise.all([
      cli('admin', 'domain', 'block', 'not a domain'),
      cli('admin', 'domain', 'block', 'x.example', '--severity', 'ban'),
      cli('admin', 'domain', 'unblock', 'never.example'),
      cli('admin', 'domain', 'unblock'),
      cli('admin', 'domain', 'block', 'localhost:3000'),
    ]);
    t.not(garbage.code, 0);
    t.regex(garbage.stderr, /"not a domain" is not a domain name/);
    t.not(severity.code, 0);
    t.regex(severity.stderr, /Allowed choices are suspend, silence, noop/);
    t.not(unknown.code, 0);
    t.regex(unknown.stderr, /No block on never\.example/);
    t.not(noDomain.code, 0);
    t.regex(noDomain.stderr, /missing required argument 'domain'/);
    t.not(self.code, 0, 'the instance (localhost:3000 by default) cannot block itself');
    t.regex(self.stderr, /would cover this instance/);
    t.deepEqual((await db('domain_blocks').pluck('domain')).sort(), ['quiet.example']);
  });
}
