// What an inbox refuses: an unsigned POST and one signed with a key that is
// not the claimed actor's are answered 401 and change nothing; a Follow from
// a domain the admin suspended is refused (403) and leaves no request.
import test from 'ava';
import { request } from 'node:http';
import { generateCryptoKeyPair, signRequest } from '@fedify/fedify';
import { databaseTargets } from '../helpers/databases.ts';
import { blockDomain, DOMAIN_POLICY_TTL_MS } from '../../server/services/moderation/domain-blocks.service.ts';
import { remoteId, settle } from './actions.ts';
import { startInstance, user } from './instances.ts';

/** The status a POST gets, read even when the server answers before taking the whole body (as it should for an oversized one). */
function postStatus(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'application/activity+json', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error) => setTimeout(() => reject(error), 1000));
    for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.slice(i, i + 64 * 1024));
    req.end();
  });
}

for (const target of await databaseTargets()) {
  test(`${target.name}: unsigned and forged inbox POSTs are refused; a suspended domain's Follow is refused`, async (t) => {
    const [a, b] = await Promise.all([startInstance(t, target), startInstance(t, target)]);
    const [alice, bob] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    const actor = `${a.url}/users/alice`;
    const person = await (await fetch(actor, { headers: { Accept: 'application/activity+json' } })).json();
    const follow = JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${actor}#follows/forged`, type: 'Follow', actor, object: `${b.url}/users/bob` });
    const inbox = `${b.url}/users/bob/inbox`;

    const unsigned = await fetch(inbox, { method: 'POST', headers: { 'Content-Type': 'application/activity+json' }, body: follow });
    t.is(unsigned.status, 401);

    // Bodies past the size limit are refused, declared or streamed.
    const huge = JSON.stringify({ ...JSON.parse(follow), padding: 'x'.repeat(2 * 1024 * 1024) });
    t.is(await postStatus(inbox, huge, { 'Content-Length': String(Buffer.byteLength(huge)) }), 413);
    t.is(await postStatus(inbox, huge, { 'Transfer-Encoding': 'chunked' }), 413);

    // Signed with a fresh key under alice's real key id: the signature does not verify against her published key.
    const { privateKey } = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
    const forged = await signRequest(new Request(inbox, { method: 'POST', headers: { 'Content-Type': 'application/activity+json' }, body: follow }), privateKey, new URL(person.publicKey.id));
    t.is((await fetch(forged)).status, 401);
    await settle();
    t.deepEqual(await bob.client.v1.followRequests.list(), []);
    t.is((await bob.client.v1.accounts.$select(String(bob.accountId)).fetch()).followersCount, 0);
    t.is(await b.db('accounts').whereNotNull('domain').first(), undefined, 'nothing of the forger stored');

    // B suspends A's domain: alice's real, signed Follow is turned away.
    await blockDomain(b.db, { domain: a.domain, severity: 'suspend' });
    // The server's processes see a block made elsewhere (the CLI) once their policy cache expires.
    await settle(DOMAIN_POLICY_TTL_MS + 500);
    const bobOnA = await remoteId(a, alice, bob, b);
    await alice.client.v1.accounts.$select(bobOnA).follow();
    await settle(3000);
    t.deepEqual(await bob.client.v1.followRequests.list(), []);
    t.is((await bob.client.v1.accounts.$select(String(bob.accountId)).fetch()).followersCount, 0);
    const refused = await b.db('jobs').where({ type: 'fedify.inbox' }).count({ n: '*' }).first();
    t.is(Number(refused?.n), 0, 'nothing queued from the blocked domain');
  });
}
