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
  countNotificationsAfter,
  findNotification,
  listNotifications,
  type Notification,
  type NotificationFilter,
  type NotificationPage,
} from '../../db/notifications.repo.ts';
import { findPostsByIds } from '../../db/posts.repo.ts';
import { notFound } from '../../errors.ts';
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
 * (Mastodon 4.3). Counted in SQL with the block, mute and deleted-post rules;
 * a post the recipient may no longer see still counts here (checking each
 * would mean hydrating up to 1,000 posts for a badge).
 */
export async function countUnreadNotifications(db: Queryable, recipientId: number, filter: NotificationFilter, limit: number): Promise<number> {
  return countNotificationsAfter(db, recipientId, await notificationsReadUpTo(db, recipientId), filter, limit);
}
