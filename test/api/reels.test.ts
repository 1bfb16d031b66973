// Reels: one vertical video, posted with `reel: true`, carry the kind `reel`;
// a horizontal video or a photo cannot be one. Needs ffmpeg (skipped with a
// printed notice without it, except under CI=true).
import test from 'ava';
import { databaseTargets, tempDir } from '../helpers/databases.ts';
import { makeVideo, testVideoTools, uploadFile } from '../helpers/media-fixtures.ts';
import { createUser, startApiServer } from './helpers.ts';
import { waitUntilProcessed } from './media-helpers.ts';

const tools = await testVideoTools('reel tests');

if (tools) {
  for (const target of await databaseTargets()) {
    test(`${target.name}: a vertical video posts as a reel; a horizontal one does not`, async (t) => {
      const server = await startApiServer(t, target, {}, { jobs: true });
      const alice = await createUser(server, 'alice');
      const dir = tempDir(t);
      const upload = async (width: number, height: number) => {
        const answer = await uploadFile(server.url, alice.token, await makeVideo(tools, dir, { width, height, seconds: 1 }), { type: 'video/mp4' });
        t.is(answer.status, 202);
        const done = await waitUntilProcessed(server, alice.token, answer.body.id);
        t.is(done.status, 200);
        return done.body.id as string;
      };
      const [vertical, horizontal] = [await upload(180, 320), await upload(320, 180)];
      const post = (body: unknown) =>
        fetch(`${server.url}/api/v1/statuses`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

      const refused = await post({ status: 'Wide', media_ids: [horizontal], reel: true });
      t.is(refused.status, 422);
      t.regex(refused.body.error, /reel is one vertical video/);
      const reel = await post({ status: 'Tall', media_ids: [vertical], reel: true });
      t.is(reel.status, 200);
      t.is(reel.body.kind, 'reel');
      t.is(reel.body.media_attachments[0].type, 'video');
      const video = await post({ status: 'Wide video', media_ids: [horizontal] });
      t.is(video.body.kind, 'video');
    });
  }
} else {
  test.skip('reels need ffmpeg', () => {});
}
