// Saved collections (Instagram's "Saved" folders, Pixelfed's collections):
// named sets of posts an account keeps. Private by default (only the owner
// sees them); a public one can be read by anyone who may see its owner, and
// still shows each reader only the posts the visibility policy lets them see.
import { findAccountById } from '../../db/accounts.repo.ts';
import {
  COLLECTION_VISIBILITIES,
  countCollectionsOf,
  countItems,
  deleteCollection,
  findCollectionById,
  insertCollection,
  listCollectionsOf,
  updateCollection,
  type Collection,
  type CollectionChanges,
  type CollectionVisibility,
} from '../../db/collections.repo.ts';
import { newId } from '../../db/ids.ts';
import type { Db, Queryable } from '../../db/knex.ts';
import type { IdPage } from '../../db/posts.repo.ts';
import { isBlockedEitherWay } from '../../db/relationships.repo.ts';
import { notFound, unprocessable } from '../../errors.ts';
import type { ViewerId } from '../visibility/post-visibility.ts';

export const MAX_COLLECTIONS = 1000;
const MAX_NAME = 100;
const MAX_DESCRIPTION = 1000;

export interface CollectionView {
  collection: Collection;
  /** Live posts in it (deleted ones not counted); what the reader may see of them is decided when listing. */
  itemsCount: number;
}

export interface CollectionInput {
  name?: string;
  description?: string;
  visibility?: string;
}

function checked(input: CollectionInput): CollectionChanges {
  const changes: CollectionChanges = {};
  const problems: string[] = [];
  if (input.name !== undefined) {
    const name = input.name.trim();
    if (name === '') problems.push("Name can't be blank");
    else if ([...name].length > MAX_NAME) problems.push(`Name is too long (maximum is ${MAX_NAME} characters)`);
    changes.name = name;
  }
  if (input.description !== undefined) {
    const description = input.description.trim();
    if ([...description].length > MAX_DESCRIPTION) problems.push(`Description is too long (maximum is ${MAX_DESCRIPTION} characters)`);
    changes.description = description;
  }
  if (input.visibility !== undefined) {
    if (!COLLECTION_VISIBILITIES.includes(input.visibility as CollectionVisibility)) problems.push(`Visibility must be one of ${COLLECTION_VISIBILITIES.join(', ')}`);
    changes.visibility = input.visibility as CollectionVisibility;
  }
  if (problems.length > 0) throw unprocessable(`Validation failed: ${problems.join(', ')}`, { problems });
  return changes;
}

async function withCounts(db: Queryable, collections: Collection[]): Promise<CollectionView[]> {
  const counts = await countItems(db, collections.map((c) => c.id));
  return collections.map((collection) => ({ collection, itemsCount: counts.get(collection.id) ?? 0 }));
}

export async function createCollection(db: Db, ownerId: number, input: CollectionInput): Promise<CollectionView> {
  const changes = checked({ ...input, name: input.name ?? '' });
  if ((await countCollectionsOf(db, ownerId)) >= MAX_COLLECTIONS) throw unprocessable(`Validation failed: at most ${MAX_COLLECTIONS} collections`);
  const now = Date.now();
  const collection: Collection = {
    id: newId(now),
    accountId: ownerId,
    name: changes.name!,
    description: changes.description ?? '',
    visibility: changes.visibility ?? 'private',
    createdAt: now,
    updatedAt: now,
  };
  await insertCollection(db, collection);
  return { collection, itemsCount: 0 };
}

/** The owner's own collection; anyone else's is a 404. */
export async function ownCollection(db: Queryable, ownerId: number, id: number): Promise<Collection> {
  const collection = await findCollectionById(db, id);
  if (!collection || collection.accountId !== ownerId) throw notFound();
  return collection;
}

/** A collection the viewer may read: their own, or a public one of an account they may see (no block either way, not suspended). */
export async function readableCollection(db: Queryable, viewer: ViewerId, id: number): Promise<Collection> {
  const collection = await findCollectionById(db, id);
  if (!collection) throw notFound();
  if (collection.accountId === viewer) return collection;
  if (collection.visibility !== 'public') throw notFound();
  const owner = await findAccountById(db, collection.accountId);
  if (!owner || owner.suspendedAt !== null) throw notFound();
  if (viewer !== null && (await isBlockedEitherWay(db, viewer, owner.id))) throw notFound();
  return collection;
}

export async function getCollection(db: Queryable, viewer: ViewerId, id: number): Promise<CollectionView> {
  return (await withCounts(db, [await readableCollection(db, viewer, id)]))[0]!;
}

/** The owner's collections, newest first. */
export async function listOwnCollections(db: Queryable, ownerId: number, page: IdPage): Promise<CollectionView[]> {
  return withCounts(db, await listCollectionsOf(db, ownerId, { publicOnly: false }, page));
}

/** Another account's public collections (all of them for the owner), newest first; nothing across a block. */
export async function listAccountCollections(db: Queryable, viewer: ViewerId, accountId: number, page: IdPage): Promise<CollectionView[]> {
  if (viewer === accountId) return listOwnCollections(db, accountId, page);
  const owner = await findAccountById(db, accountId);
  if (!owner || owner.suspendedAt !== null) throw notFound();
  if (viewer !== null && (await isBlockedEitherWay(db, viewer, owner.id))) return [];
  return withCounts(db, await listCollectionsOf(db, accountId, { publicOnly: true }, page));
}

export async function editCollection(db: Db, ownerId: number, id: number, input: CollectionInput): Promise<CollectionView> {
  await ownCollection(db, ownerId, id);
  const changes = checked(input);
  if (Object.keys(changes).length > 0) await updateCollection(db, id, changes);
  return getCollection(db, ownerId, id);
}

export async function removeCollection(db: Db, ownerId: number, id: number): Promise<void> {
  await ownCollection(db, ownerId, id);
  await deleteCollection(db, id);
}
