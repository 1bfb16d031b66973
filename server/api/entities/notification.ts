// Mastodon's Notification (https://docs.joinmastodon.org/entities/Notification/)
// and, for /api/v2/notifications, GroupedNotificationsResults with its
// NotificationGroup entries (Mastodon 4.3). Pure: views carry everything.
import type { NotificationType } from '../../db/notifications.repo.ts';
import type { GroupedNotifications } from '../../services/notifications/grouped-notifications.service.ts';
import type { NotificationView } from '../../services/notifications/read-notifications.service.ts';
import type { AccountView } from '../../services/posts/post-views.ts';
import { serializeAccount, type MastodonAccount, type SerializeContext } from './account.ts';
import { serializeStatus, type MastodonStatus } from './status.ts';

export interface MastodonNotification {
  id: string;
  type: NotificationType;
  created_at: string;
  group_key: string;
  account: MastodonAccount;
  /** Present for the kinds about a post. */
  status?: MastodonStatus;
}

export interface MastodonNotificationGroup {
  group_key: string;
  notifications_count: number;
  type: NotificationType;
  most_recent_notification_id: string;
  page_min_id: string;
  page_max_id: string;
  latest_page_notification_at: string;
  sample_account_ids: string[];
  status_id?: string;
}

export interface MastodonGroupedNotificationsResults {
  accounts: MastodonAccount[];
  statuses: MastodonStatus[];
  notification_groups: MastodonNotificationGroup[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function serializeNotificationAccount(ctx: SerializeContext, view: AccountView): MastodonAccount {
  return serializeAccount(ctx, view.account, view.role ? { role: view.role } : null);
}

export function serializeNotification(ctx: SerializeContext, view: NotificationView): MastodonNotification {
  const { notification } = view;
  const entity: MastodonNotification = {
    id: String(notification.id),
    type: notification.type,
    created_at: iso(notification.createdAt),
    group_key: view.groupKey,
    account: serializeNotificationAccount(ctx, view.account),
  };
  if (view.status) entity.status = serializeStatus(ctx, view.status);
  return entity;
}

export function serializeGroupedNotifications(ctx: SerializeContext, grouped: GroupedNotifications): MastodonGroupedNotificationsResults {
  return {
    accounts: grouped.accounts.map((account) => serializeNotificationAccount(ctx, account)),
    statuses: grouped.statuses.map((status) => serializeStatus(ctx, status)),
    notification_groups: grouped.groups.map((group) => {
      const entity: MastodonNotificationGroup = {
        group_key: group.groupKey,
        notifications_count: group.count,
        type: group.type,
        most_recent_notification_id: String(group.mostRecentId),
        page_min_id: String(group.pageMinId),
        page_max_id: String(group.pageMaxId),
        latest_page_notification_at: iso(group.latestAt),
        sample_account_ids: group.sampleAccountIds.map(String),
      };
      if (group.statusId !== null) entity.status_id = String(group.statusId);
      return entity;
    }),
  };
}
