// Domain blocks on SQLite and Postgres: how admins' domains are read, which
// hosts a block covers, what suspend and silence do to the accounts of a
// domain and its subdomains (follows both ways, counts, home feeds), what
// unblocking gives back, and the policy cache the inbox reads.
import test, { type ExecutionContext } from 'ava';
import { loadConfig } from '../../../config/load.ts';
import { findAccountById, type Account } from '../../../server/db/accounts.repo.ts';
import { insertFollow, insertFollowRequest } from '../../../server/db/follows.repo.ts';
import type { Db } from '../../../server/db/knex.ts';
import { isAppError } from '../../../server/errors.ts';
import {
  applyDomainPolicyToNewAccount,
  blockDomain,
  DOMAIN_POLICY_TTL_MS,
  domainPolicy,
  listDomainBlocks,
  normalizeDomain,
  unblockDomain,
} from '../../../server/services/moderation/domain-blocks.service.ts';
import { followAccount } from '../../../server/services/social/follow.service.ts';
import { databaseTargets, type DatabaseTarget } from '../../helpers/databases.ts';
import { feedOf, feedWorker, insertAccounts, insertFollows, publish } from '../feeds/feed-fixtures.ts';

async function setup(t: ExecutionContext, target: DatabaseTarget) {
  const { db, dataDir, url } = await target.create(t);
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, DATABASE_URL: url }, cwd: dataDir, persistSecret: false });
  return { db, config };
}

async function one(db: Db, prefix: string, domain: string | null = null): Promise<number> {
  return (await insertAccounts(db, 1, prefix, domain))[0]!;
}

const countRows = async (db: Db, table: string): Promise<number> => Number((await db(table).count({ n: '*' }).first())!.n);

const account = async (db: Db, id: number): Promise<Account> => (await findAccountById(db, id))!;

/** A follow as the social service writes it: the row and both counts. */
const follow = (db: Db, from: number, to: number) => insertFollow(db, { accountId: from, targetAccountId: to, showReblogs: true, notify: false });

async function countsOf(db: Db, id: number): Promise<{ followers: number; following: number }> {
  const { followersCount, followingCount } = await account(db, id);
  return { followers: followersCount, following: followingCount };
}

// Known before any test is declared (ava wants them all declared at once).
const targets = await databaseTargets();

