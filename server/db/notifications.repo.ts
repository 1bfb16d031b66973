// SQL for `notifications`: writing them (one per dedupe key, never to someone
// who blocks, is blocked by or hides notifications from the sender), reading a
// recipient's with the same rules applied again at read time (a block or mute
// made later hides older notifications too), and who gets the fan-out kinds
// (`status` to subscribers, `update` to those who shared a post).
import type { Knex } from 'knex';
import { createRowMapper } from './row-mapper.ts';
import type { Queryable } from './knex.ts';

export const NOTIFICATION_TYPES = ['follow', 'follow_request', 'favourite', 'reblog', 'mention', 'status', 'update'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
/** The kinds about an account rather than a post: every other kind needs its post to exist. */
export const ACCOUNT_NOTIFICATION_TYPES: readonly NotificationType[] = ['follow', 'follow_request'];

export interface Notification {
  id: number;
  /** The recipient. */
  accountId: number;
  fromAccountId: number;
  type: NotificationType;
  postId: number | null;
  dedupeKey: string | null;
  createdAt: number;
}

export type NewNotificationRow = Omit<Notification, 'dedupeKey'> & { dedupeKey: string };

type Row = Record<string, unknown>;

const mapper = createRowMapper<Notification>(
  { id: 'id', accountId: 'account_id', fromAccountId: 'from_account_id', type: 'type', postId: 'post_id', dedupeKey: 'dedupe_key', createdAt: 'created_at' },
  new Set(),
);
export const notificationFromRow = mapper.fromRow;

/** Adds notifications; one whose dedupe key exists already is skipped (a retried job, a redelivered activity). */
export async function insertNotifications(db: Queryable, rows: NewNotificationRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db('notifications').insert(rows.map(mapper.toRow)).onConflict('dedupe_key').ignore();
}

export async function deleteNotificationsByDedupeKeys(db: Queryable, keys: string[]): Promise<void> {
  if (keys.length > 0) await db('notifications').whereIn('dedupe_key', keys).delete();
}

/**
 * Which of `recipientIds` may be notified by `fromAccountId` now: local
 * accounts with no block either way and no unexpired mute of the sender that
 * hides notifications. One query for any number of recipients.
 */
export async function findNotifiableRecipients(db: Queryable, recipientIds: number[], fromAccountId: number, now: number): Promise<number[]> {
  if (recipientIds.length === 0) return [];
  const rows: Row[] = await db('accounts as r')
    .whereIn('r.id', recipientIds)
    .whereNull('r.domain')
    .whereNotExists((q) => blocksBetween(q, db.raw('r.id'), fromAccountId))
    .whereNotExists((q) => hidingMute(q, db.raw('r.id'), fromAccountId, now))
    .select('r.id');
  return rows.map((row) => Number(row.id));
}

type Ref = Knex.Raw | number;

function blocksBetween(q: Knex.QueryBuilder, recipient: Ref, sender: Ref): Knex.QueryBuilder {
  return q
    .select(1)
    .from('blocks as b')
    .where((w) =>
      w
        .where((d) => d.where('b.account_id', recipient).where('b.target_account_id', sender))
        .orWhere((d) => d.where('b.account_id', sender).where('b.target_account_id', recipient)),
    );
}

function hidingMute(q: Knex.QueryBuilder, recipient: Ref, sender: Ref, now: number): Knex.QueryBuilder {
  return q
    .select(1)
    .from('mutes as m')
    .where('m.account_id', recipient)
    .where('m.target_account_id', sender)
    .where('m.hide_notifications', true)
    .where((w) => w.whereNull('m.expires_at').orWhere('m.expires_at', '>', now));
}

/** Whether any follower of `authorId` asked to be told of each post. */
export async function hasSubscribers(db: Queryable, authorId: number): Promise<boolean> {
  return (await findSubscriberPage(db, authorId, 0, 1)).length > 0;
}

/** Followers of `authorId` who asked to be told of each post (`notify` on their follow), in follow order from `afterFollowId`. */
export async function findSubscriberPage(db: Queryable, authorId: number, afterFollowId: number, limit: number): Promise<{ cursor: number; accountId: number }[]> {
  const rows: Row[] = await db('follows')
    .where({ target_account_id: authorId, notify: true })
    .where('id', '>', afterFollowId)
    .orderBy('id', 'asc')
    .limit(limit)
    .select('id', 'account_id');
  return rows.map((row) => ({ cursor: Number(row.id), accountId: Number(row.account_id) }));
}

/** Accounts that shared (reblogged) `postId`, one row per share, in share order from `afterShareId`. */
export async function findSharerPage(db: Queryable, postId: number, afterShareId: number, limit: number): Promise<{ cursor: number; accountId: number }[]> {
  const rows: Row[] = await db('posts')
    .where('reblog_of_id', postId)
    .whereNull('deleted_at')
    .where('id', '>', afterShareId)
    .orderBy('id', 'asc')
    .limit(limit)
    .select('id', 'account_id');
  return rows.map((row) => ({ cursor: Number(row.id), accountId: Number(row.account_id) }));
}

/** What a list or count may be narrowed to. */
export interface NotificationFilter {
  types?: readonly NotificationType[];
  excludeTypes?: readonly NotificationType[];
  fromAccountId?: number;
  /** A notification group (v2): one post's, within a time span. */
  postId?: number;
  createdFrom?: number;
  createdBefore?: number;
}

export interface NotificationPage {
  maxId?: number;
  sinceId?: number;
  minId?: number;
  limit: number;
}

/**
 * The recipient's notifications that may be shown now: none from an account
 * blocking or blocked by them, muted with notifications hidden, or suspended;
 * none about a post that is gone. (Whether the recipient may still see the
 * post is the visibility policy's call, made by the service.)
 */
function shown(db: Queryable, accountId: number, filter: NotificationFilter, now: number): Knex.QueryBuilder {
  const q = db('notifications as n')
    .where('n.account_id', accountId)
    .whereNotExists((s) => blocksBetween(s, accountId, db.raw('n.from_account_id')))
    .whereNotExists((s) => hidingMute(s, accountId, db.raw('n.from_account_id'), now))
    .whereExists((s) => s.select(1).from('accounts as f').whereRaw('f.id = n.from_account_id').whereNull('f.suspended_at'))
    .where((w) =>
      w
        .whereIn('n.type', ACCOUNT_NOTIFICATION_TYPES as NotificationType[])
        .orWhereExists((s) => s.select(1).from('posts as p').whereRaw('p.id = n.post_id').whereNull('p.deleted_at')),
    );
  if (filter.types !== undefined) q.whereIn('n.type', filter.types as NotificationType[]);
  if (filter.excludeTypes?.length) q.whereNotIn('n.type', filter.excludeTypes as NotificationType[]);
  if (filter.fromAccountId !== undefined) q.where('n.from_account_id', filter.fromAccountId);
  if (filter.postId !== undefined) q.where('n.post_id', filter.postId);
  if (filter.createdFrom !== undefined) q.where('n.created_at', '>=', filter.createdFrom);
  if (filter.createdBefore !== undefined) q.where('n.created_at', '<', filter.createdBefore);
  return q;
}

/** A page, newest first (with min_id: the page just above, read oldest first then reversed), as Mastodon pages. */
export async function listNotifications(db: Queryable, accountId: number, filter: NotificationFilter, page: NotificationPage, now = Date.now()): Promise<Notification[]> {
  const q = shown(db, accountId, filter, now);
  if (page.maxId !== undefined) q.where('n.id', '<', page.maxId);
  if (page.sinceId !== undefined) q.where('n.id', '>', page.sinceId);
  if (page.minId !== undefined) q.where('n.id', '>', page.minId);
  const rows: Row[] = await q
    .orderBy('n.id', page.minId !== undefined ? 'asc' : 'desc')
    .limit(page.limit)
    .select('n.*');
  const list = rows.map(notificationFromRow);
  return page.minId !== undefined ? list.reverse() : list;
}

export async function findNotification(db: Queryable, accountId: number, id: number, now = Date.now()): Promise<Notification | undefined> {
  const row = await shown(db, accountId, {}, now).where('n.id', id).first('n.*');
  return row ? notificationFromRow(row) : undefined;
}

export async function deleteNotification(db: Queryable, accountId: number, id: number): Promise<boolean> {
  return (await db('notifications').where({ account_id: accountId, id }).delete()) > 0;
}

export async function deleteNotificationsByIds(db: Queryable, accountId: number, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  return db('notifications').where('account_id', accountId).whereIn('id', ids).delete();
}

/** Up to `batch` of the recipient's notifications; the number removed. */
export async function deleteNotificationsOf(db: Queryable, accountId: number, batch: number): Promise<number> {
  return db('notifications')
    .whereIn('id', db('notifications').where('account_id', accountId).select('id').limit(batch))
    .delete();
}

/** Up to `batch` notifications between two accounts, in either direction; the number removed. */
export async function deleteNotificationsBetween(db: Queryable, a: number, b: number, batch: number): Promise<number> {
  const ids = db('notifications')
    .where((w) => w.where({ account_id: a, from_account_id: b }).orWhere({ account_id: b, from_account_id: a }))
    .select('id')
    .limit(batch);
  return db('notifications').whereIn('id', ids).delete();
}
