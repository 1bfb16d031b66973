// POST /api/v1/reports on each database: what is stored and answered, and
// every refusal (nothing stored for any of them).
import test from 'ava';
import { insertAccount } from '../../server/db/accounts.repo.ts';
import { newId } from '../../server/db/ids.ts';
import { insertPost } from '../../server/db/posts.repo.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { createUser, startApiServer, type ApiServer, type TestUser } from './helpers.ts';

async function postReport(server: ApiServer, token: string | null, body: Record<string, unknown> | URLSearchParams): Promise<{ status: number; body: any }> {
  const form = body instanceof URLSearchParams;
  const response = await fetch(`${server.url}/api/v1/reports`, {
    method: 'POST',
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: form ? body.toString() : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const countReports = async (server: ApiServer) => Number((await server.db('reports').count({ n: '*' }))[0]!.n);

/** A public photo post, written straight to the database (its media does not matter here). */
async function publicPost(server: ApiServer, user: TestUser, caption: string): Promise<{ id: string }> {
  const now = Date.now();
  const id = newId(now);
  await insertPost(server.db, { id, accountId: user.accountId, kind: 'photo', caption, captionHtml: `<p>${caption}</p>`, visibility: 'public', createdAt: now, updatedAt: now });
  return { id: String(id) };
}

const directMessage = (user: TestUser, status: string) => user.client.v1.statuses.create({ status, visibility: 'direct' });

for (const target of await databaseTargets()) {
  test(`${target.name}: a report is stored and answered as Mastodon's Report`, async (t) => {
    const server = await startApiServer(t, target);
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((name) => createUser(server, name)));
    const spam = await bob!.client.v1.statuses.create({ status: 'buy now', visibility: 'public', inReplyToId: (await publicPost(server, alice!, 'hello')).id });
    const toAlice = await directMessage(bob!, '@alice psst, buy now');

    const report = await alice!.client.v1.reports.create({ accountId: String(bob!.accountId), statusIds: [spam.id, toAlice.id], comment: 'Spam, twice', category: 'spam', forward: true });
    t.like(report, { actionTaken: false, actionTakenAt: null, category: 'spam', comment: 'Spam, twice', forwarded: false });
    t.deepEqual(report.statusIds, [spam.id, toAlice.id]);
    t.deepEqual(report.ruleIds, []);
    t.is(report.targetAccount.id, String(bob!.accountId));
    t.is(report.targetAccount.username, 'bob');

    const row = await server.db('reports').where({ id: report.id }).first();
    t.is(Number(row.account_id), alice!.accountId);
    t.is(Number(row.target_account_id), bob!.accountId);
    t.deepEqual(JSON.parse(row.post_ids), [Number(spam.id), Number(toAlice.id)]);
    t.falsy(row.forward_requested, 'a local account has no other server to forward to');
    t.is(row.resolved_at, null);

    // Form-encoded, Rails style, without posts; category defaults to other; legal is known.
    const form = await postReport(server, alice!.token, new URLSearchParams({ account_id: String(bob!.accountId), comment: 'x'.repeat(1000) }));
    t.is(form.status, 200, JSON.stringify(form.body));
    t.like(form.body, { category: 'other', status_ids: [], comment: 'x'.repeat(1000) });
    const listed = new URLSearchParams([['account_id', String(bob!.accountId)], ['status_ids[]', spam.id], ['category', 'legal']]);
    const legal = await postReport(server, alice!.token, listed);
    t.is(legal.status, 200, JSON.stringify(legal.body));
    t.like(legal.body, { category: 'legal', status_ids: [spam.id] });

    // A remote account: the wish to forward is kept for the federation side that sends the Flag.
    const remote = await insertAccount(server.db, { id: newId(), username: 'spammer', domain: 'remote.example', createdAt: Date.now(), updatedAt: Date.now() });
    const forwarded = await alice!.client.v1.reports.create({ accountId: String(remote.id), forward: true });
    t.like(forwarded, { forwarded: false, category: 'other' });
    t.is(forwarded.targetAccount.acct, 'spammer@remote.example');
    t.truthy((await server.db('reports').where({ id: forwarded.id }).first()).forward_requested);
    t.is(await countReports(server), 4);
  });

  test(`${target.name}: bad reports are refused with a message and nothing is stored`, async (t) => {
    const server = await startApiServer(t, target);
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => createUser(server, name)));
    const readOnly = await createUser(server, 'reader', ['read']);
    const bobsPost = await publicPost(server, bob!, 'a post of bob');
    const carolsPost = await publicPost(server, carol!, 'a post of carol');
    const bobToCarol = await directMessage(bob!, '@carol only for carol');
    const bobId = String(bob!.accountId);

    const cases: [string, string | null, Record<string, unknown>, number, RegExp][] = [
      ['no token', null, { account_id: bobId }, 401, /./],
      ['a token without write:reports', readOnly.token, { account_id: bobId }, 403, /scopes/],
      ['no account', alice!.token, { comment: 'who?' }, 422, /account_id is required/],
      ['a malformed account id', alice!.token, { account_id: 'bob' }, 422, /account_id must be an id/],
      ['an unknown account', alice!.token, { account_id: '123456789' }, 404, /not found/],
      ['oneself', alice!.token, { account_id: String(alice!.accountId) }, 422, /your own account/],
      ['a comment over 1000 characters', alice!.token, { account_id: bobId, comment: 'é'.repeat(1001) }, 422, /Comment is too long \(maximum is 1000 characters\)/],
      ['an unknown category', alice!.token, { account_id: bobId, category: 'rude' }, 422, /Category must be one of spam, legal, violation, other/],
      ['a rule the server does not have', alice!.token, { account_id: bobId, rule_ids: ['1'] }, 422, /Rule ids/],
      ['a malformed status id', alice!.token, { account_id: bobId, status_ids: ['first'] }, 422, /status_ids must hold ids/],
      ["another account's post", alice!.token, { account_id: bobId, status_ids: [bobsPost.id, carolsPost.id] }, 404, /not found/],
      ['a post the reporter cannot see', alice!.token, { account_id: bobId, status_ids: [bobToCarol.id] }, 404, /not found/],
      ['a post that does not exist', alice!.token, { account_id: bobId, status_ids: ['123456789'] }, 404, /not found/],
    ];
    for (const [what, token, body, status, message] of cases) {
      const answer = await postReport(server, token, body);
      t.is(answer.status, status, what);
      t.regex(String(answer.body.error), message, what);
    }
    t.is(await countReports(server), 0);

    // carol may report the post addressed to her, with a violation category and no rules.
    const allowed = await postReport(server, carol!.token, { account_id: bobId, status_ids: [bobToCarol.id], category: 'violation' });
    t.is(allowed.status, 200, JSON.stringify(allowed.body));
    t.is(allowed.body.category, 'violation');
    t.is(await countReports(server), 1);
  });
}
