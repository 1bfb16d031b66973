// SQL for hashtags as things to follow (`followed_hashtags`) and what the Tag
// entity shows of them: lookups by name, who follows which, and a week of use.
import { ID_EPOCH_MS, minIdAt, newId } from './ids.ts';
import type { Queryable } from './knex.ts';
import type { Hashtag } from './post-tags.repo.ts';

type Row = Record<string, unknown>;

const hashtagFromRow = (row: Row): Hashtag => ({ id: Number(row.id), name: String(row.name), displayName: String(row.display_name) });

/** Hashtags by normalized name (lower case, NFKC); unknown names are left out. */
export async function findHashtagsByNames(db: Queryable, names: string[]): Promise<Hashtag[]> {
  if (names.length === 0) return [];
  const rows: Row[] = await db('hashtags').whereIn('name', [...new Set(names)]);
  return rows.map(hashtagFromRow);
}

/** The hashtag of this normalized name, created when new (following a tag nobody used yet). */
export async function findOrCreateHashtag(db: Queryable, name: string, displayName: string, now = Date.now()): Promise<Hashtag> {
  await db('hashtags').insert({ id: newId(now), name, display_name: displayName, last_used_at: null, created_at: now }).onConflict('name').ignore();
  return hashtagFromRow(await db('hashtags').where({ name }).first());
}

export async function followHashtag(db: Queryable, accountId: number, hashtagId: number, now = Date.now()): Promise<void> {
  await db('followed_hashtags').insert({ id: newId(now), account_id: accountId, hashtag_id: hashtagId, created_at: now }).onConflict(['account_id', 'hashtag_id']).ignore();
}

/** True when there was a follow to remove. */
export async function unfollowHashtag(db: Queryable, accountId: number, hashtagId: number): Promise<boolean> {
  return (await db('followed_hashtags').where({ account_id: accountId, hashtag_id: hashtagId }).delete()) > 0;
}

/** Which of `hashtagIds` the account follows. */
export async function findFollowedHashtagIds(db: Queryable, accountId: number, hashtagIds: number[]): Promise<Set<number>> {
  if (hashtagIds.length === 0) return new Set();
  const rows: Row[] = await db('followed_hashtags').where('account_id', accountId).whereIn('hashtag_id', hashtagIds).select('hashtag_id');
  return new Set(rows.map((row) => Number(row.hashtag_id)));
}

export interface FollowedHashtag {
  /** The follow's own id: what followed_tags pages by. */
  followId: number;
  hashtag: Hashtag;
}

/** The account's followed hashtags, most recently followed first, paged by the follow's id. */
export async function listFollowedHashtags(db: Queryable, accountId: number, page: { maxId?: number; sinceId?: number; minId?: number; limit: number }): Promise<FollowedHashtag[]> {
  const q = db('followed_hashtags')
    .join('hashtags', 'hashtags.id', 'followed_hashtags.hashtag_id')
    .where('followed_hashtags.account_id', accountId)
    .select('followed_hashtags.id as follow_id', 'hashtags.id', 'hashtags.name', 'hashtags.display_name');
  if (page.maxId !== undefined) q.where('followed_hashtags.id', '<', page.maxId);
  if (page.sinceId !== undefined) q.where('followed_hashtags.id', '>', page.sinceId);
  const ascending = page.minId !== undefined;
  if (ascending) q.where('followed_hashtags.id', '>', page.minId!);
  const rows: Row[] = await q.orderBy('followed_hashtags.id', ascending ? 'asc' : 'desc').limit(page.limit);
  const list = rows.map((row) => ({ followId: Number(row.follow_id), hashtag: hashtagFromRow(row) }));
  return ascending ? list.reverse() : list;
}

export interface TagDayUse {
  /** Start of the day (UTC), epoch ms. */
  day: number;
  uses: number;
  accounts: number;
}

const DAY_MS = 86_400_000;

/**
 * Uses of each hashtag per UTC day over the last `days` days, from the post
 * ids (time-sortable: the day is computed from the id, no join on dates).
 * Days without use are left out.
 */
export async function findHashtagHistory(db: Queryable, hashtagIds: number[], days: number, now = Date.now()): Promise<Map<number, TagDayUse[]>> {
  const result = new Map<number, TagDayUse[]>();
  if (hashtagIds.length === 0) return result;
  const since = Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
  // id / 4096 is milliseconds since the id epoch. The numbers are literals, not
  // parameters: SQLite would bind them as floats and stop dividing integers.
  const rows: Row[] = await db('post_hashtags')
    .join('posts', 'posts.id', 'post_hashtags.post_id')
    .whereIn('post_hashtags.hashtag_id', hashtagIds)
    .where('post_hashtags.post_id', '>=', minIdAt(since))
    .whereNull('posts.deleted_at')
    .groupBy('post_hashtags.hashtag_id', 'day')
    .select('post_hashtags.hashtag_id', db.raw(`(post_hashtags.post_id / 4096 + ${ID_EPOCH_MS}) / ${DAY_MS} as day`), db.raw('count(*) as uses'), db.raw('count(distinct posts.account_id) as accounts'));
  for (const row of rows) {
    const id = Number(row.hashtag_id);
    const list = result.get(id) ?? [];
    list.push({ day: Number(row.day) * DAY_MS, uses: Number(row.uses), accounts: Number(row.accounts) });
    result.set(id, list);
  }
  return result;
}
