// SQL for saved collections (Instagram's "Saved" folders, Pixelfed's
// collections) and their items. Items are ordered by `position`, a counter per
// collection that grows with each post added (newest first when read); adding
// touches the collection row first, which serializes concurrent adds to one
// collection so two posts never share a position.
import { createRowMapper } from './row-mapper.ts';
import type { Queryable } from './knex.ts';
import { pageRows, type Row } from './likes.repo.ts';
import { postFromRow, type IdPage, type Post } from './posts.repo.ts';

export type CollectionVisibility = 'private' | 'public';
export const COLLECTION_VISIBILITIES: readonly CollectionVisibility[] = ['private', 'public'];

export interface Collection {
  id: number;
  accountId: number;
  name: string;
  description: string;
  visibility: CollectionVisibility;
  createdAt: number;
  updatedAt: number;
}

const mapper = createRowMapper<Collection>(
  { id: 'id', accountId: 'account_id', name: 'name', description: 'description', visibility: 'visibility', createdAt: 'created_at', updatedAt: 'updated_at' },
  new Set(),
);

export async function insertCollection(db: Queryable, collection: Collection): Promise<void> {
  await db('collections').insert(mapper.toRow(collection));
}

export async function findCollectionById(db: Queryable, id: number): Promise<Collection | undefined> {
  const row = await db('collections').where({ id }).first();
  return row ? mapper.fromRow(row) : undefined;
}

export type CollectionChanges = Partial<Pick<Collection, 'name' | 'description' | 'visibility'>>;

export async function updateCollection(db: Queryable, id: number, changes: CollectionChanges, now = Date.now()): Promise<void> {
  await db('collections').where({ id }).update({ ...mapper.toRow(changes), updated_at: now });
}

/** Deletes the collection; its items go with it (the posts stay). */
export async function deleteCollection(db: Queryable, id: number): Promise<void> {
  await db('collections').where({ id }).delete();
}

export async function countCollectionsOf(db: Queryable, accountId: number): Promise<number> {
  const row = await db('collections').where({ account_id: accountId }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** A page of an account's collections, newest first (public ones only when `publicOnly`). */
export async function listCollectionsOf(db: Queryable, accountId: number, options: { publicOnly: boolean }, page: IdPage): Promise<Collection[]> {
  const q = db('collections').where({ account_id: accountId });
  if (options.publicOnly) q.where({ visibility: 'public' });
  return (await pageRows(q, 'collections.id', page, ['collections.*'])).map(mapper.fromRow);
}

/** How many live (not deleted) posts each collection holds; one query for a whole page. */
export async function countItems(db: Queryable, collectionIds: number[]): Promise<Map<number, number>> {
  if (collectionIds.length === 0) return new Map();
  const rows: Row[] = await db('collection_items')
    .join('posts', 'posts.id', 'collection_items.post_id')
    .whereIn('collection_items.collection_id', collectionIds)
    .whereNull('posts.deleted_at')
    .groupBy('collection_items.collection_id')
    .select('collection_items.collection_id')
    .count({ n: '*' });
  return new Map(rows.map((row) => [Number(row.collection_id), Number(row.n)]));
}

/**
 * Adds a post at the top of the collection; false when it was there already.
 * Run it in a transaction: the collection row is touched first, as a lock.
 */
export async function insertItem(db: Queryable, collectionId: number, postId: number, now = Date.now()): Promise<boolean> {
  await db('collections').where({ id: collectionId }).update({ updated_at: now });
  const top = await db('collection_items').where({ collection_id: collectionId }).max({ p: 'position' }).first();
  const inserted: Row[] = await db('collection_items')
    .insert({ collection_id: collectionId, post_id: postId, position: Number(top?.p ?? 0) + 1, created_at: now })
    .onConflict(['collection_id', 'post_id'])
    .ignore()
    .returning('post_id');
  return inserted.length > 0;
}

/** Takes a post out of the collection; false when it was not in it. */
export async function deleteItem(db: Queryable, collectionId: number, postId: number, now = Date.now()): Promise<boolean> {
  const removed = await db('collection_items').where({ collection_id: collectionId, post_id: postId }).delete();
  if (removed > 0) await db('collections').where({ id: collectionId }).update({ updated_at: now });
  return removed > 0;
}

/** Items in the collection, counting deleted posts too (for the size limit). */
export async function countAllItems(db: Queryable, collectionId: number): Promise<number> {
  const row = await db('collection_items').where({ collection_id: collectionId }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** A page of the collection's live posts, last added first; `cursor` is the item's position. */
export async function listItemPosts(db: Queryable, collectionId: number, page: IdPage): Promise<{ cursor: number; post: Post }[]> {
  const q = db('collection_items').join('posts', 'posts.id', 'collection_items.post_id').where('collection_items.collection_id', collectionId).whereNull('posts.deleted_at');
  const rows = await pageRows(q, 'collection_items.position', page, ['posts.*', 'collection_items.position as cursor_id']);
  return rows.map((row) => ({ cursor: Number(row.cursor_id), post: postFromRow(row) }));
}
