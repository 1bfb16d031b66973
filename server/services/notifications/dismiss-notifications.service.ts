// Dismissing notifications: one (v1), one group (v2), or all of them (clear).
import type { Queryable } from '../../db/knex.ts';
import { deleteNotification, deleteNotificationsByIds, deleteNotificationsOf, listNotifications } from '../../db/notifications.repo.ts';
import { notFound } from '../../errors.ts';
import { groupKeyOf, parseGroupKey } from './group-keys.ts';

const CLEAR_BATCH = 1000;

/** 404 when the notification is not the recipient's, as Mastodon. */
export async function dismissNotification(db: Queryable, recipientId: number, id: number): Promise<void> {
  if (!(await deleteNotification(db, recipientId, id))) throw notFound();
}

/** Every notification of the recipient, in short statements so the database is never held for long. */
export async function clearNotifications(db: Queryable, recipientId: number): Promise<void> {
  while ((await deleteNotificationsOf(db, recipientId, CLEAR_BATCH)) >= CLEAR_BATCH) {
    // next batch
  }
}

/** The notifications of a group; nothing (and no error) for a key that matches none, as Mastodon. */
export async function dismissNotificationGroup(db: Queryable, recipientId: number, groupKey: string): Promise<void> {
  const parsed = parseGroupKey(groupKey);
  if (!parsed) return;
  if ('ungroupedId' in parsed) {
    await deleteNotification(db, recipientId, parsed.ungroupedId);
    return;
  }
  for (;;) {
    const rows = await listNotifications(db, recipientId, parsed.filter, { limit: CLEAR_BATCH });
    const ids = rows.filter((row) => groupKeyOf(row) === groupKey).map((row) => row.id);
    await deleteNotificationsByIds(db, recipientId, ids);
    if (rows.length < CLEAR_BATCH || ids.length === 0) return;
  }
}
