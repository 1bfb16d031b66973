// In `serve --role all`, a job the HTTP thread commits (here a photo's
// processing) is claimed by the job thread at once, not at its next poll:
// with the poll set to a minute, the photo is still ready within seconds.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { uploadFile, solidJpeg } from '../helpers/media-fixtures.ts';
import { api } from '../federation/actions.ts';
import { eventually, startInstance, user } from '../federation/instances.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: a job committed on the HTTP thread runs without waiting for the job thread's poll`, async (t) => {
    const instance = await startInstance(t, target, { VIEWFINDER_JOB_POLL_MS: '60000' });
    const alice = await user(instance, 'alice');
    // Past the job thread's first claim at start: from now on only a nudge or the minute's poll wakes it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const upload = await uploadFile(instance.url, alice.token, await solidJpeg(160, 120, '#3366cc'), { type: 'image/jpeg', description: 'a square' });
    t.true(upload.status === 200 || upload.status === 202);
    await eventually('the photo processed', async () => (await api(instance, 'GET', `/api/v1/media/${upload.body.id}`, alice.token)).status === 200, 20_000);
    t.pass();
  });
}
