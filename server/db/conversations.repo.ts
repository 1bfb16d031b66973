// SQL for `conversations` and `conversation_members`: direct posts grouped
// into threads (1:1 or group). Each member has their own row: unread, hidden
// (deleted from their list until a new message reaches them) and the newest
// post that reached them, which orders and pages their list.
import type { Queryable } from './knex.ts';

type Row = Record<string, unknown>;

export interface Membership {
  conversationId: number;
  accountId: number;
  unread: boolean;
  hidden: boolean;
  lastPostId: number | null;
}

function membershipFromRow(row: Row): Membership {
  return {
    conversationId: Number(row.conversation_id),
    accountId: Number(row.account_id),
    unread: Boolean(row.unread),
    hidden: Boolean(row.hidden),
    lastPostId: row.last_post_id === null ? null : Number(row.last_post_id),
  };
}

/** Whether a conversation row exists. */
export async function conversationExists(db: Queryable, id: number): Promise<boolean> {
  return (await db('conversations').where({ id }).first('id')) !== undefined;
}

/**
 * The conversation whose first participants hash to `key`, created with `id`
 * when there is none. Conflict-ignore then read, so two posts written at once
 * to the same people end in one conversation.
 */
export async function findOrCreateConversationByKey(db: Queryable, key: string, id: number, now: number): Promise<number> {
  await db('conversations').insert({ id, participants_key: key, created_at: now, updated_at: now }).onConflict('participants_key').ignore();
  const row = await db('conversations').where({ participants_key: key }).first('id');
  return Number(row.id);
}

export async function setPostConversation(db: Queryable, postId: number, conversationId: number): Promise<void> {
  await db('posts').where({ id: postId }).update({ conversation_id: conversationId });
}

/** `last_post_id` only ever moves forward (a remote post may arrive late). */
function newest(db: Queryable, column: string, postId: number) {
  return db.raw(`case when ${column} is null or ${column} < ? then ? else ${column} end`, [postId, postId]);
}

export async function touchConversation(db: Queryable, id: number, postId: number, now: number): Promise<void> {
  await db('conversations').where({ id }).update({ last_post_id: newest(db, 'last_post_id', postId), updated_at: now });
}

/**
 * A post reached these members: each row is created or updated, shown again
 * if the member had hidden it, its unread flag set as given and its last post
 * moved forward.
 */
export async function upsertMembers(db: Queryable, conversationId: number, postId: number, members: { accountId: number; unread: boolean }[]): Promise<void> {
  if (members.length === 0) return;
  await db('conversation_members')
    .insert(members.map((m) => ({ conversation_id: conversationId, account_id: m.accountId, unread: m.unread, hidden: false, last_post_id: postId })))
    .onConflict(['conversation_id', 'account_id'])
    .merge({ unread: db.raw('excluded.unread'), hidden: false, last_post_id: newest(db, 'conversation_members.last_post_id', postId) });
}

/** Adds members who were not in the conversation yet (existing rows are left as they are). */
export async function addMissingMembers(db: Queryable, conversationId: number, postId: number, accountIds: number[]): Promise<number[]> {
  if (accountIds.length === 0) return [];
  const rows: Row[] = await db('conversation_members').where({ conversation_id: conversationId }).whereIn('account_id', accountIds).select('account_id');
  const present = new Set(rows.map((row) => Number(row.account_id)));
  const missing = accountIds.filter((id) => !present.has(id));
  if (missing.length === 0) return [];
  await db('conversation_members')
    .insert(missing.map((accountId) => ({ conversation_id: conversationId, account_id: accountId, unread: true, hidden: false, last_post_id: postId })))
    .onConflict(['conversation_id', 'account_id'])
    .ignore();
  return missing;
}

