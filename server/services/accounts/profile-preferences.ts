// Posting defaults (Mastodon's source[privacy|sensitive|language]).
// Stored in the `kv` table under ['user-preferences', <user id>] until the
// users table has columns for them (see the api-accounts report: a migration
// adding them is proposed); the shape here stays the same either way.
import { getKv, setKv } from '../../db/kv.repo.ts';
import type { Queryable } from '../../db/knex.ts';

export type PostingVisibility = 'public' | 'unlisted' | 'private' | 'direct';

/** Posting defaults a user chose (Mastodon's Source#privacy, #sensitive, #language). */
export interface PostingDefaults {
  privacy: PostingVisibility;
  sensitive: boolean;
  language: string | null;
}

export const POSTING_VISIBILITIES: readonly PostingVisibility[] = ['public', 'unlisted', 'private', 'direct'];

export const DEFAULT_POSTING: PostingDefaults = { privacy: 'public', sensitive: false, language: null };

const keyOf = (userId: number) => ['user-preferences', String(userId)];

export async function getPostingDefaults(db: Queryable, userId: number): Promise<PostingDefaults> {
  const stored = (await getKv(db, keyOf(userId))) as Partial<PostingDefaults> | undefined;
  return {
    privacy: stored?.privacy && POSTING_VISIBILITIES.includes(stored.privacy) ? stored.privacy : DEFAULT_POSTING.privacy,
    sensitive: typeof stored?.sensitive === 'boolean' ? stored.sensitive : DEFAULT_POSTING.sensitive,
    language: typeof stored?.language === 'string' ? stored.language : DEFAULT_POSTING.language,
  };
}

export async function setPostingDefaults(db: Queryable, userId: number, changes: Partial<PostingDefaults>): Promise<PostingDefaults> {
  const next = { ...(await getPostingDefaults(db, userId)), ...changes };
  await setKv(db, keyOf(userId), next);
  return next;
}
