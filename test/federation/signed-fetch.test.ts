// Fetching posts the way servers do: a followers-only post is served to a
// signed fetch from a server where the author has a follower, and to no
// other; in authorized-fetch mode unsigned fetches of posts and collections
// are refused while actors stay readable, and a draft-cavage signature over a
// page's query string (as Mastodon 4.3+ signs) is accepted, as is one without.
import test from 'ava';
import { accountKeyPairs } from '../../federation/keys.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { photos, post, remoteId } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';
import { signedGet } from './signed-send.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: followers-only posts go to followers' servers only; authorized fetch refuses unsigned reads`, async (t) => {
    const [a, b, c] = await Promise.all([startInstance(t, target), startInstance(t, target, { VIEWFINDER_AUTHORIZED_FETCH: 'on' }), startInstance(t, target)]);
    const [alice, bob] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    const bobOnA = await remoteId(a, alice, bob, b);
    await alice.client.v1.accounts.$select(bobOnA).follow();
    await eventually('alice following bob', async () => (await alice.client.v1.accounts.relationships.fetch({ id: [bobOnA] }))[0]?.following);
    const open = await post(b, bob, { status: 'Public', media_ids: await photos(b, bob, ['sky']) });
    const closed = await post(b, bob, { status: 'Followers only', visibility: 'private', media_ids: await photos(b, bob, ['sea']) });

    const accept = { Accept: 'application/activity+json' };
    t.is((await fetch(open.uri, { headers: accept })).status, 401, 'unsigned fetch of a post refused');
    t.is((await fetch(`${b.url}/users/bob/outbox`, { headers: accept })).status, 401, 'unsigned fetch of a collection refused');
    t.is((await fetch(`${b.url}/users/bob`, { headers: accept })).status, 200, 'actors stay readable');

    t.like(await signedGet(c, open.uri), { status: 200, body: { id: open.uri } });
    t.like(await signedGet(a, closed.uri), { status: 200, body: { id: closed.uri, type: 'Note' } });
    t.is((await signedGet(c, closed.uri)).status, 404, 'a server with no follower of bob gets nothing');
  });
}

/** A GET signed as Mastodon 4.3+ signs it (draft-cavage): `(request-target)` is the path with its query, or, as older signers do, the path alone. */
async function mastodonSignedGet(url: string, privateKey: CryptoKey, keyId: string, target: 'path-and-query' | 'path' | string): Promise<number> {
  const parsed = new URL(url);
  const date = new Date().toUTCString();
  const path = target === 'path-and-query' ? parsed.pathname + parsed.search : target === 'path' ? parsed.pathname : target;
  const signed = `(request-target): get ${path}\nhost: ${parsed.host}\ndate: ${date}`;
  const signature = Buffer.from(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', privateKey, new TextEncoder().encode(signed))).toString('base64');
  const header = `keyId="${keyId}",algorithm="rsa-sha256",headers="(request-target) host date",signature="${signature}"`;
  return (await fetch(url, { headers: { Accept: 'application/activity+json', Date: date, Signature: header } })).status;
}

for (const target of await databaseTargets()) {
  test(`${target.name}: authorized fetch accepts a draft-cavage signature over the query string, as Mastodon signs collection pages`, async (t) => {
    const [a, b] = await Promise.all([startInstance(t, target), startInstance(t, target, { VIEWFINDER_AUTHORIZED_FETCH: 'on' })]);
    const [alice, bob] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    await post(b, bob, { status: 'Public', media_ids: await photos(b, bob, ['sky']) });
    const person = await (await fetch(`${a.url}/users/alice`, { headers: { Accept: 'application/activity+json' } })).json();
    const [rsa] = await accountKeyPairs(a.db, alice.accountId);
    const outbox = await signedGet(a, `${b.url}/users/bob/outbox`);
    const page = String(outbox.body.first?.id ?? outbox.body.first);
    t.true(new URL(page).search !== '', `the first page has a query: ${page}`);

    t.is(await mastodonSignedGet(page, rsa!.privateKey, person.publicKey.id, 'path-and-query'), 200, 'signed with the query, as the draft says');
    t.is(await mastodonSignedGet(page, rsa!.privateKey, person.publicKey.id, 'path'), 200, 'signed without it, as older servers do');
    t.is(await mastodonSignedGet(page, rsa!.privateKey, person.publicKey.id, `${new URL(page).pathname}?other=1`), 401, 'signed for another query');
    t.is((await fetch(page, { headers: { Accept: 'application/activity+json' } })).status, 401, 'unsigned');
  });
}
