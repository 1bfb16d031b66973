// Viewfinder's Collection entity (saved collections; no Mastodon equivalent),
// documented in the README beside the endpoints. Pure: nothing is queried here.
import type { CollectionVisibility } from '../../db/collections.repo.ts';
import type { CollectionView } from '../../services/interactions/collections.service.ts';

export interface ViewfinderCollection {
  id: string;
  account_id: string;
  name: string;
  description: string;
  visibility: CollectionVisibility;
  /** Posts in it that still exist; a reader may be shown fewer (those they may see). */
  statuses_count: number;
  created_at: string;
  updated_at: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function serializeCollection(view: CollectionView): ViewfinderCollection {
  const { collection } = view;
  return {
    id: String(collection.id),
    account_id: String(collection.accountId),
    name: collection.name,
    description: collection.description,
    visibility: collection.visibility,
    statuses_count: view.itemsCount,
    created_at: iso(collection.createdAt),
    updated_at: iso(collection.updatedAt),
  };
}
