// SQL the federation side needs beyond the domain repositories: who to
// deliver to (remote followers' inboxes), which of some accounts are remote,
// and the pages of the actor collections.
import type { Queryable } from './knex.ts';

export interface InboxRow {
  accountId: number;
  uri: string;
  inboxUrl: string | null;
  sharedInboxUrl: string | null;
}

function inboxRow(row: Record<string, unknown>): InboxRow {
  return {
    accountId: Number(row.id),
    uri: String(row.uri),
    inboxUrl: row.inbox_url == null ? null : String(row.inbox_url),
    sharedInboxUrl: row.shared_inbox_url == null ? null : String(row.shared_inbox_url),
  };
}

/** Every remote follower of a local account, with where to deliver. */
export async function findRemoteFollowerInboxes(db: Queryable, accountId: number): Promise<InboxRow[]> {
  const rows = await db('follows')
    .join('accounts', 'accounts.id', 'follows.account_id')
    .where('follows.target_account_id', accountId)
    .whereNotNull('accounts.domain')
    .whereNotNull('accounts.uri')
    .whereNull('accounts.suspended_at')
    .select('accounts.id', 'accounts.uri', 'accounts.inbox_url', 'accounts.shared_inbox_url');
  return rows.map(inboxRow);
}

/** The remote accounts among `ids`, with where to deliver. */
export async function findRemoteInboxes(db: Queryable, ids: number[]): Promise<InboxRow[]> {
  if (ids.length === 0) return [];
  const rows = await db('accounts')
    .whereIn('id', [...new Set(ids)])
    .whereNotNull('domain')
    .whereNotNull('uri')
    .whereNull('suspended_at')
    .select('id', 'uri', 'inbox_url', 'shared_inbox_url');
  return rows.map(inboxRow);
}

/** Which of these accounts are remote (domain not null). */
export async function findRemoteAccountIds(db: Queryable, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows: unknown[] = await db('accounts').whereIn('id', [...new Set(ids)]).whereNotNull('domain').pluck('id');
  return new Set(rows.map(Number));
}

export interface ActorRef {
  id: number;
  username: string;
  domain: string | null;
  uri: string | null;
}

/**
 * One page of an account's followers (side 'followers') or followed accounts
 * (side 'following'), newest first, by follow row id.
 */
export async function pageFollowAccounts(db: Queryable, accountId: number, side: 'followers' | 'following', beforeId: number | null, limit: number): Promise<{ items: ActorRef[]; nextBefore: number | null }> {
  const [mine, theirs] = side === 'followers' ? ['target_account_id', 'account_id'] : ['account_id', 'target_account_id'];
  const query = db('follows')
    .join('accounts', 'accounts.id', `follows.${theirs}`)
    .where(`follows.${mine}`, accountId)
    .whereNull('accounts.suspended_at')
    .orderBy('follows.id', 'desc')
    .limit(limit + 1)
    .select('follows.id as follow_id', 'accounts.id', 'accounts.username', 'accounts.domain', 'accounts.uri');
  if (beforeId !== null) query.where('follows.id', '<', beforeId);
  const rows = await query;
  const items = rows.slice(0, limit).map((row: Record<string, unknown>) => ({
    id: Number(row.id),
    username: String(row.username),
    domain: row.domain == null ? null : String(row.domain),
    uri: row.uri == null ? null : String(row.uri),
  }));
  const next = rows.length > limit ? Number((rows[limit - 1] as Record<string, unknown>).follow_id) : null;
  return { items, nextBefore: next };
}

/** The follow or pending request whose Follow activity had this id, with the follower's username. */
export async function findFollowByUri(db: Queryable, uri: string): Promise<{ accountId: number; targetAccountId: number; username: string } | null> {
  for (const table of ['follow_requests', 'follows'] as const) {
    const row = await db(table).join('accounts', 'accounts.id', `${table}.account_id`).where(`${table}.uri`, uri).first(`${table}.account_id`, `${table}.target_account_id`, 'accounts.username');
    if (row) return { accountId: Number(row.account_id), targetAccountId: Number(row.target_account_id), username: String(row.username) };
  }
  return null;
}

/** Up to `limit` local accounts following `accountId`. */
export async function findLocalFollowerIds(db: Queryable, accountId: number, limit: number): Promise<number[]> {
  const ids: unknown[] = await db('follows')
    .join('accounts', 'accounts.id', 'follows.account_id')
    .where('follows.target_account_id', accountId)
    .whereNull('accounts.domain')
    .orderBy('follows.id')
    .limit(limit)
    .pluck('follows.account_id');
  return ids.map(Number);
}

export async function setMovedTo(db: Queryable, accountId: number, movedToId: number, now = Date.now()): Promise<void> {
  await db('accounts').where('id', accountId).update({ moved_to_account_id: movedToId, updated_at: now });
}
