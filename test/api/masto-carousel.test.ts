// A Mastodon app's whole life of a carousel, through the `masto` client:
// upload photos with alt text (masto polls until processed), post them as a
// carousel with a caption, location and hashtags, read it back, edit it
// (caption, alt text, one photo removed), see the history, delete it, and
// find its files gone. Plus the 20-item limit.
import test from 'ava';
import type { mastodon } from 'masto';
import { createWorker } from '../../server/jobs/worker.ts';
import { createJobRegistry } from '../../server/jobs/handlers.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { solidJpeg, uploadFile } from '../helpers/media-fixtures.ts';
import { createUser, getJson, local, startApiServer } from './helpers.ts';
import { eventually, mediaFiles } from './media-helpers.ts';

const colours = ['#cc3333', '#33cc33', '#3333cc'];

for (const target of await databaseTargets()) {
  test(`${target.name}: masto uploads, posts, reads, edits, reads the history of and deletes a carousel`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const alice = await createUser(server, 'alice');
    const media: mastodon.v1.MediaAttachment[] = [];
    for (const [i, colour] of colours.entries()) {
      const file = new Blob([new Uint8Array(await solidJpeg(800, 600, colour))], { type: 'image/jpeg' });
      media.push(await alice.client.v2.media.create({ file, description: `Photo ${i + 1}` }));
    }
    t.true(media.every((m) => m.url !== null && m.type === 'image'));

    const posted = await alice.client.v1.statuses.create({
      status: 'Three colours #Minimal #minimal #Colour',
      mediaIds: media.map((m) => m.id),
      visibility: 'public',
      location: { name: 'Bauhaus, Dessau', lat: 51.8394, lon: 12.2275 },
      commentsDisabled: true,
      hideLikeCount: true,
    } as never);
    // masto camel-cases our extra fields like Mastodon's own.
    const extra = posted as unknown as { kind: string; place: unknown; commentsDisabled: boolean; hideLikeCount: boolean };
    t.is(extra.kind, 'carousel');
    t.deepEqual(extra.place, { name: 'Bauhaus, Dessau', lat: 51.8394, lon: 12.2275 });
    t.true(extra.commentsDisabled);
    t.true(extra.hideLikeCount);
    t.deepEqual(posted.mediaAttachments.map((m) => m.id), media.map((m) => m.id), 'order kept');
    t.deepEqual(posted.mediaAttachments.map((m) => m.description), ['Photo 1', 'Photo 2', 'Photo 3']);
    t.deepEqual(posted.tags.map((tag) => tag.name).sort(), ['colour', 'minimal']);
    t.regex(posted.content, /<a href="http:\/\/127\.0\.0\.1:9\/tags\/minimal" class="mention hashtag" rel="tag">#<span>Minimal<\/span><\/a>/);
    t.is(posted.application?.name, 'Test app');

    const read = await alice.client.v1.statuses.$select(posted.id).fetch();
    t.is(read.id, posted.id);
    t.deepEqual(read.mediaAttachments.map((m) => m.url), posted.mediaAttachments.map((m) => m.url));
    const profile = await alice.client.v1.accounts.$select(alice.accountId.toString()).statuses.list({ onlyMedia: true });
    t.deepEqual(profile.map((s) => s.id), [posted.id]);

    const edited = await alice.client.v1.statuses.$select(posted.id).update({
      status: 'Two colours #minimal',
      mediaIds: [media[0]!.id, media[2]!.id],
      mediaAttributes: [{ id: media[2]!.id, description: 'The blue one' }],
    });
    t.truthy(edited.editedAt);
    t.is(edited.content.includes('Two colours'), true);
    t.deepEqual(edited.mediaAttachments.map((m) => m.description), ['Photo 1', 'The blue one']);
    t.deepEqual(edited.tags.map((tag) => tag.name), ['minimal']);

    const history = await alice.client.v1.statuses.$select(posted.id).history.list();
    t.is(history.length, 2, 'the original and the edit');
    t.regex(history[0]!.content, /Three colours/);
    t.is(history[0]!.mediaAttachments.length, 2, 'the removed photo\'s file is gone, the others stay in the history');
    t.deepEqual(history[0]!.mediaAttachments.map((m) => m.description), ['Photo 1', 'Photo 3']);
    t.regex(history[1]!.content, /Two colours/);
    t.deepEqual(history[1]!.mediaAttachments.map((m) => m.description), ['Photo 1', 'The blue one']);
    const source = await alice.client.v1.statuses.$select(posted.id).source.fetch();
    t.is(source.text, 'Two colours #minimal');

    // The removed photo's files go now, by a job.
    const removedUrl = local(server, media[1]!.url!);
    await eventually(async () => (await fetch(removedUrl)).status === 404);

    const deleted = await alice.client.v1.statuses.$select(posted.id).remove();
    t.is(deleted.id, posted.id);
    t.is((deleted as unknown as { text: string }).text, 'Two colours #minimal', 'delete and redraft gets the source');
    t.is((await getJson(server, `/api/v1/statuses/${posted.id}`, alice.token)).status, 404);
    await eventually(async () => (await mediaFiles(server)).length === 0);
    t.deepEqual(await mediaFiles(server), [], 'every file of the post is removed');
    t.is(Number((await server.db('media').count({ n: '*' }).first())!.n), 0);
    const account = await alice.client.v1.accounts.verifyCredentials();
    t.is(account.statusesCount, 0);
  });

  test(`${target.name}: a carousel holds up to 20 photos in order; a 21st is refused`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    const photo = (i: number) => solidJpeg(64, 48, `#${(i * 12).toString(16).padStart(2, '0')}8080`);
    // No worker yet: the upload waits its ~2 s, then answers 202 and stays unprocessed.
    const first = await uploadFile(server.url, alice.token, await photo(0), { type: 'image/jpeg' });
    t.is(first.status, 202, 'nothing processes it yet');
    t.is(first.body.url, null);
    const early = await post(server.url, alice.token, { status: 'Too soon', media_ids: [first.body.id] });
    t.is(early.status, 422, 'media still processing cannot be attached');
    t.regex(early.body.error, /not finished processing/);

    const worker = createWorker({ db: server.db, registry: createJobRegistry(server.db, server.config), concurrency: 2, pollMs: 20, leaseMs: 60_000 });
    worker.start();
    t.teardown(() => worker.stop());
    const ids: string[] = [first.body.id];
    for (let i = 1; i < 21; i++) {
      const upload = await uploadFile(server.url, alice.token, await photo(i), { type: 'image/jpeg' });
      t.true([200, 202].includes(upload.status));
      ids.push(upload.body.id);
    }
    await worker.runUntilIdle();

    const tooMany = await post(server.url, alice.token, { status: 'Twenty-one', media_ids: ids });
    t.is(tooMany.status, 422);
    t.regex(tooMany.body.error, /at most 20/);
    const twenty = await post(server.url, alice.token, { status: 'Twenty', media_ids: ids.slice(0, 20) });
    t.is(twenty.status, 200);
    t.is(twenty.body.kind, 'carousel');
    t.deepEqual(twenty.body.media_attachments.map((m: { id: string }) => m.id), ids.slice(0, 20));
    const again = await post(server.url, alice.token, { status: 'Again', media_ids: [ids[0], ids[20]] });
    t.is(again.status, 422, 'a photo already in a post is not attached twice');
  });
}

async function post(baseUrl: string, token: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}/api/v1/statuses`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
