// Our outgoing activities as Mastodon reads them: plain JSON keys, no JSON-LD
// processing. A Mastodon account follows our user (we Accept, naming its
// Follow); our user's carousel reaches its inbox as a Create whose Note has
// every photo in `attachment` with blurhash, alt text, size and focal point,
// Public spelled out in `to`, the followers collection in `cc`, the Hashtag in
// `tag`, and a draft-cavage signature by our user's key over a matching Digest.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { uploadFile, solidJpeg } from '../helpers/media-fixtures.ts';
import type { TestUser } from '../api/helpers.ts';
import { api, post } from './actions.ts';
import { eventually, startInstance, user, type Instance } from './instances.ts';
import { startStubPeer } from './stub-peer.ts';
import { stubFollows } from './stub-peer-actions.ts';

const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

interface Photo {
  description: string;
  focus: [number, number];
}

/** Uploads photos with alt text and a focal point, waiting until each is processed. */
async function photosWithFocus(instance: Instance, owner: TestUser, photos: Photo[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, photo] of photos.entries()) {
    const jpeg = await solidJpeg(300 + i * 20, 200, ['#cc8833', '#3388cc', '#88cc33'][i % 3]);
    const upload = await uploadFile(instance.url, owner.token, jpeg, { type: 'image/jpeg', description: photo.description, focus: photo.focus.join(',') });
    if (upload.status !== 200 && upload.status !== 202) throw new Error(`upload failed: ${upload.status} ${JSON.stringify(upload.body)}`);
    await eventually('the photo to be processed', async () => (await api(instance, 'GET', `/api/v1/media/${upload.body.id}`, owner.token)).status === 200);
    ids.push(upload.body.id);
  }
  return ids;
}

type JsonObject = Record<string, unknown>;

