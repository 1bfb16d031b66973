// An admin's silence of a server keeps its accounts off this server's public
// timelines, while the people who follow them still see their posts.
import test from 'ava';
import { blockDomain } from '../../server/services/moderation/domain-blocks.service.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { api, photos, post, remoteId } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: a silenced server's posts leave the public timelines but stay in followers' feeds`, async (t) => {
    const [a, b] = await Promise.all([startInstance(t, target), startInstance(t, target)]);
    const [alice, bob] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    const bobOnA = await remoteId(a, alice, bob, b);
    await alice.client.v1.accounts.$select(bobOnA).follow();
    await eventually('alice following bob', async () => (await alice.client.v1.accounts.relationships.fetch({ id: [bobOnA] }))[0]?.following);
    const original = await post(b, bob, { status: 'Out in the open #harbour', media_ids: await photos(b, bob, ['a pier']) });
    await eventually('the post on A', async () => (await alice.client.v1.timelines.home.list())[0]);
    const uris = async (path: string) => ((await api(a, 'GET', path, alice.token)).body as { uri: string }[]).map((s) => s.uri);
    t.deepEqual(await uris('/api/v1/timelines/public'), [original.uri]);
    t.deepEqual(await uris('/api/v1/timelines/tag/harbour'), [original.uri]);

    await blockDomain(a.db, { domain: b.domain, severity: 'silence' });
    t.deepEqual(await uris('/api/v1/timelines/public'), []);
    t.deepEqual(await uris('/api/v1/timelines/public?remote=true'), []);
    t.deepEqual(await uris('/api/v1/timelines/tag/harbour'), []);
    t.deepEqual((await alice.client.v1.timelines.home.list()).map((s) => s.uri), [original.uri]);
  });
}
