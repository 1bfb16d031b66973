// Grouped notifications (Mastodon 4.3, GET /api/v2/notifications): a page of
// `limit` groups. Notifications are read in order (newest first, or oldest
// first with min_id) in chunks; each joins its group, until a new group would
// exceed the limit: the page ends just before it, so the next page starts
// exactly there (a group may then continue on the next page, as on Mastodon).
// Everything shown passed the same rules as /api/v1/notifications.
import type { Queryable } from '../../db/knex.ts';
import { findNotification, listNotifications, type NotificationFilter, type NotificationPage, type NotificationType } from '../../db/notifications.repo.ts';
import { notFound } from '../../errors.ts';
import type { AccountView, PostView } from '../posts/post-views.ts';
import { GROUPABLE_TYPES, groupKeyOf, parseGroupKey } from './group-keys.ts';
import { hydrateNotifications, notificationsReadUpTo, shownNotifications, type NotificationView } from './read-notifications.service.ts';

const CHUNK = 200;
/** Rows read for one page at most (a page of hidden rows must not read the whole table). */
const SCAN_LIMIT = 2000;
const SAMPLE_ACCOUNTS = 8;

export interface NotificationGroupView {
  groupKey: string;
  type: NotificationType;
  /** Notifications of the group on this page. */
  count: number;
  mostRecentId: number;
  pageMinId: number;
  pageMaxId: number;
  latestAt: number;
  sampleAccountIds: number[];
  statusId: number | null;
}

export interface GroupedNotifications {
  groups: NotificationGroupView[];
  accounts: AccountView[];
  statuses: PostView[];
  /** The ids this page covers (for the Link header), null when empty; `more`: a next (older) page may exist. */
  range: { oldest: number; newest: number; more: boolean } | null;
}

function toGroups(members: Map<string, NotificationView[]>): GroupedNotifications {
  const groups: NotificationGroupView[] = [];
  const accounts = new Map<number, AccountView>();
  const statuses = new Map<number, PostView>();
  for (const [groupKey, views] of members) {
    const sorted = [...views].sort((a, b) => b.notification.id - a.notification.id);
    const newest = sorted[0]!;
    const sample = [...new Set(sorted.map((v) => v.account.account.id))].slice(0, SAMPLE_ACCOUNTS);
    for (const view of sorted) if (sample.includes(view.account.account.id)) accounts.set(view.account.account.id, view.account);
    if (newest.status) statuses.set(newest.status.post.id, newest.status);
    groups.push({
      groupKey,
      type: newest.notification.type,
      count: sorted.length,
      mostRecentId: newest.notification.id,
      pageMinId: sorted.at(-1)!.notification.id,
      pageMaxId: newest.notification.id,
      latestAt: newest.notification.createdAt,
      sampleAccountIds: sample,
      statusId: newest.status?.post.id ?? null,
    });
  }
  groups.sort((a, b) => b.pageMaxId - a.pageMaxId);
  return { groups, accounts: [...accounts.values()], statuses: [...statuses.values()], range: null };
}

export async function listNotificationGroups(
  db: Queryable,
  recipientId: number,
  filter: NotificationFilter,
  page: NotificationPage,
  groupedTypes: readonly NotificationType[] = GROUPABLE_TYPES,
): Promise<GroupedNotifications> {
  const ascending = page.minId !== undefined;
  const members = new Map<string, NotificationView[]>();
  let cursor = ascending ? page.minId : page.maxId;
  let scanned = 0;
  let oldest: number | undefined;
  let newest: number | undefined;
  let more = true;
  scan: while (scanned < SCAN_LIMIT) {
    const chunk = ascending ? { minId: cursor, limit: CHUNK } : { maxId: cursor, sinceId: page.sinceId, limit: CHUNK };
    const rows = await listNotifications(db, recipientId, filter, chunk);
    // listNotifications gives newest first even for min_id; this walks away from the cursor.
    if (ascending) rows.reverse();
    const views = new Map((await hydrateNotifications(db, recipientId, rows)).map((v) => [v.notification.id, v]));
    for (const row of rows) {
      const view = views.get(row.id);
      const key = view ? groupKeyOf(row, groupedTypes) : undefined;
      if (key !== undefined && !members.has(key) && members.size >= page.limit) break scan;
      scanned += 1;
      cursor = row.id;
      oldest = Math.min(oldest ?? row.id, row.id);
      newest = Math.max(newest ?? row.id, row.id);
      if (view && key !== undefined) members.set(key, [...(members.get(key) ?? []), view]);
    }
    if (rows.length < CHUNK) {
      // Read to the end in this direction: older pages exist only when we came up from min_id.
      more = ascending;
      break;
    }
  }
  const result = toGroups(members);
  result.range = oldest === undefined || newest === undefined ? null : { oldest, newest, more: more || members.size >= page.limit };
  return result;
}

/** The shown notifications of a group, newest first (up to a scan's worth); 404 for none. */
async function groupMembers(db: Queryable, recipientId: number, groupKey: string): Promise<NotificationView[]> {
  const parsed = parseGroupKey(groupKey);
  let views: NotificationView[] = [];
  if (parsed && 'ungroupedId' in parsed) {
    // Any notification may be asked for alone (a client that does not group its type).
    const row = await findNotification(db, recipientId, parsed.ungroupedId);
    views = row ? await hydrateNotifications(db, recipientId, [row]) : [];
  } else if (parsed) {
    const rows = await listNotifications(db, recipientId, parsed.filter, { limit: SCAN_LIMIT });
    views = (await hydrateNotifications(db, recipientId, rows)).filter((v) => groupKeyOf(v.notification) === groupKey);
  }
  if (views.length === 0) throw notFound();
  return views;
}

/** One group by its key (GET /api/v2/notifications/:group_key). */
export async function getNotificationGroup(db: Queryable, recipientId: number, groupKey: string): Promise<GroupedNotifications> {
  return toGroups(new Map([[groupKey, await groupMembers(db, recipientId, groupKey)]]));
}

/** Every account of a group (GET /api/v2/notifications/:group_key/accounts), most recent first. */
export async function listNotificationGroupAccounts(db: Queryable, recipientId: number, groupKey: string): Promise<AccountView[]> {
  const accounts = new Map<number, AccountView>();
  for (const view of await groupMembers(db, recipientId, groupKey)) accounts.set(view.account.account.id, view.account);
  return [...accounts.values()];
}

/** Unread groups after the notifications marker (v2 unread_count) that the list would show, counted up to `limit`. */
export async function countUnreadNotificationGroups(
  db: Queryable,
  recipientId: number,
  filter: NotificationFilter,
  limit: number,
  groupedTypes: readonly NotificationType[] = GROUPABLE_TYPES,
): Promise<number> {
  const after = await notificationsReadUpTo(db, recipientId);
  const rows = await listNotifications(db, recipientId, filter, { sinceId: after, limit: SCAN_LIMIT });
  const shown = await shownNotifications(db, recipientId, rows);
  return Math.min(limit, new Set(shown.map((row) => groupKeyOf(row, groupedTypes))).size);
}
