// Mentions of handles we have never seen are looked up before posting
// (federation/mention-resolver.ts): over WebFinger between two real
// instances, the handle becomes an account, so the post links to it and is
// delivered to it; a server that does not answer costs no more than the
// budget and leaves the handle unknown. The budgets here are generous on
// purpose: the test is about what is found, not how fast.
import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createViewfinderFederation } from '../../federation/federation.ts';
import { resolveUnknownMentions } from '../../federation/mention-resolver.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { post } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: an unknown @user@host is looked up before posting, linked and delivered; a silent server only costs the budget`, async (t) => {
    const [a, b] = await Promise.all([startInstance(t, target), startInstance(t, target)]);
    const [alice, bob] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    const federation = await createViewfinderFederation({ config: a.config, db: a.db });
    const text = `hello @bob@${b.domain}`;
    t.is(await a.db('accounts').where({ username: 'bob', domain: b.domain }).first(), undefined, 'unknown before');
    await resolveUnknownMentions(federation, { db: a.db, config: a.config }, text, 60_000);
    const found = await a.db('accounts').where({ username: 'bob', domain: b.domain }).first();
    t.is(found?.uri, `${b.url}/users/bob`);

    // Known now, the post (through the API, which resolves too) mentions him and reaches B.
    const sent = await post(a, alice, { status: text, visibility: 'direct' });
    t.deepEqual(sent.mentions.map((m: any) => m.acct), [`bob@${b.domain}`]);
    const conversations = await eventually('the DM on B', async () => {
      const list = await bob.client.v1.conversations.list();
      return list.length > 0 ? list : null;
    });
    t.regex(conversations[0]!.lastStatus!.content, /hello/);

    // A server that takes the request and never answers: posting waits the budget, not longer.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    t.teardown(() => {
      silent.closeAllConnections();
      silent.close();
    });
    const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const started = Date.now();
    await resolveUnknownMentions(federation, { db: a.db, config: a.config }, `hi @nobody@${host}`, 300);
    // Without the budget this would wait out the WebFinger fetch's own 10 s deadline.
    t.true(Date.now() - started < 5_000, 'bounded by the budget');
    t.is(await a.db('accounts').where({ domain: host }).first(), undefined);
  });
}
