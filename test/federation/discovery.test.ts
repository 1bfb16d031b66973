// What other servers find about an instance: WebFinger for users and the
// instance actor, NodeInfo 2.1, host-meta, the actor document with its keys,
// the same URLs as HTML for browsers, the post object and the collections,
// and a remote profile's outbox backfilled when it is opened.
import test from 'ava';
import { createPublicKey } from 'node:crypto';
import { databaseTargets } from '../helpers/databases.ts';
import { api, photos, post, remoteId } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';

const AS = { Accept: 'application/activity+json' };
const getJson = async (url: string, headers: Record<string, string> = AS) => {
  const response = await fetch(url, { headers, redirect: 'manual' });
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: response.status === 200 && /json/.test(response.headers.get('content-type') ?? '') ? ((await response.json()) as any) : null, location: response.headers.get('location') };
};

for (const target of await databaseTargets()) {
  test(`${target.name}: WebFinger, NodeInfo, host-meta, the actor, content negotiation, post objects and collections`, async (t) => {
    const a = await startInstance(t, target, { VIEWFINDER_REGISTRATIONS: 'open' });
    const alice = await user(a, 'alice');
    await user(a, 'bob');
    const actor = `${a.url}/users/alice`;

    const finger = await getJson(`${a.url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:alice@${a.domain}`)}`, {});
    t.is(finger.status, 200);
    t.is(finger.body.subject, `acct:alice@${a.domain}`);
    t.true(finger.body.links.some((l: any) => l.rel === 'self' && l.type === 'application/activity+json' && l.href === actor));
    t.is((await getJson(`${a.url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:nobody@${a.domain}`)}`, {})).status, 404);
    const instanceFinger = await getJson(`${a.url}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${a.domain}@${a.domain}`)}`, {});
    const instanceActorUrl = instanceFinger.body.links.find((l: any) => l.rel === 'self').href;
    const instanceActor = await getJson(instanceActorUrl);
    t.is(instanceActor.body.type, 'Service');
    t.truthy(instanceActor.body.publicKey?.publicKeyPem);

    const links = await getJson(`${a.url}/.well-known/nodeinfo`, {});
    const nodeInfoUrl = links.body.links.find((l: any) => /\/ns\/schema\/2\.1$/.test(l.rel)).href;
    const nodeInfo = await getJson(nodeInfoUrl, {});
    t.like(nodeInfo.body, { version: '2.1', software: { name: 'viewfinder' }, protocols: ['activitypub'], openRegistrations: true });
    t.is(nodeInfo.body.usage.users.total, 2);
    t.is(typeof nodeInfo.body.usage.users.activeMonth, 'number');
    t.is(typeof nodeInfo.body.usage.users.activeHalfyear, 'number');
    const hostMeta = await fetch(`${a.url}/.well-known/host-meta`);
    t.regex(await hostMeta.text(), /template="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/webfinger\?resource=\{uri\}"/);

    await alice.client.v1.accounts.updateCredentials({ displayName: 'Alice A.', note: 'Photos of boats', fieldsAttributes: [{ name: 'Site', value: 'https://alice.example' }], locked: true });
    const person = await getJson(actor);
    t.is(person.status, 200);
    t.regex(person.type, /application\/activity\+json/);
    t.like(person.body, {
      id: actor,
      type: 'Person',
      preferredUsername: 'alice',
      name: 'Alice A.',
      inbox: `${actor}/inbox`,
      outbox: `${actor}/outbox`,
      followers: `${actor}/followers`,
      following: `${actor}/following`,
      featured: `${actor}/collections/featured`,
      manuallyApprovesFollowers: true,
      discoverable: true,
      url: `${a.url}/@alice`,
      endpoints: { sharedInbox: `${a.url}/inbox` },
    });
    t.regex(person.body.summary, /Photos of boats/);
    t.truthy(person.body.published);
    t.like([person.body.attachment].flat()[0], { type: 'PropertyValue', name: 'Site' });
    t.regex(person.body.publicKey.publicKeyPem, /BEGIN PUBLIC KEY/);
    // 2048 bits, as Mastodon's: every delivery is signed with it.
    t.is(createPublicKey(person.body.publicKey.publicKeyPem).asymmetricKeyDetails?.modulusLength, 2048);
    t.is(person.body.publicKey.owner, actor);
    t.true([person.body.assertionMethod].flat().some((k: any) => k.type === 'Multikey'));
    // Keys are made once and kept: the second fetch serves the same ones.
    t.is((await getJson(actor)).body.publicKey.publicKeyPem, person.body.publicKey.publicKeyPem);
    t.is(Number((await a.db('account_keys').where({ account_id: alice.accountId }).count({ n: '*' }).first())?.n), 2);

    // Browsers get the page for the same URL.
    const page = await getJson(actor, { Accept: 'text/html' });
    t.is(page.status, 302);
    t.is(page.location, '/@alice');

    // Posts: the public one as a Note; the followers-only one exists for nobody unsigned.
    const mediaIds = await photos(a, alice, ['a blue square']);
    const open = await post(a, alice, { status: 'Public #boats', media_ids: mediaIds });
    const closed = await post(a, alice, { status: 'Followers only', visibility: 'private', media_ids: await photos(a, alice, ['a red square']) });
    const note = await getJson(open.uri);
    t.like(note.body, { id: open.uri, type: 'Note', attributedTo: actor, url: open.url });
    t.true([note.body.to].flat().includes('https://www.w3.org/ns/activitystreams#Public'));
    const attachment = [note.body.attachment].flat()[0];
    t.like(attachment, { mediaType: 'image/jpeg', name: 'a blue square', blurhash: open.media_attachments[0].blurhash });
    t.is((await getJson(closed.uri)).status, 404);
    t.is((await getJson(open.uri, { Accept: 'text/html' })).status, 302);

    // Collections: the outbox lists public posts only; hidden follower lists show their totals only.
    const outbox = await getJson(`${actor}/outbox`);
    t.is(outbox.body.type, 'OrderedCollection');
    t.is(outbox.body.totalItems, 2);
    const firstPage = await getJson(typeof outbox.body.first === 'string' ? outbox.body.first : outbox.body.first.id);
    const items = [firstPage.body.orderedItems].flat();
    t.deepEqual(items.map((item: any) => (typeof item.object === 'string' ? item.object : item.object.id)), [open.uri]);
    await alice.client.v1.accounts.updateCredentials({ hideCollections: true } as any);
    const followers = await getJson(`${actor}/followers`);
    t.is(followers.body.totalItems, 0);
    t.is(followers.status, 200);
    await api(a, 'POST', `/api/v1/statuses/${open.id}/pin`, alice.token);
    const featured = await getJson(`${actor}/collections/featured`);
    t.deepEqual([featured.body.orderedItems ?? featured.body.items].flat().map((item: any) => item.id), [open.uri]);
  });

  test(`${target.name}: opening a remote profile fills its grid from its outbox`, async (t) => {
    const [a, b] = await Promise.all([startInstance(t, target), startInstance(t, target)]);
    const [alice, bob] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    const first = await post(b, bob, { status: 'Older post', media_ids: await photos(b, bob, ['one']) });
    const second = await post(b, bob, { status: 'Newer post', media_ids: await photos(b, bob, ['two']) });
    await post(b, bob, { status: 'Not for the grid', visibility: 'private', media_ids: await photos(b, bob, ['three']) });
    const bobOnA = await remoteId(a, alice, bob, b);
    await alice.client.v1.accounts.$select(bobOnA).fetch();
    const grid = await eventually('bob\'s posts on A', async () => {
      const list = await alice.client.v1.accounts.$select(bobOnA).statuses.list();
      return list.length >= 2 ? list : null;
    });
    t.deepEqual(grid.map((s) => s.uri), [second.uri, first.uri]);
    t.is(grid[0]!.mediaAttachments.length, 1);
  });
}