for (const target of await databaseTargets()) {
  test(`${target.name}: our Create of a carousel reads as Mastodon expects, signed by our user's key`, async (t) => {
    const [instance, mastodon] = await Promise.all([startInstance(t, target), startStubPeer(t, 'mastodon')]);
    const carol = await user(instance, 'carol');
    const alice = await mastodon.person();
    const carolActor = `${instance.url}/users/carol`;
    const published = (await (await fetch(carolActor, { headers: { Accept: 'application/activity+json' } })).json()) as { publicKey: { id: string } };

    // alice follows carol (unlocked): our Accept names alice's Follow by its id, as Mastodon matches it.
    const { follow, accept } = await stubFollows(instance, mastodon, alice, 'carol');
    t.like(accept.activity.object as JsonObject, { id: follow.id, type: 'Follow', actor: alice.id, object: carolActor });
    await eventually('alice among carol\'s followers', async () => (await carol.client.v1.accounts.$select(String(carol.accountId)).fetch()).followersCount === 1);

    const photos: Photo[] = [
      { description: 'The pier at golden hour, looking west', focus: [0.5, -0.25] },
      { description: 'Two anglers in silhouette', focus: [-0.75, 0.1] },
      { description: 'Gulls over the end of the pier', focus: [0, 0.9] },
    ];
    const status = await post(instance, carol, { status: 'Golden hour on the pier #sunset', visibility: 'public', media_ids: await photosWithFocus(instance, carol, photos) });
    const delivery = await mastodon.receivedWhere('our Create', (r) => r.activity.type === 'Create' && (r.activity.object as JsonObject | undefined)?.id === status.uri);
    const create = delivery.activity;
    const note = create.object as JsonObject;

    t.is(create.actor, carolActor);
    t.is(note.type, 'Note');
    t.is(note.attributedTo, carolActor);
    t.is(note.url, status.url);
    t.regex(String(note.content), /Golden hour on the pier/);
    for (const addressed of [create, note]) {
      t.true(Array.isArray(addressed.to) && addressed.to.includes(PUBLIC), `to names ${PUBLIC} in full: ${JSON.stringify(addressed.to)}`);
      t.true(Array.isArray(addressed.cc) && addressed.cc.includes(`${carolActor}/followers`), `cc names the followers: ${JSON.stringify(addressed.cc)}`);
    }

    t.true(Array.isArray(note.attachment), 'attachment is an array');
    const attachments = note.attachment as JsonObject[];
    t.is(attachments.length, 3);
    for (const [i, attachment] of attachments.entries()) {
      const media = status.media_attachments[i];
      t.true(attachment.type === 'Image' || attachment.type === 'Document', `photo ${i + 1} is an Image: ${String(attachment.type)}`);
      t.is(attachment.mediaType, 'image/jpeg');
      t.is(attachment.name, photos[i]!.description);
      t.is(attachment.blurhash, media.blurhash);
      t.is(typeof attachment.blurhash, 'string');
      t.deepEqual(attachment.focalPoint, photos[i]!.focus);
      t.is(attachment.width, media.meta.original.width);
      t.is(attachment.height, media.meta.original.height);
      t.is(typeof attachment.url, 'string');
      t.is((await fetch(String(attachment.url))).status, 200, 'the photo can be fetched');
    }

    t.true(Array.isArray(note.tag), 'tag is an array');
    const hashtags = (note.tag as JsonObject[]).filter((tag) => tag.type === 'Hashtag');
    t.deepEqual(hashtags.map((tag) => String(tag.name).toLowerCase()), ['#sunset']);
    t.is(typeof hashtags[0]!.href, 'string');

    // Signed as Mastodon verifies: the stub checked the draft-cavage signature against carol's published key.
    t.is(delivery.keyId, published.publicKey.id);
    t.is(delivery.signedBy, carolActor);
    t.true(delivery.digestMatches, `Digest ${delivery.headers.digest} matches the body`);
    const signed = delivery.headers.signature?.match(/headers="([^"]+)"/)?.[1]?.split(' ') ?? [];
    for (const header of ['(request-target)', 'host', 'date', 'digest']) t.true(signed.includes(header), `the signature covers ${header}: ${signed.join(' ')}`);
    t.is(delivery.path, '/inbox', 'delivered once to the shared inbox');

    // Followers-only: the followers collection addressed, Public nowhere (Mastodon reads it as private).
    const quiet = await post(instance, carol, { status: 'Just for followers', visibility: 'private', media_ids: await photosWithFocus(instance, carol, [photos[0]!]) });
    const privateDelivery = await mastodon.receivedWhere('our followers-only Create', (r) => r.activity.type === 'Create' && (r.activity.object as JsonObject | undefined)?.id === quiet.uri);
    for (const addressed of [privateDelivery.activity, privateDelivery.activity.object as JsonObject]) {
      const audience = [...((addressed.to as string[] | undefined) ?? []), ...((addressed.cc as string[] | undefined) ?? [])];
      t.true(audience.includes(`${carolActor}/followers`), `followers addressed: ${audience.join(' ')}`);
      t.false(audience.some((uri) => uri === PUBLIC || uri === 'as:Public' || uri === 'Public'), `Public nowhere: ${audience.join(' ')}`);
    }
  });

  test(`${target.name}: a post to five servers goes through Fedify's fan-out and reaches each with its blurhash and focal point`, async (t) => {
    // Fedify fans out from five inboxes on: one queued message that a later
    // job expands, which re-serializes the activity without what its
    // vocabulary lacks. Each delivery must still carry it.
    const instance = await startInstance(t, target);
    const carol = await user(instance, 'carol');
    const servers = await Promise.all([1, 2, 3, 4, 5].map(() => startStubPeer(t, 'mastodon')));
    for (const server of servers) await stubFollows(instance, server, await server.person(), 'carol');
    await eventually('five followers', async () => (await carol.client.v1.accounts.$select(String(carol.accountId)).fetch()).followersCount === 5);

    const photo: Photo = { description: 'Dunes at dawn', focus: [0.25, -0.5] };
    const status = await post(instance, carol, { status: 'Dawn', visibility: 'public', media_ids: await photosWithFocus(instance, carol, [photo]) });
    for (const server of servers) {
      const delivery = await server.receivedWhere('our Create', (r) => r.activity.type === 'Create' && (r.activity.object as JsonObject | undefined)?.id === status.uri);
      const [attachment] = (delivery.activity.object as JsonObject).attachment as JsonObject[];
      t.is(attachment!.blurhash, status.media_attachments[0].blurhash, `blurhash at ${server.host}`);
      t.deepEqual(attachment!.focalPoint, photo.focus, `focal point at ${server.host}`);
      t.true(delivery.digestMatches);
    }
  });
}
