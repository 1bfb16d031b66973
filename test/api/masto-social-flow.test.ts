// The social life of three people through a real Mastodon client (`masto`):
// A follows B and sees B's post at home; B goes private, so C's follow is a
// request until B authorizes it, and then C sees B's followers-only post;
// B blocks A, and A's home no longer shows B, nor may A like B's posts.
// Notifications arrive for each step, and never from the blocked account.
import test from 'ava';
import type { mastodon } from 'masto';
import { databaseTargets } from '../helpers/databases.ts';
import { solidJpeg } from '../helpers/media-fixtures.ts';
import { createUser, startApiServer, type TestUser } from './helpers.ts';
import { eventually } from './media-helpers.ts';

async function postPhoto(user: TestUser, status: string, visibility: mastodon.v1.StatusVisibility): Promise<mastodon.v1.Status> {
  const file = new Blob([new Uint8Array(await solidJpeg(200, 150))], { type: 'image/jpeg' });
  const media = await user.client.v2.media.create({ file });
  return user.client.v1.statuses.create({ status, mediaIds: [media.id], visibility });
}

const homeIds = async (user: TestUser) => (await user.client.v1.timelines.home.list({ limit: 40 })).map((s) => s.id);

for (const target of await databaseTargets()) {
  test(`${target.name}: follow, private account, follow request, followers-only post, block — with notifications`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const [a, b, c] = await Promise.all(['anna', 'ben', 'cleo'].map((name) => createUser(server, name)));
    const bId = String(b!.accountId);

    const follow = await a!.client.v1.accounts.$select(bId).follow();
    t.true(follow.following);
    const first = await postPhoto(b!, 'Morning light', 'public');
    await eventually(async () => (await homeIds(a!)).includes(first.id));
    await a!.client.v1.statuses.$select(first.id).favourite();

    await b!.client.v1.accounts.updateCredentials({ locked: true });
    const request = await c!.client.v1.accounts.$select(bId).follow();
    t.false(request.following);
    t.true(request.requested);
    const pending = await b!.client.v1.followRequests.list();
    t.deepEqual(pending.map((account) => account.id), [String(c!.accountId)]);
    await b!.client.v1.followRequests.$select(String(c!.accountId)).authorize();
    const [relationship] = await c!.client.v1.accounts.relationships.fetch({ id: [bId] });
    t.true(relationship!.following);

    const secret = await postPhoto(b!, 'For followers', 'private');
    await eventually(async () => (await homeIds(c!)).includes(secret.id));
    t.is((await c!.client.v1.statuses.$select(secret.id).fetch()).id, secret.id);
    await eventually(async () => (await homeIds(a!)).includes(secret.id));

    const notifications = await b!.client.v1.notifications.list();
    const seen = notifications.map((n) => `${n.type}:${n.account.username}`);
    t.true(seen.includes('follow:anna'), seen.join(', '));
    t.true(seen.includes('favourite:anna'), seen.join(', '));
    t.true(seen.includes('follow_request:cleo'), seen.join(', '));

    await b!.client.v1.accounts.$select(String(a!.accountId)).block();
    await eventually(async () => !(await homeIds(a!)).some((id) => id === first.id || id === secret.id));
    await t.throwsAsync(a!.client.v1.statuses.$select(first.id).favourite(), undefined, 'a blocked account cannot like');
    await t.throwsAsync(a!.client.v1.statuses.$select(secret.id).fetch(), undefined, 'nor see the post');
    const afterBlock = await b!.client.v1.notifications.list();
    t.false(afterBlock.some((n) => n.account.username === 'anna'), 'nothing from the blocked account');
    t.true(afterBlock.some((n) => n.type === 'follow_request' && n.account.username === 'cleo'));
    t.is((await c!.client.v1.timelines.home.list()).filter((s) => s.id === secret.id).length, 1, 'others are unaffected');
  });
}
