// SQL for what a caption links to: hashtags (`hashtags`, `post_hashtags`) and
// mentioned accounts (`mentions`).
import { newId } from './ids.ts';
import type { Queryable } from './knex.ts';

export interface Hashtag {
  id: number;
  /** Lower-cased, NFKC: what lookups match. */
  name: string;
  /** As first written. */
  displayName: string;
}

type Row = Record<string, unknown>;

/** The hashtags for these names, created when new; names must already be normalized (lower case, NFKC). */
export async function upsertHashtags(db: Queryable, tags: { name: string; displayName: string }[], now = Date.now()): Promise<Hashtag[]> {
  if (tags.length === 0) return [];
  const rows = tags.map((tag) => ({ id: newId(now), name: tag.name, display_name: tag.displayName, last_used_at: now, created_at: now }));
  await db('hashtags').insert(rows).onConflict('name').merge({ last_used_at: now });
  const found: Row[] = await db('hashtags').whereIn('name', tags.map((tag) => tag.name));
  return found.map((row) => ({ id: Number(row.id), name: String(row.name), displayName: String(row.display_name) }));
}

/** Makes the post's hashtags exactly `hashtagIds`. */
export async function setPostHashtags(db: Queryable, postId: number, hashtagIds: number[]): Promise<void> {
  await db('post_hashtags').where({ post_id: postId }).delete();
  await addPostHashtags(db, postId, hashtagIds);
}

/** The hashtags of a post just inserted (it has none yet: nothing to replace). */
export async function addPostHashtags(db: Queryable, postId: number, hashtagIds: number[]): Promise<void> {
  if (hashtagIds.length > 0) await db('post_hashtags').insert(hashtagIds.map((hashtag_id) => ({ post_id: postId, hashtag_id })));
}

export async function findHashtagsByPostIds(db: Queryable, postIds: number[]): Promise<Map<number, Hashtag[]>> {
  const result = new Map<number, Hashtag[]>();
  if (postIds.length === 0) return result;
  const rows: Row[] = await db('post_hashtags')
    .join('hashtags', 'hashtags.id', 'post_hashtags.hashtag_id')
    .whereIn('post_hashtags.post_id', postIds)
    .orderBy('hashtags.name')
    .select('post_hashtags.post_id', 'hashtags.id', 'hashtags.name', 'hashtags.display_name');
  for (const row of rows) {
    const postId = Number(row.post_id);
    const list = result.get(postId) ?? [];
    list.push({ id: Number(row.id), name: String(row.name), displayName: String(row.display_name) });
    result.set(postId, list);
  }
  return result;
}

/** Makes the post's mentions exactly `accountIds`. */
export async function setPostMentions(db: Queryable, postId: number, accountIds: number[], now = Date.now()): Promise<void> {
  await db('mentions').where({ post_id: postId }).delete();
  await addPostMentions(db, postId, accountIds, now);
}

/** The mentions of a post just inserted (it has none yet: nothing to replace). */
export async function addPostMentions(db: Queryable, postId: number, accountIds: number[], now = Date.now()): Promise<void> {
  const unique = [...new Set(accountIds)];
  if (unique.length > 0) await db('mentions').insert(unique.map((account_id) => ({ id: newId(now), post_id: postId, account_id })));
}

/** Mentioned account ids of each post. */
export async function findMentionsByPostIds(db: Queryable, postIds: number[]): Promise<Map<number, number[]>> {
  const result = new Map<number, number[]>();
  if (postIds.length === 0) return result;
  const rows: Row[] = await db('mentions').whereIn('post_id', postIds).orderBy('id').select('post_id', 'account_id');
  for (const row of rows) {
    const postId = Number(row.post_id);
    const list = result.get(postId) ?? [];
    list.push(Number(row.account_id));
    result.set(postId, list);
  }
  return result;
}