test('normalizeDomain: what admins type becomes the stored domain; garbage is a 422', (t) => {
  const cases: [string, string][] = [
    ['example.com', 'example.com'],
    ['EXAMPLE.com.', 'example.com'],
    ['  Example.COM  ', 'example.com'],
    ['https://example.com/path?q=1#x', 'example.com'],
    ['http://Example.com:8080/', 'example.com:8080'],
    ['https://example.com:443/', 'example.com'],
    ['example.com/users/alice', 'example.com'],
    ['*.example.com', 'example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['https://Bücher.example/', 'xn--bcher-kva.example'],
    ['127.0.0.1:3002', '127.0.0.1:3002'],
    ['localhost:3000', 'localhost:3000'],
    ['127.1', '127.0.0.1'], // IPv4 shorthand, read as browsers read it
    ['[::1]:3002', '[::1]:3002'],
    ['media.example.co.uk', 'media.example.co.uk'],
  ];
  for (const [input, expected] of cases) t.is(normalizeDomain(input), expected, input);
  for (const garbage of ['', '   ', 'not a domain', 'alice@example.com', '-bad.example', 'a..b', 'exa%41mple.com', 'example.com:0', 'example.com:99999', 'http://', '*.', 'example.com:abc', `${'a'.repeat(64)}.com`]) {
    const error = t.throws(() => normalizeDomain(garbage), undefined, JSON.stringify(garbage));
    t.true(isAppError(error) && error.status === 422, JSON.stringify(garbage));
  }
});

for (const target of targets) {
  test(`${target.name}: a block covers the host, its subdomains and (without a port) every port; the strictest block wins`, async (t) => {
    const { db } = await setup(t, target);
    await blockDomain(db, { domain: 'Example.com', severity: 'silence' });
    const silenced = await domainPolicy(db, 'media.example.com');
    t.deepEqual(silenced, { blocked: true, suspended: false, silenced: true, rejectMedia: false, rejectReports: false });
    for (const host of ['example.com', 'EXAMPLE.COM', 'a.b.example.com', 'example.com:3000', 'media.example.com.']) t.true((await domainPolicy(db, host)).silenced, host);
    for (const host of ['notexample.com', 'example.com.evil.net', 'example.org', 'com']) t.false((await domainPolicy(db, host)).blocked, host);

    // A stricter block on a subdomain: that subdomain gets both, the rest only the parent's.
    await blockDomain(db, { domain: 'cdn.example.com', severity: 'noop', rejectMedia: true });
    await blockDomain(db, { domain: 'bad.example.com', severity: 'suspend' });
    t.like(await domainPolicy(db, 'img.cdn.example.com'), { blocked: true, silenced: true, suspended: false, rejectMedia: true });
    t.deepEqual(await domainPolicy(db, 'bad.example.com'), { blocked: true, suspended: true, silenced: true, rejectMedia: true, rejectReports: true });
    t.like(await domainPolicy(db, 'www.example.com'), { rejectMedia: false, suspended: false });

    // A port-specific block: only that port (and its subdomains on that port); an IP has no parents.
    await blockDomain(db, { domain: '127.0.0.1:3002', severity: 'suspend' });
    t.true((await domainPolicy(db, '127.0.0.1:3002')).suspended);
    t.false((await domainPolicy(db, '127.0.0.1:3003')).blocked);
    t.false((await domainPolicy(db, '127.0.0.1')).blocked);

    t.deepEqual((await listDomainBlocks(db)).map((b) => [b.domain, b.severity]), [
      ['127.0.0.1:3002', 'suspend'],
      ['bad.example.com', 'suspend'],
      ['cdn.example.com', 'noop'],
      ['example.com', 'silence'],
    ]);
    // Blocking the instance itself is refused.
    const self = await t.throwsAsync(blockDomain(db, { domain: 'example.net', instanceDomain: 'social.example.net' }));
    t.true(isAppError(self) && self.status === 422);
  });

  test(`${target.name}: suspending a domain suspends its accounts and removes follows and requests both ways, counts and feeds kept right`, async (t) => {
    const { db, config } = await setup(t, target);
    const [alice, bob] = await insertAccounts(db, 2, 'local');
    const remote = await one(db, 'r', 'example.com');
    const sub = await one(db, 's', 'media.example.com');
    const other = await one(db, 'o', 'other.example');
    const earlier = Date.now() - 60_000;
    const alreadySuspended = await one(db, 'gone', 'example.com');
    await db('accounts').where({ id: alreadySuspended }).update({ suspended_at: earlier });

    await follow(db, alice!, remote); // local → remote
    await follow(db, remote, alice!); // remote → local
    await follow(db, sub, bob!);
    await follow(db, alice!, other);
    await insertFollowRequest(db, { accountId: bob!, targetAccountId: sub, showReblogs: true, notify: false });
    await insertFollowRequest(db, { accountId: remote, targetAccountId: bob!, showReblogs: true, notify: false });
    await db('close_friends').insert({ id: 1, account_id: alice, target_account_id: remote, created_at: Date.now() });
    const worker = feedWorker(db, config);
    const remotePost = await publish(db, remote);
    const otherPost = await publish(db, other);
    await worker.runUntilIdle();
    t.deepEqual((await feedOf(db, alice!)).sort(), [remotePost.id, otherPost.id].sort());

    const { block, created, effects } = await blockDomain(db, { domain: 'example.com', severity: 'suspend', privateComment: ' spam ' });
    t.true(created);
    t.is(block.privateComment, 'spam');
    t.deepEqual(effects, { suspended: 2, silenced: 0, unsuspended: 0, unsilenced: 0, followsRemoved: 3, requestsRemoved: 2 });
    t.is((await account(db, remote)).suspendedAt, block.createdAt);
    t.is((await account(db, sub)).suspendedAt, block.createdAt, 'subdomains too');
    t.is((await account(db, alreadySuspended)).suspendedAt, earlier, 'a suspension of its own is left as it was');
    t.is((await account(db, other)).suspendedAt, null);

    const follows = await db('follows').select('account_id', 'target_account_id');
    t.deepEqual(follows.map((f) => [Number(f.account_id), Number(f.target_account_id)]), [[alice!, other]]);
    t.is(await countRows(db, 'follow_requests'), 0);
    t.is(await countRows(db, 'close_friends'), 0);
    t.deepEqual(await countsOf(db, alice!), { followers: 0, following: 1 });
    t.deepEqual(await countsOf(db, bob!), { followers: 0, following: 0 });
    t.deepEqual(await countsOf(db, remote), { followers: 0, following: 0 });
    t.deepEqual(await countsOf(db, sub), { followers: 0, following: 0 });

    await worker.runUntilIdle();
    t.deepEqual(await feedOf(db, alice!), [otherPost.id], "the suspended account's posts left the home feed");
    const refused = await t.throwsAsync(followAccount(db, alice!, remote));
    t.true(isAppError(refused) && refused.status === 404, 'a suspended account cannot be followed again');

    // Blocking again changes nothing and finds nothing more to do.
    const again = await blockDomain(db, { domain: 'example.com' });
    t.false(again.created);
    t.is(again.block.severity, 'suspend', 'an existing block keeps its severity when none is given');
    t.deepEqual(again.effects, { suspended: 0, silenced: 0, unsuspended: 0, unsilenced: 0, followsRemoved: 0, requestsRemoved: 0 });
  });

  test(`${target.name}: unblocking lifts exactly the block's marks; changing severity swaps them; overlapping blocks keep theirs`, async (t) => {
    const { db } = await setup(t, target);
    const [alice] = await insertAccounts(db, 1, 'local');
    const remote = await one(db, 'r', 'example.com');
    const sub = await one(db, 's', 'media.example.com');
    const own = await one(db, 'own', 'example.com');
    const earlier = Date.now() - 60_000;
    await db('accounts').where({ id: own }).update({ suspended_at: earlier });
    await follow(db, alice!, remote);

    const { block } = await blockDomain(db, { domain: 'example.com', severity: 'suspend' });
    const lifted = await unblockDomain(db, 'EXAMPLE.com');
    t.is(lifted.block.id, block.id);
    t.like(lifted.effects, { unsuspended: 2, suspended: 0 });
    t.is((await account(db, remote)).suspendedAt, null);
    t.is((await account(db, sub)).suspendedAt, null);
    t.is((await account(db, own)).suspendedAt, earlier, 'not lifted: the block did not make it');
    t.is(await countRows(db, 'follows'), 0, 'removed follows stay removed');
    t.deepEqual(await listDomainBlocks(db), []);
    const missing = await t.throwsAsync(unblockDomain(db, 'example.com'));
    t.true(isAppError(missing) && missing.status === 404);

    // silence → suspend → silence: each change lifts the old mark and sets the new.
    const silenced = await blockDomain(db, { domain: 'example.com', severity: 'silence' });
    t.like(silenced.effects, { silenced: 3 });
    t.is((await account(db, sub)).silencedAt, silenced.block.createdAt);
    const suspended = await blockDomain(db, { domain: 'example.com', severity: 'suspend' });
    t.is(suspended.previousSeverity, 'silence');
    t.like(suspended.effects, { unsilenced: 3, suspended: 2 });
    t.like(await account(db, sub), { silencedAt: null, suspendedAt: silenced.block.createdAt });
    const back = await blockDomain(db, { domain: 'example.com', severity: 'silence' });
    t.like(back.effects, { unsuspended: 2, silenced: 3 });
    t.like(await account(db, sub), { silencedAt: silenced.block.createdAt, suspendedAt: null });
    t.is((await account(db, own)).suspendedAt, earlier);
    await unblockDomain(db, 'example.com');
    t.like(await account(db, sub), { silencedAt: null, suspendedAt: null });

    // A subdomain blocked first, then its parent: lifting either leaves the other in force.
    const child = await blockDomain(db, { domain: 'media.example.com', severity: 'suspend' }, Date.now() - 1000);
    const parent = await blockDomain(db, { domain: 'example.com', severity: 'suspend' });
    t.is((await account(db, sub)).suspendedAt, child.block.createdAt);
    t.is((await account(db, remote)).suspendedAt, parent.block.createdAt);
    await unblockDomain(db, 'media.example.com');
    t.is((await account(db, sub)).suspendedAt, parent.block.createdAt, 'the parent block still suspends it');
    await blockDomain(db, { domain: 'media.example.com', severity: 'suspend' });
    await unblockDomain(db, 'example.com');
    t.is((await account(db, remote)).suspendedAt, null);
    t.not((await account(db, sub)).suspendedAt, null, 'the subdomain block still suspends it');
    t.true((await domainPolicy(db, 'media.example.com')).suspended);
    t.false((await domainPolicy(db, 'example.com')).blocked);
  });

  test(`${target.name}: a suspended domain with more accounts and follows than one batch`, async (t) => {
    const { db } = await setup(t, target);
    const [star] = await insertAccounts(db, 1, 'star');
    const fans = await insertAccounts(db, 1203, 'fan', 'big.example');
    await insertFollows(db, fans, star!);
    await db('accounts').where({ id: star }).update({ followers_count: fans.length });
    const { effects } = await blockDomain(db, { domain: 'big.example', severity: 'suspend' });
    t.like(effects, { suspended: 1203, followsRemoved: 1203 });
    t.deepEqual(await countsOf(db, star!), { followers: 0, following: 0 });
    const left = await db('accounts').where({ domain: 'big.example' }).whereNull('suspended_at').count({ n: '*' }).first();
    t.is(Number(left!.n), 0);
  });

  test(`${target.name}: the policy cache is cleared by block and unblock here, and refreshed after its TTL for changes made elsewhere`, async (t) => {
    const { db } = await setup(t, target);
    t.false((await domainPolicy(db, 'cached.example')).blocked);
    await blockDomain(db, { domain: 'cached.example', severity: 'noop', rejectReports: true });
    t.like(await domainPolicy(db, 'cached.example'), { blocked: true, suspended: false, rejectReports: true });
    await blockDomain(db, { domain: 'cached.example', severity: 'suspend' });
    t.true((await domainPolicy(db, 'cached.example')).suspended, 'a changed block shows at once');

    // Another process (the CLI) lifting the block: seen once the cached answer expires.
    const now = Date.now();
    t.true((await domainPolicy(db, 'www.cached.example', now)).blocked);
    await db('domain_blocks').where({ domain: 'cached.example' }).del();
    t.true((await domainPolicy(db, 'www.cached.example', now + 1)).blocked, 'still cached');
    t.false((await domainPolicy(db, 'www.cached.example', now + DOMAIN_POLICY_TTL_MS + 1)).blocked, 'expired');

    await blockDomain(db, { domain: 'cached.example', severity: 'silence' });
    t.true((await domainPolicy(db, 'cached.example')).silenced);
    await unblockDomain(db, 'cached.example');
    t.false((await domainPolicy(db, 'cached.example')).blocked, 'an unblock shows at once');
  });

  test(`${target.name}: a remote account first stored after the block starts suspended or silenced, and unblocking lifts it`, async (t) => {
    const { db } = await setup(t, target);
    const suspend = await blockDomain(db, { domain: 'example.com', severity: 'suspend' });
    const silence = await blockDomain(db, { domain: 'quiet.example', severity: 'silence' });
    await blockDomain(db, { domain: 'noop.example', severity: 'noop', rejectMedia: true });

    const newcomer = await account(db, await one(db, 'new', 'media.example.com'));
    const applied = await applyDomainPolicyToNewAccount(db, newcomer);
    t.is(applied.suspendedAt, suspend.block.createdAt);
    t.is((await account(db, newcomer.id)).suspendedAt, suspend.block.createdAt);
    const quiet = await applyDomainPolicyToNewAccount(db, await account(db, await one(db, 'q', 'quiet.example')));
    t.like(await account(db, quiet.id), { silencedAt: silence.block.createdAt, suspendedAt: null });
    for (const [prefix, domain] of [['n', 'noop.example'], ['f', 'fine.example'], ['l', null]] as const) {
      const untouched = await applyDomainPolicyToNewAccount(db, await account(db, await one(db, prefix, domain)));
      t.like(await account(db, untouched.id), { suspendedAt: null, silencedAt: null });
    }

    await unblockDomain(db, 'example.com');
    await unblockDomain(db, 'quiet.example');
    t.like(await account(db, newcomer.id), { suspendedAt: null });
    t.like(await account(db, quiet.id), { silencedAt: null });
  });
}
