// Remote avatars and headers are copied through our own pipeline and served
// from here (server/services/accounts/remote-profile-images.job.ts): between
// two real instances, a follower's server shows alice's pictures from its own
// storage, resized, and replaces the copy when she changes one; a picture the
// remote server refuses is remembered as refused and not retried; a suspended
// account's copies are removed, and so are those of a domain whose media the
// admin rejects; with remote media off nothing is copied.
import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { databaseTargets } from '../helpers/databases.ts';
import { solidJpeg } from '../helpers/media-fixtures.ts';
import { storeRemoteActor } from '../../federation/remote/remote-accounts.ts';
import type { RemoteActorData } from '../../federation/objects/account-from-actor.ts';
import { setAccountSuspendedAt } from '../../server/db/accounts.repo.ts';
import { syncRemoteProfileImagesLater } from '../../server/services/accounts/remote-profile-images.job.ts';
import { blockDomain, DOMAIN_POLICY_TTL_MS } from '../../server/services/moderation/domain-blocks.service.ts';
import { remoteId, settle } from './actions.ts';
import { eventually, startInstance, user, type Instance } from './instances.ts';
import type { TestUser } from '../api/helpers.ts';

async function setPictures(instance: Instance, who: TestUser, pictures: { avatar?: Buffer; header?: Buffer }): Promise<void> {
  const form = new FormData();
  for (const [kind, bytes] of Object.entries(pictures)) form.set(kind, new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), `${kind}.jpg`);
  const response = await fetch(`${instance.url}/api/v1/accounts/update_credentials`, { method: 'PATCH', headers: { Authorization: `Bearer ${who.token}` }, body: form });
  if (response.status !== 200) throw new Error(`update_credentials: ${response.status} ${await response.text()}`);
}

/** The picture at `url`: its size and its mean colour. */
async function picture(url: string): Promise<{ width?: number; height?: number; format?: string; red: number; blue: number }> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const { width, height, format } = await sharp(bytes).metadata();
  const { channels } = await sharp(bytes).stats();
  return { width, height, format, red: channels[0]!.mean, blue: channels[2]!.mean };
}

