// Reading one's notifications (GET /api/v1/notifications, /:id, unread_count).
// The repository already leaves out notifications from accounts blocking,
// blocked by, muted (notifications hidden) by the recipient, or suspended,
// and those about deleted posts. A notification's post then goes through the
// visibility policy (visiblePostViews): when the recipient may no longer see
// it (a followers-only post after an unfollow, an archived post), the
// notification is not shown at all, as Mastodon drops notifications whose
// status is gone, rather than shown without its post, which apps render badly.
import { findAccountsByIds, findRolesByAccountIds } from '../../db/accounts.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { findMarker } from '../../db/markers.repo.ts';
import {
  ACCOUNT_NOTIFICATION_TYPES,
  findNotification,
  listNotifications,
  type Notification,
  type NotificationFilter,
  type NotificationPage,
} from '../../db/notifications.repo.ts';
import { findPostsByIds } from '../../db/posts.repo.ts';
import { notFound } from '../../errors.ts';
import { filterVisiblePosts } from '../visibility/post-visibility.ts';
import { visiblePostViews, type AccountView, type PostView } from '../posts/post-views.ts';
import { groupKeyOf } from './group-keys.ts';

export interface NotificationView {
  notification: Notification;
  groupKey: string;
  account: AccountView;
  /** Null for follow and follow_request. */
  status: PostView | null;
}

/** Rows → views the recipient may see, order kept: accounts and posts hydrated in a fixed number of queries. */
export async function hydrateNotifications(db: Queryable, recipientId: number, rows: Notification[]): Promise<NotificationView[]> {
  if (rows.length === 0) return [];
  const accountIds = [...new Set(rows.map((row) => row.fromAccountId))];
  const postIds = [...new Set(rows.map((row) => row.postId).filter((id): id is number => id !== null))];
  const [accounts, roles, posts] = await Promise.all([findAccountsByIds(db, accountIds), findRolesByAccountIds(db, accountIds), findPostsByIds(db, postIds)]);
  const byPostId = new Map(posts.map((post) => [post.id, post]));
  const views = await visiblePostViews(
    db,
    recipientId,
    postIds.map((id) => byPostId.get(id)).filter((post) => post !== undefined),
  );
  const statuses = new Map(views.map((view) => [view.post.id, view]));
  const byAccountId = new Map(accounts.map((account) => [account.id, account]));
  const result: NotificationView[] = [];
  for (const notification of rows) {
    const account = byAccountId.get(notification.fromAccountId);
    if (!account) continue;
    const status = notification.postId === null ? null : (statuses.get(notification.postId) ?? null);
    if (status === null && !ACCOUNT_NOTIFICATION_TYPES.includes(notification.type)) continue;
    result.push({ notification, groupKey: groupKeyOf(notification), account: { account, role: roles.get(account.id) ?? null }, status });
  }
  return result;
}

export interface NotificationList {
  views: NotificationView[];
  /** The rows the page was read from, before the visibility policy: the Link header pages by them, so a hidden row never ends the list early. */
  rows: Notification[];
}

export async function listNotificationViews(db: Queryable, recipientId: number, filter: NotificationFilter, page: NotificationPage): Promise<NotificationList> {
  const rows = await listNotifications(db, recipientId, filter, page);
  return { views: await hydrateNotifications(db, recipientId, rows), rows };
}

/** One notification; 404 when it is not the recipient's or may not be shown (the same answer as for one that does not exist). */
export async function getNotificationView(db: Queryable, recipientId: number, id: number): Promise<NotificationView> {
  const row = await findNotification(db, recipientId, id);
  const [view] = row ? await hydrateNotifications(db, recipientId, [row]) : [];
  if (!view) throw notFound();
  return view;
}

/** Where the recipient stopped reading: the `notifications` marker, 0 when never set. */
export async function notificationsReadUpTo(db: Queryable, recipientId: number): Promise<number> {
  return (await findMarker(db, recipientId, 'notifications'))?.lastReadId ?? 0;
}

/**
 * Notifications after the notifications marker, counted up to `limit`
 * (Mastodon 4.3): the ones the list would show. The repository applies the
 * block, mute, suspension and deleted-post rules in SQL; each counted
 * notification's post then passes the visibility policy (visibleStatusIds),
 * so a badge never promises what GET /api/v1/notifications leaves out. Rows
 * are read newest first in pages of `limit` until `limit` are counted or none
 * are left: a page the policy thinned out reads on.
 */
export async function countUnreadNotifications(db: Queryable, recipientId: number, filter: NotificationFilter, limit: number): Promise<number> {
  const after = await notificationsReadUpTo(db, recipientId);
  let counted = 0;
  let maxId: number | undefined;
  for (;;) {
    const rows = await listNotifications(db, recipientId, filter, { sinceId: after, maxId, limit });
    if (rows.length === 0) return counted;
    counted += (await shownNotifications(db, recipientId, rows)).length;
    if (counted >= limit) return limit;
    if (rows.length < limit) return counted;
    maxId = rows[rows.length - 1]!.id;
  }
}

/**
 * The rows hydrateNotifications would show, without hydrating them: an
 * account notification always, any other only with a post the recipient may
 * see (the one visibility policy). For the unread counts.
 */
export async function shownNotifications(db: Queryable, recipientId: number, rows: Notification[]): Promise<Notification[]> {
  const postIds = [...new Set(rows.map((row) => row.postId).filter((id): id is number => id !== null))];
  const visible = await visibleStatusIds(db, recipientId, postIds);
  return rows.filter((row) => ACCOUNT_NOTIFICATION_TYPES.includes(row.type) || (row.postId !== null && visible.has(row.postId)));
}

/**
 * The posts among `postIds` the viewer may see, by the rule hydrateNotifications
 * applies through visiblePostViews, without hydrating them: each post and, for
 * a share, its original pass the policy (filterVisiblePosts).
 */
async function visibleStatusIds(db: Queryable, viewerId: number, postIds: number[]): Promise<Set<number>> {
  if (postIds.length === 0) return new Set();
  const posts = await findPostsByIds(db, postIds);
  const originalIds = [...new Set(posts.map((post) => post.reblogOfId).filter((id): id is number => id !== null))];
  const originals = new Map((await findPostsByIds(db, originalIds)).filter((post) => post.reblogOfId === null).map((post) => [post.id, post]));
  const candidates = [...new Map([...posts, ...originals.values()].map((post) => [post.id, post])).values()];
  const authors = new Map((await findAccountsByIds(db, [...new Set(candidates.map((post) => post.accountId))])).map((account) => [account.id, account]));
  const visible = new Set((await filterVisiblePosts(db, viewerId, candidates, authors)).map((post) => post.id));
  const shown = posts.filter((post) => visible.has(post.id) && (post.reblogOfId === null || (originals.has(post.reblogOfId) && visible.has(post.reblogOfId))));
  return new Set(shown.map((post) => post.id));
}
