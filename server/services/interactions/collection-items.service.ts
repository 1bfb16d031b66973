// Posts in a saved collection: the owner adds posts they may see (a share
// adds its original) and takes them out; readers get the posts they may see,
// last added first, paged by the item's position.
import { countAllItems, deleteItem, insertItem, listItemPosts } from '../../db/collections.repo.ts';
import type { Db, Queryable } from '../../db/knex.ts';
import type { IdPage } from '../../db/posts.repo.ts';
import { unprocessable } from '../../errors.ts';
import type { PostView } from '../posts/post-views.ts';
import { visiblePostViews } from '../posts/post-views.ts';
import type { ViewerId } from '../visibility/post-visibility.ts';
import { getCollection, ownCollection, readableCollection, type CollectionView } from './collections.service.ts';
import type { Page } from './interaction-lists.service.ts';
import { findOriginal, visibleTarget } from './target-post.ts';

export const MAX_ITEMS = 10_000;

export async function addToCollection(db: Db, ownerId: number, collectionId: number, postId: number): Promise<CollectionView> {
  await ownCollection(db, ownerId, collectionId);
  const { post } = await visibleTarget(db, ownerId, postId);
  await db.transaction(async (trx) => {
    // insertItem touches the collection row first: concurrent adds to it wait here, so the size check holds.
    if (!(await insertItem(trx, collectionId, post.id))) return;
    if ((await countAllItems(trx, collectionId)) > MAX_ITEMS) throw unprocessable(`Validation failed: a collection holds at most ${MAX_ITEMS} posts`);
  });
  return getCollection(db, ownerId, collectionId);
}

export async function removeFromCollection(db: Db, ownerId: number, collectionId: number, postId: number): Promise<CollectionView> {
  await ownCollection(db, ownerId, collectionId);
  const post = await findOriginal(db, postId);
  // A deleted post is no longer found by id: its item is taken out all the same.
  await deleteItem(db, collectionId, post?.id ?? postId);
  return getCollection(db, ownerId, collectionId);
}

export async function listCollectionPosts(db: Queryable, viewer: ViewerId, collectionId: number, page: IdPage): Promise<Page<PostView>> {
  await readableCollection(db, viewer, collectionId);
  const rows = await listItemPosts(db, collectionId, page);
  return { items: await visiblePostViews(db, viewer, rows.map((row) => row.post)), cursors: rows.map((row) => ({ id: row.cursor })) };
}
