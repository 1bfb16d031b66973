// SQL that reads the social graph between one account and others: follows,
// follow requests, blocks, mutes and close friends, each in both directions
// where it matters; and pages of the accounts on one side of such a relation.
import { accountFromRow, type Account } from './accounts.repo.ts';
import type { Queryable } from './knex.ts';
import type { IdPage } from './posts.repo.ts';

export interface RelationshipFlags {
  following: boolean;
  showingReblogs: boolean;
  notifying: boolean;
  followedBy: boolean;
  blocking: boolean;
  blockedBy: boolean;
  muting: boolean;
  mutingNotifications: boolean;
  requested: boolean;
  requestedBy: boolean;
  /** The other account is on this one's close friends list (Viewfinder's `close_friend`). */
  closeFriend: boolean;
}

export const noRelationship: RelationshipFlags = {
  following: false,
  showingReblogs: false,
  notifying: false,
  followedBy: false,
  blocking: false,
  blockedBy: false,
  muting: false,
  mutingNotifications: false,
  requested: false,
  requestedBy: false,
  closeFriend: false,
};

type Row = Record<string, unknown>;

/** The relationship of `accountId` to each of `targetIds` (one query per table, whatever the number of targets). */
export async function findRelationships(db: Queryable, accountId: number, targetIds: number[], now = Date.now()): Promise<Map<number, RelationshipFlags>> {
  const result = new Map<number, RelationshipFlags>(targetIds.map((id) => [id, { ...noRelationship }]));
  if (targetIds.length === 0) return result;
  const flags = (id: unknown) => result.get(Number(id));

  const [follows, followers, requests, requestedBy, blocks, blockedBy, mutes, closeFriends] = await Promise.all([
    db('follows').where('account_id', accountId).whereIn('target_account_id', targetIds).select('target_account_id', 'show_reblogs', 'notify') as Promise<Row[]>,
    db('follows').whereIn('account_id', targetIds).where('target_account_id', accountId).select('account_id') as Promise<Row[]>,
    db('follow_requests').where('account_id', accountId).whereIn('target_account_id', targetIds).select('target_account_id', 'show_reblogs', 'notify') as Promise<Row[]>,
    db('follow_requests').whereIn('account_id', targetIds).where('target_account_id', accountId).select('account_id') as Promise<Row[]>,
    db('blocks').where('account_id', accountId).whereIn('target_account_id', targetIds).select('target_account_id') as Promise<Row[]>,
    db('blocks').whereIn('account_id', targetIds).where('target_account_id', accountId).select('account_id') as Promise<Row[]>,
    db('mutes')
      .where('account_id', accountId)
      .whereIn('target_account_id', targetIds)
      .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', now))
      .select('target_account_id', 'hide_notifications') as Promise<Row[]>,
    db('close_friends').where('account_id', accountId).whereIn('target_account_id', targetIds).select('target_account_id') as Promise<Row[]>,
  ]);
  for (const row of follows) {
    const f = flags(row.target_account_id);
    if (!f) continue;
    f.following = true;
    f.showingReblogs = Boolean(row.show_reblogs);
    f.notifying = Boolean(row.notify);
  }
  for (const row of requests) {
    const f = flags(row.target_account_id);
    if (!f) continue;
    f.requested = true;
    // Mastodon reports the options asked for while the request waits.
    f.showingReblogs = Boolean(row.show_reblogs);
    f.notifying = Boolean(row.notify);
  }
  const mark = (id: unknown, key: 'followedBy' | 'requestedBy' | 'blocking' | 'blockedBy') => {
    const f = flags(id);
    if (f) f[key] = true;
  };
  for (const row of followers) mark(row.account_id, 'followedBy');
  for (const row of requestedBy) mark(row.account_id, 'requestedBy');
  for (const row of blocks) mark(row.target_account_id, 'blocking');
  for (const row of blockedBy) mark(row.account_id, 'blockedBy');
  for (const row of mutes) {
    const f = flags(row.target_account_id);
    if (!f) continue;
    f.muting = true;
    f.mutingNotifications = Boolean(row.hide_notifications);
  }
  for (const row of closeFriends) {
    const f = flags(row.target_account_id);
    if (f) f.closeFriend = true;
  }
  return result;
}

/** Pending requests to follow `accountId` (CredentialAccount's source.follow_requests_count). */
export async function countFollowRequestsFor(db: Queryable, accountId: number): Promise<number> {
  const row = await db('follow_requests').where('target_account_id', accountId).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** True when either account blocks the other. */
export async function isBlockedEitherWay(db: Queryable, a: number, b: number): Promise<boolean> {
  const row = await db('blocks')
    .where((q) => q.where({ account_id: a, target_account_id: b }).orWhere({ account_id: b, target_account_id: a }))
    .first('id');
  return row !== undefined;
}

export type RelationTable = 'follows' | 'follow_requests' | 'blocks' | 'mutes' | 'close_friends';

export interface RelatedAccount {
  /** The relation row's id: what the page's max_id / min_id / since_id refer to. */
  cursor: number;
  account: Account;
  /** Mutes only: when the mute ends (null: never). */
  expiresAt: number | null;
}

/**
 * A page of the accounts on one side of a relation, newest relation first
 * (oldest first with min_id, then reversed), as Mastodon pages them.
 * `side: 'targets'` lists the accounts `accountId` points at (whom it
 * follows, blocks…), `'sources'` those pointing at it (its followers,
 * requesters). Suspended accounts are left out; so are expired mutes.
 */
export async function pageRelatedAccounts(
  db: Queryable,
  table: RelationTable,
  side: 'targets' | 'sources',
  accountId: number,
  page: IdPage,
  now = Date.now(),
): Promise<RelatedAccount[]> {
  const [own, other] = side === 'targets' ? ['account_id', 'target_account_id'] : ['target_account_id', 'account_id'];
  const q = db(table)
    .join('accounts', 'accounts.id', `${table}.${other}`)
    .where(`${table}.${own}`, accountId)
    .whereNull('accounts.suspended_at')
    .select('accounts.*', `${table}.id as relation_id`);
  if (table === 'mutes') {
    q.where((w) => w.whereNull('mutes.expires_at').orWhere('mutes.expires_at', '>', now)).select('mutes.expires_at as relation_expires_at');
  }
  if (page.maxId !== undefined) q.where(`${table}.id`, '<', page.maxId);
  if (page.sinceId !== undefined) q.where(`${table}.id`, '>', page.sinceId);
  const ascending = page.minId !== undefined;
  if (ascending) q.where(`${table}.id`, '>', page.minId!);
  const rows: Row[] = await q.orderBy(`${table}.id`, ascending ? 'asc' : 'desc').limit(page.limit);
  const items = rows.map((row) => ({
    cursor: Number(row.relation_id),
    account: accountFromRow(row),
    expiresAt: row.relation_expires_at === undefined || row.relation_expires_at === null ? null : Number(row.relation_expires_at),
  }));
  return ascending ? items.reverse() : items;
}