/** A remote server's files: a JPEG, a 404 and a page that is not an image. */
async function pictureServer(t: import('ava').ExecutionContext): Promise<string> {
  const jpeg = await solidJpeg(800, 300, '#33aa55');
  const server = createServer((req, res) => {
    if (req.url === '/header.jpg') return void res.writeHead(200, { 'Content-Type': 'image/jpeg' }).end(jpeg);
    if (req.url === '/page.jpg') return void res.writeHead(200, { 'Content-Type': 'image/jpeg' }).end('<html>not a picture</html>');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function actorData(origin: string, username: string, pictures: { avatarUrl: string | null; headerUrl: string | null }): RemoteActorData {
  const uri = `${origin}/users/${username}`;
  return {
    uri,
    username,
    domain: new URL(origin).host,
    displayName: username,
    noteHtml: '',
    url: uri,
    ...pictures,
    locked: false,
    discoverable: true,
    bot: false,
    actorType: 'Person',
    fields: [],
    inbox: `${uri}/inbox`,
    sharedInbox: null,
    outbox: null,
    followers: null,
    following: null,
    featured: null,
    alsoKnownAs: [],
    movedTo: null,
    published: null,
  };
}

const pendingSyncJobs = async (instance: Instance) =>
  Number((await instance.db('jobs').where({ type: 'accounts.sync-remote-images' }).count({ n: '*' }).first())?.n);

for (const target of await databaseTargets()) {
  test(`${target.name}: a followed account's avatar and header are served from here, resized; a new avatar replaces the copy`, async (t) => {
    const [a, b] = await Promise.all([startInstance(t, target), startInstance(t, target)]);
    const [alice, bob] = await Promise.all([user(a, 'alice'), user(b, 'bob')]);
    await setPictures(a, alice, { avatar: await solidJpeg(600, 600, '#cc3333'), header: await solidJpeg(1800, 600, '#33aa55') });
    const aliceOnB = await remoteId(b, bob, alice, a);
    await bob.client.v1.accounts.$select(aliceOnB).follow();

    const copied = await eventually('the copies on B', async () => {
      const account = await bob.client.v1.accounts.$select(aliceOnB).fetch();
      return account.avatar.startsWith(b.url) && account.header.startsWith(b.url) ? account : null;
    });
    const avatar = await picture(copied.avatar);
    t.like(avatar, { width: 400, height: 400, format: 'jpeg' });
    t.true(avatar.red > 150 && avatar.blue < 100, 'alice’s red avatar');
    t.like(await picture(copied.header), { width: 1500, height: 500, format: 'jpeg' });

    // Her new avatar reaches B with her profile's Update (to her followers: bob, once A has his Follow); the old copy is deleted, the header kept.
    await eventually('bob following alice', async () => (await a.db('follows').where({ target_account_id: alice.accountId }).first()) !== undefined);
    await setPictures(a, alice, { avatar: await solidJpeg(600, 600, '#3366cc') });
    const updated = await eventually('the new avatar on B', async () => {
      const account = await bob.client.v1.accounts.$select(aliceOnB).fetch();
      return account.avatar !== copied.avatar && account.avatar.startsWith(b.url) ? account : null;
    });
    t.true((await picture(updated.avatar)).blue > 150, 'the blue one now');
    t.is((await fetch(copied.avatar)).status, 404);
    t.is(updated.header, copied.header, 'an unchanged header is not fetched again');
  });

  test(`${target.name}: a refused picture is remembered, not retried; a suspended account's copies are removed, and a media-rejected domain's`, async (t) => {
    const b = await startInstance(t, target);
    const origin = await pictureServer(t);
    const gone = await storeRemoteActor(b.db, actorData(origin, 'gone', { avatarUrl: `${origin}/missing.jpg`, headerUrl: `${origin}/header.jpg` }));
    const row = await eventually('the header copied', () => b.db('accounts').where({ id: gone.id }).whereNotNull('header_path').first());
    t.is(row.avatar_path, null);
    t.is(row.avatar_source_url, `${origin}/missing.jpg`, 'the 404 is remembered for that URL');
    await eventually('no job left', async () => (await pendingSyncJobs(b)) === 0);

    // A refresh with nothing changed queues nothing; a page posing as a JPEG is refused too.
    await storeRemoteActor(b.db, actorData(origin, 'gone', { avatarUrl: `${origin}/missing.jpg`, headerUrl: `${origin}/header.jpg` }));
    t.is(await pendingSyncJobs(b), 0);
    const page = await storeRemoteActor(b.db, actorData(origin, 'page', { avatarUrl: `${origin}/page.jpg`, headerUrl: null }));
    await eventually('the page refused', () => b.db('accounts').where({ id: page.id, avatar_source_url: `${origin}/page.jpg` }).first());
    t.is((await b.db('accounts').where({ id: page.id }).first()).avatar_path, null);

    // Suspended (as an actor's Delete does): the copy goes, file and all.
    const headerUrl = `${b.url}/media/${row.header_path}`;
    t.is((await fetch(headerUrl)).status, 200);
    await setAccountSuspendedAt(b.db, gone.id, Date.now());
    await syncRemoteProfileImagesLater(b.db, gone.id);
    await eventually('the copy removed', () => b.db('accounts').where({ id: gone.id }).whereNull('header_path').first());
    t.is((await fetch(headerUrl)).status, 404);

    // The admin rejects the domain's media: an account's copies go at its next refresh.
    const kept = await storeRemoteActor(b.db, actorData(origin, 'kept', { avatarUrl: null, headerUrl: `${origin}/header.jpg` }));
    const keptRow = await eventually('the second header copied', () => b.db('accounts').where({ id: kept.id }).whereNotNull('header_path').first());
    await blockDomain(b.db, { domain: new URL(origin).host, severity: 'silence', rejectMedia: true });
    await settle(DOMAIN_POLICY_TTL_MS + 500); // the job thread's policy cache
    await storeRemoteActor(b.db, actorData(origin, 'kept', { avatarUrl: null, headerUrl: `${origin}/header.jpg` }));
    await eventually('the rejected copy removed', () => b.db('accounts').where({ id: kept.id }).whereNull('header_path').first());
    t.is((await fetch(`${b.url}/media/${keptRow.header_path}`)).status, 404);
  });

  test(`${target.name}: with remote media off, pictures are shown from their own server and nothing is fetched`, async (t) => {
    const b = await startInstance(t, target, { VIEWFINDER_REMOTE_MEDIA: 'off' });
    const origin = await pictureServer(t);
    const account = await storeRemoteActor(b.db, actorData(origin, 'elsewhere', { avatarUrl: null, headerUrl: `${origin}/header.jpg` }));
    await eventually('the job done', async () => (await pendingSyncJobs(b)) === 0);
    const row = await b.db('accounts').where({ id: account.id }).first();
    t.is(row.header_path, null);
    t.is(row.header_remote_url, `${origin}/header.jpg`);
  });
}