/** Those of `accountIds` with a block between them and `authorId`, either way. */
export async function findBlockedAmong(db: Queryable, authorId: number, accountIds: number[]): Promise<Set<number>> {
  if (accountIds.length === 0) return new Set();
  const rows: Row[] = await db('blocks')
    .where((w) => w.where('account_id', authorId).whereIn('target_account_id', accountIds))
    .orWhere((w) => w.where('target_account_id', authorId).whereIn('account_id', accountIds))
    .select('account_id', 'target_account_id');
  return new Set(rows.map((row) => (Number(row.account_id) === authorId ? Number(row.target_account_id) : Number(row.account_id))));
}

export interface MembershipPage {
  maxId?: number;
  minId?: number;
  sinceId?: number;
  limit: number;
}

/**
 * A page of the conversations shown to `accountId` (not hidden, reached by a
 * post), newest last post first; with `minId`, the page just above, still
 * returned newest first. Ids in the page parameters are post ids.
 */
export async function listMemberships(db: Queryable, accountId: number, page: MembershipPage): Promise<Membership[]> {
  const q = db('conversation_members').where({ account_id: accountId, hidden: false }).whereNotNull('last_post_id');
  if (page.maxId !== undefined) q.where('last_post_id', '<', page.maxId);
  if (page.sinceId !== undefined) q.where('last_post_id', '>', page.sinceId);
  if (page.minId !== undefined) {
    const rows: Row[] = await q.where('last_post_id', '>', page.minId).orderBy('last_post_id', 'asc').limit(page.limit);
    return rows.map(membershipFromRow).reverse();
  }
  const rows: Row[] = await q.orderBy('last_post_id', 'desc').limit(page.limit);
  return rows.map(membershipFromRow);
}

/** The member's row, unless they hid the conversation (or never were in it). */
export async function findShownMembership(db: Queryable, conversationId: number, accountId: number): Promise<Membership | undefined> {
  const row = await db('conversation_members').where({ conversation_id: conversationId, account_id: accountId, hidden: false }).first();
  return row ? membershipFromRow(row) : undefined;
}

/** Every member of each conversation except `viewerId`, by account id. */
export async function findOtherMembers(db: Queryable, conversationIds: number[], viewerId: number): Promise<Map<number, number[]>> {
  const result = new Map<number, number[]>(conversationIds.map((id) => [id, []]));
  if (conversationIds.length === 0) return result;
  const rows: Row[] = await db('conversation_members')
    .whereIn('conversation_id', conversationIds)
    .whereNot('account_id', viewerId)
    .orderBy('account_id', 'asc')
    .select('conversation_id', 'account_id');
  for (const row of rows) result.get(Number(row.conversation_id))?.push(Number(row.account_id));
  return result;
}

/**
 * For each conversation, the newest post still there that `accountId` wrote
 * or is addressed by (mentioned in): what their list falls back to when the
 * last post was deleted. One grouped query.
 */
export async function findNewestPostsReaching(db: Queryable, conversationIds: number[], accountId: number): Promise<Map<number, number>> {
  if (conversationIds.length === 0) return new Map();
  const rows: Row[] = await db('posts')
    .whereIn('conversation_id', conversationIds)
    .whereNull('deleted_at')
    .where((w) =>
      w
        .where('account_id', accountId)
        .orWhereExists((m) => m.select(db.raw('1')).from('mentions').whereRaw('mentions.post_id = posts.id').where('mentions.account_id', accountId)),
    )
    .groupBy('conversation_id')
    .select('conversation_id', db.raw('max(id) as post_id'));
  return new Map(rows.map((row) => [Number(row.conversation_id), Number(row.post_id)]));
}

/** True when the member's row was there (and shown) to change. */
export async function markMembershipRead(db: Queryable, conversationId: number, accountId: number): Promise<boolean> {
  const changed = await db('conversation_members').where({ conversation_id: conversationId, account_id: accountId, hidden: false }).update({ unread: false });
  return changed > 0;
}

/** Hides the conversation from the member's list until a new post reaches them. */
export async function hideMembership(db: Queryable, conversationId: number, accountId: number): Promise<boolean> {
  const changed = await db('conversation_members').where({ conversation_id: conversationId, account_id: accountId, hidden: false }).update({ hidden: true, unread: false });
  return changed > 0;
}
