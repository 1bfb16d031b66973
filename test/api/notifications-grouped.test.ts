// Grouped notifications (Mastodon 4.3, /api/v2/notifications): likes and
// shares of one post and follows group within a 12-hour span; pages of
// groups with Link headers; one group, its accounts, dismissing it; the
// grouped unread count.
import test from 'ava';
import { newId } from '../../server/db/ids.ts';
import { insertPost } from '../../server/db/posts.repo.ts';
import { GROUP_SPAN_MS } from '../../server/services/notifications/group-keys.ts';
import { notifyMany, type NotificationType } from '../../server/services/notifications/notify.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { createUser, startApiServer, type ApiServer } from './helpers.ts';

async function get(server: ApiServer, path: string, token: string) {
  const response = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as any, link: response.headers.get('link') };
}

async function post(server: ApiServer, accountId: number, visibility: 'public' | 'private' = 'public'): Promise<number> {
  const id = newId();
  await insertPost(server.db, { id, accountId, kind: 'photo', visibility, createdAt: Date.now(), updatedAt: Date.now() });
  return id;
}

for (const target of await databaseTargets()) {
  test(`${target.name}: likes, shares and follows are grouped; pages, one group, its accounts, dismiss`, async (t) => {
    const server = await startApiServer(t, target);
    const [alice, bob, carol, dave, erin] = [
      await createUser(server, 'alice'),
      await createUser(server, 'bob'),
      await createUser(server, 'carol'),
      await createUser(server, 'dave'),
      await createUser(server, 'erin'),
    ];
    const p1 = await post(server, alice.accountId);
    const p2 = await post(server, alice.accountId);
    const davePost = await post(server, dave.accountId);
    // Fixed times in the middle of the previous 12-hour span (and one in the span before), so no boundary is crossed.
    const base = Math.floor(Date.now() / GROUP_SPAN_MS) * GROUP_SPAN_MS - GROUP_SPAN_MS / 2;
    const make = (type: NotificationType, from: number, postId: number | null, at: number) =>
      server.db.transaction((trx) => notifyMany(trx, type, [alice.accountId], from, postId, at));
    await make('favourite', bob.accountId, p2, base - GROUP_SPAN_MS);
    await make('favourite', bob.accountId, p1, base + 1000);
    await make('favourite', carol.accountId, p1, base + 2000);
    await make('reblog', erin.accountId, p1, base + 3000);
    await make('follow', bob.accountId, null, base + 4000);
    await make('favourite', dave.accountId, p1, base + 5000);
    await make('follow', carol.accountId, null, base + 6000);
    await make('mention', dave.accountId, davePost, base + 7000);
    const ids = (await get(server, '/api/v1/notifications', alice.token)).body.map((n: any) => n.id);
    t.is(ids.length, 8);
    const bucket = Math.floor(base / GROUP_SPAN_MS);

    const all = await get(server, '/api/v2/notifications', alice.token);
    t.is(all.status, 200);
    const summary = all.body.notification_groups.map((g: any) => [g.group_key, g.type, g.notifications_count, g.sample_account_ids, g.status_id ?? null]);
    t.deepEqual(summary, [
      [`ungrouped-${ids[0]}`, 'mention', 1, [String(dave.accountId)], String(davePost)],
      [`follow-${bucket}`, 'follow', 2, [String(carol.accountId), String(bob.accountId)], null],
      [`favourite-${p1}-${bucket}`, 'favourite', 3, [String(dave.accountId), String(carol.accountId), String(bob.accountId)], String(p1)],
      [`reblog-${p1}-${bucket}`, 'reblog', 1, [String(erin.accountId)], String(p1)],
      [`favourite-${p2}-${bucket - 1}`, 'favourite', 1, [String(bob.accountId)], String(p2)],
    ]);
    const favourites = all.body.notification_groups[2];
    t.is(favourites.most_recent_notification_id, ids[2]);
    t.is(favourites.page_max_id, ids[2]);
    t.is(favourites.page_min_id, ids[6]);
    t.is(favourites.latest_page_notification_at, new Date(base + 5000).toISOString());
    t.deepEqual(all.body.accounts.map((a: any) => a.username).sort(), ['bob', 'carol', 'dave', 'erin']);
    t.deepEqual(all.body.statuses.map((s: any) => s.id).sort(), [String(p1), String(p2), String(davePost)].sort());
    // The v1 entities name their group too.
    const v1 = (await get(server, '/api/v1/notifications', alice.token)).body;
    t.is(v1.find((n: any) => n.type === 'favourite').group_key, `favourite-${p1}-${bucket}`);

    // masto reads the same shape.
    const viaMasto = await alice.client.v2.notifications.list();
    t.deepEqual(viaMasto.notificationGroups.map((g) => g.notificationsCount), [1, 2, 3, 1, 1]);

    // Pages of two groups: every notification turns up exactly once, following the Link headers.
    const covered: number[] = [];
    let next: string | undefined = '/api/v2/notifications?limit=2';
    for (let pages = 0; next && pages < 10; pages++) {
      const page = await get(server, next, alice.token);
      t.true(page.body.notification_groups.length <= 2);
      for (const group of page.body.notification_groups) covered.push(group.notifications_count);
      next = /<([^>]+)>; rel="next"/.exec(page.link ?? '')?.[1]?.replace(server.config.publicUrl, '');
    }
    t.is(covered.reduce((a, b) => a + b, 0), 8);
    const newer = await get(server, `/api/v2/notifications?min_id=${ids[3]}&limit=2`, alice.token);
    t.deepEqual(newer.body.notification_groups.map((g: any) => g.type), ['follow', 'favourite']);

    // Groups only what the client can show grouped.
    const noFollowGroups = await get(server, '/api/v2/notifications?grouped_types[]=favourite&grouped_types[]=reblog', alice.token);
    t.deepEqual(noFollowGroups.body.notification_groups.filter((g: any) => g.type === 'follow').map((g: any) => g.group_key), [`ungrouped-${ids[1]}`, `ungrouped-${ids[3]}`]);
    t.deepEqual((await get(server, '/api/v2/notifications?types[]=follow', alice.token)).body.notification_groups.length, 1);

    const one = await get(server, `/api/v2/notifications/favourite-${p1}-${bucket}`, alice.token);
    t.is(one.body.notification_groups[0].notifications_count, 3);
    t.deepEqual(one.body.statuses.map((s: any) => s.id), [String(p1)]);
    const accounts = await get(server, `/api/v2/notifications/favourite-${p1}-${bucket}/accounts`, alice.token);
    t.deepEqual(accounts.body.map((a: any) => a.username), ['dave', 'carol', 'bob']);
    t.is((await get(server, `/api/v2/notifications/ungrouped-${ids[1]}`, alice.token)).body.notification_groups[0].type, 'follow');
    t.is((await get(server, `/api/v2/notifications/favourite-${p1}-${bucket}`, bob.token)).status, 404);
    t.is((await get(server, '/api/v2/notifications/whatever', alice.token)).status, 404);

    // Unread groups, counted after the marker.
    const unread = async (query = '') => (await get(server, `/api/v2/notifications/unread_count${query}`, alice.token)).body.count;
    t.is(await unread(), 5);
    t.is(await unread('?limit=2'), 2);
    await alice.client.v1.markers.create({ notifications: { lastReadId: ids[3] } });
    t.is(await unread(), 3); // mention, follows, likes of p1

    // A blocked sender's notifications leave their groups.
    await server.db('blocks').insert({ id: newId(), account_id: alice.accountId, target_account_id: erin.accountId, created_at: Date.now() });
    t.false((await get(server, '/api/v2/notifications', alice.token)).body.notification_groups.some((g: any) => g.type === 'reblog'));

    const dismissed = await fetch(`${server.url}/api/v2/notifications/favourite-${p1}-${bucket}/dismiss`, { method: 'POST', headers: { Authorization: `Bearer ${alice.token}` } });
    t.is(dismissed.status, 200);
    t.is((await get(server, '/api/v1/notifications?types[]=favourite', alice.token)).body.length, 1);
    await alice.client.v2.notifications.$select(`ungrouped-${ids[0]}`).dismiss();
    t.deepEqual((await get(server, '/api/v1/notifications?types[]=mention', alice.token)).body, []);

    const policy = await get(server, '/api/v2/notifications/policy', alice.token);
    t.is(policy.body.for_not_following, 'accept');
  });

  test(`${target.name}: the grouped unread count counts only what the list shows`, async (t) => {
    const server = await startApiServer(t, target);
    const [alice, bob] = [await createUser(server, 'alice'), await createUser(server, 'bob')];
    const notify = (type: NotificationType, postId: number | null) => server.db.transaction((trx) => notifyMany(trx, type, [alice.accountId], bob.accountId, postId, Date.now()));
    // Bob mentions alice in a followers-only post she may not see (she does not follow him), and in a public one.
    await notify('mention', await post(server, bob.accountId, 'private'));
    await notify('mention', await post(server, bob.accountId));
    await notify('follow', null);
    const groups = (await get(server, '/api/v2/notifications', alice.token)).body.notification_groups;
    t.deepEqual(groups.map((g: any) => g.type), ['follow', 'mention']);
    t.is((await get(server, '/api/v2/notifications/unread_count', alice.token)).body.count, groups.length);
    t.is((await get(server, '/api/v1/notifications/unread_count', alice.token)).body.count, 2);
  });
}
