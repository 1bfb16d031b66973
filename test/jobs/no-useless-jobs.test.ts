// Jobs that would do nothing are not queued: with remote media off, a remote
// post's attachments are recorded (apps load them from their server) and no
// media.fetch-remote job waits to find that out; with it on, each is fetched.
import test from 'ava';
import { findMediaByPostIds } from '../../server/db/media.repo.ts';
import { listJobs } from '../../server/jobs/admin.ts';
import { addRemoteMedia, FETCH_REMOTE_MEDIA_JOB, replaceRemoteMedia } from '../../server/services/media/remote-media.service.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { attachment, insertRemotePost, remoteMediaWorld } from '../services/media/remote-media-fixtures.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: remote media off: attachments are recorded in order and no fetch job is queued, for new posts and edits`, async (t) => {
    const world = await remoteMediaWorld(t, target, { VIEWFINDER_REMOTE_MEDIA: 'off' });
    const off = { fetch: world.config.federation.remoteMedia === 'cache' };
    const postId = await insertRemotePost(world.db, world.author.id);
    const urls = ['a', 'b'].map((name) => `https://photos.example/files/${name}.jpg`);
    const ids = await world.db.transaction((trx) =>
      addRemoteMedia(
        trx,
        { accountId: world.author.id, postId, attachments: urls.map((url) => attachment(url, { name: `photo ${url.at(-5)}` })) },
        off,
      ),
    );
    const media = (await findMediaByPostIds(world.db, [postId])).get(postId) ?? [];
    t.deepEqual(
      media.map((m) => [m.id, m.remoteUrl, m.description, m.state]),
      ids.map((id, i) => [id, urls[i], `photo ${urls[i]!.at(-5)}`, 'pending']),
    );

    const added = 'https://photos.example/files/c.jpg';
    await world.db.transaction((trx) => replaceRemoteMedia(trx, { accountId: world.author.id, postId, attachments: [attachment(urls[0]!), attachment(added)] }, off));
    const edited = (await findMediaByPostIds(world.db, [postId])).get(postId) ?? [];
    t.deepEqual(
      edited.map((m) => m.remoteUrl),
      [urls[0], added],
    );
    t.deepEqual(await listJobs(world.db, { type: FETCH_REMOTE_MEDIA_JOB }), []);
  });

  test(`${target.name}: remote media cached (the default): one fetch job per new attachment`, async (t) => {
    const world = await remoteMediaWorld(t, target);
    const postId = await insertRemotePost(world.db, world.author.id);
    await world.db.transaction((trx) =>
      addRemoteMedia(trx, { accountId: world.author.id, postId, attachments: [attachment('https://photos.example/files/a.jpg'), attachment('https://photos.example/files/b.jpg')] }),
    );
    t.is((await listJobs(world.db, { type: FETCH_REMOTE_MEDIA_JOB })).length, 2);
  });
}
