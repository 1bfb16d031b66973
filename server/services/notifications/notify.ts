// Creating notifications, in the transaction of the write they follow from.
// Never to oneself, never to a remote account (its own server notifies it),
// never between accounts where either blocks the other, never from an account
// the recipient muted with notifications hidden (an expired mute no longer
// counts); one per dedupe key (type, recipient, sender, post), so a retried
// job or a redelivered activity makes one notification.
//
// Which post a notification carries: for favourite and reblog, the
// recipient's post that was liked or shared (not the share itself); for
// mention, the post that mentions or comments; for status, the new post; for
// update, the edited post. follow and follow_request carry none.
//
// The fan-out kinds (status to subscribers, update to sharers) may reach many
// accounts: the caller's transaction only enqueues a job, which works in
// batches (notification-jobs.ts).
import { newId } from '../../db/ids.ts';
import type { Queryable } from '../../db/knex.ts';
import { deleteNotificationsByDedupeKeys, findNotifiableRecipients, insertNotifications, type NotificationType } from '../../db/notifications.repo.ts';
import { enqueue } from '../../jobs/queue.ts';

export type { NotificationType } from '../../db/notifications.repo.ts';

export interface NewNotification {
  type: NotificationType;
  /** Who is notified. */
  recipientId: number;
  /** Who did it. */
  fromAccountId: number;
  postId?: number | null;
}

export const NOTIFY_SUBSCRIBERS_JOB = 'notifications.subscribers';
export const NOTIFY_SHARERS_JOB = 'notifications.post-edited';
export const FORGET_BETWEEN_JOB = 'notifications.forget-between';

export function dedupeKeyOf(n: Pick<NewNotification, 'type' | 'recipientId' | 'fromAccountId' | 'postId'>): string {
  // An edit notifies again, so `update` has one live notification per post: the latest edit's.
  return n.type === 'update' ? `update:${n.recipientId}:${n.postId}` : `${n.type}:${n.recipientId}:${n.fromAccountId}:${n.postId ?? '-'}`;
}

/**
 * Notifies up to one account per recipient of `recipientIds` (used by notify
 * and by the fan-out jobs): two queries whatever their number.
 */
export async function notifyMany(trx: Queryable, type: NotificationType, recipientIds: number[], fromAccountId: number, postId: number | null, now = Date.now()): Promise<void> {
  const candidates = [...new Set(recipientIds)].filter((id) => id !== fromAccountId);
  const recipients = await findNotifiableRecipients(trx, candidates, fromAccountId, now);
  const rows = recipients.map((recipientId) => {
    const dedupeKey = dedupeKeyOf({ type, recipientId, fromAccountId, postId });
    return { id: newId(now), accountId: recipientId, fromAccountId, type, postId, dedupeKey, createdAt: now };
  });
  if (type === 'update') await deleteNotificationsByDedupeKeys(trx, rows.map((row) => row.dedupeKey));
  await insertNotifications(trx, rows);
}

export async function notify(trx: Queryable, notification: NewNotification): Promise<void> {
  await notifyMany(trx, notification.type, [notification.recipientId], notification.fromAccountId, notification.postId ?? null);
}

/**
 * Takes back the notification an undone action made (unfavourite, unreblog,
 * unfollow, a follow request withdrawn, authorized or rejected), as Mastodon
 * does: its notification goes with the activity.
 */
export async function withdrawNotification(trx: Queryable, notification: NewNotification): Promise<void> {
  await deleteNotificationsByDedupeKeys(trx, [dedupeKeyOf({ ...notification, postId: notification.postId ?? null })]);
}

/** A post was published: followers who asked to be notified (`notify` on their follow) get a `status` notification. */
export async function notifySubscribers(trx: Queryable, postId: number, authorId: number): Promise<void> {
  await enqueue(trx, NOTIFY_SUBSCRIBERS_JOB, { postId, authorId, after: 0 }, { dedupeKey: `${NOTIFY_SUBSCRIBERS_JOB}:${postId}:0` });
}

/** A post was edited: those who shared it get an `update` notification. */
export async function notifyPostEdited(trx: Queryable, postId: number, authorId: number): Promise<void> {
  // No dedupe key: an edit made while an earlier edit's job runs must notify too (each job is idempotent).
  await enqueue(trx, NOTIFY_SHARERS_JOB, { postId, authorId, after: 0 });
}

/**
 * A block between two accounts: their notifications of each other go for good
 * (reads hide them at once; this job removes them), as Mastodon clears them.
 */
export async function forgetNotificationsBetween(trx: Queryable, accountId: number, targetAccountId: number): Promise<void> {
  const [a, b] = accountId < targetAccountId ? [accountId, targetAccountId] : [targetAccountId, accountId];
  await enqueue(trx, FORGET_BETWEEN_JOB, { a, b }, { dedupeKey: `${FORGET_BETWEEN_JOB}:${a}:${b}` });
}
