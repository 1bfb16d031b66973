// A Pixelfed carousel, as Pixelfed sends it to a follower's server: three
// photos with alt text (one without), comments turned off, a Place. We store
// it as a carousel of three with the alt text, our own copies of the photos,
// `comments_disabled` and the place; and our user's reply to it is refused
// with 422, the rule that holds for a local post with comments off.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { solidJpeg } from '../helpers/media-fixtures.ts';
import { api, settle } from './actions.ts';
import { eventually, startInstance, user } from './instances.ts';
import { startStubPeer } from './stub-peer.ts';
import { followStubActor } from './stub-peer-actions.ts';
import { createOf } from './stub-peer-fixtures.ts';

interface FixtureImage {
  url: string;
  name: string | null;
  blurhash?: string;
  width: number;
  height: number;
}

for (const target of await databaseTargets()) {
  test(`${target.name}: a Pixelfed carousel with comments off and a place is stored as such, and replies to it are refused`, async (t) => {
    const [instance, pixelfed] = await Promise.all([startInstance(t, target), startStubPeer(t, 'pixelfed')]);
    const bob = await user(instance, 'bob');
    const dana = await pixelfed.person();
    t.true(dana.document.manuallyApprovesFollowers, 'dana approves her followers: a request until Pixelfed accepts');
    await followStubActor(instance, bob, pixelfed, dana);

    const note = await pixelfed.fixture('pixelfed-note');
    const images = note.attachment as FixtureImage[];
    for (const [i, image] of images.entries()) pixelfed.serveFile(image.url, await solidJpeg(image.width, image.height, ['#aa5533', '#3355aa', '#55aa33'][i]), 'image/jpeg');
    await pixelfed.deliver(createOf(note), `${instance.url}/inbox`);

    const status = await eventually('the carousel in bob\'s home feed', async () => (await bob.client.v1.timelines.home.list()).find((s) => s.uri === note.id));
    t.is(status.account.acct, dana.acct);
    t.is(status.url, String(note.url));
    t.regex(status.content, /Three frames from Alfama, Portra 400/);
    t.deepEqual(status.tags.map((tag) => tag.name).sort(), ['filmphotography', 'lisboa']);
    const raw = (await api(instance, 'GET', `/api/v1/statuses/${status.id}`, bob.token)).body;
    t.is(raw.kind, 'carousel');
    t.true(raw.comments_disabled);
    t.deepEqual(raw.place, { name: 'Lisbon', lat: 38.722252, lon: -9.139337 });
    t.is(raw.media_attachments.length, 3);
    for (const [i, media] of (raw.media_attachments as { description: string | null; blurhash: string | null; remote_url: string; type: string }[]).entries()) {
      t.is(media.type, 'image');
      t.is(media.description, images[i]!.name, `alt text of photo ${i + 1}`);
      t.is(media.remote_url, images[i]!.url);
      if (images[i]!.blurhash) t.is(media.blurhash, images[i]!.blurhash);
    }
    // Fetched through our pipeline: served from our instance at the remote size.
    const cached = await eventually('our copies of the photos', async () => {
      const now = (await api(instance, 'GET', `/api/v1/statuses/${status.id}`, bob.token)).body;
      return now.media_attachments.every((m: { url: string }) => m.url.startsWith(instance.url)) ? now : null;
    });
    for (const [i, media] of (cached.media_attachments as { url: string; meta: { original?: { width: number; height: number } } }[]).entries()) {
      t.like(media.meta.original, { width: images[i]!.width, height: images[i]!.height });
      t.is((await fetch(media.url)).status, 200);
    }

    // bob tries to comment: refused, and nothing is sent to Pixelfed.
    const refused = await api(instance, 'POST', '/api/v1/statuses', bob.token, { status: `@${dana.acct} which tram line is this?`, in_reply_to_id: status.id });
    t.is(refused.status, 422, JSON.stringify(refused.body));
    t.regex(refused.body.error, /comments/i);
    await settle();
    t.false(pixelfed.received.some((r) => r.activity.type === 'Create'), 'no reply delivered');
    t.is((await api(instance, 'GET', `/api/v1/statuses/${status.id}`, bob.token)).body.replies_count, 0);
  });
}
