// Posting defaults (Mastodon's Source#privacy, #sensitive, #language), kept
// as columns of users so they arrive with the user on every request.
import type { Queryable } from '../../db/knex.ts';
import { updateUser, type User } from '../../db/users.repo.ts';

export type PostingVisibility = User['defaultPrivacy'];

/** Posting defaults a user chose. */
export interface PostingDefaults {
  privacy: PostingVisibility;
  sensitive: boolean;
  language: string | null;
  /** Viewfinder: keep camera make, model and exposure in uploaded photos (never the location). */
  keepCameraInfo: boolean;
}

export const POSTING_VISIBILITIES: readonly PostingVisibility[] = ['public', 'unlisted', 'private', 'direct'];

export function postingDefaultsOf(user: User): PostingDefaults {
  return { privacy: user.defaultPrivacy, sensitive: user.defaultSensitive, language: user.defaultLanguage, keepCameraInfo: user.keepCameraInfo };
}

export async function setPostingDefaults(db: Queryable, user: User, changes: Partial<PostingDefaults>): Promise<PostingDefaults> {
  const next = { ...postingDefaultsOf(user), ...changes };
  await updateUser(db, user.id, { defaultPrivacy: next.privacy, defaultSensitive: next.sensitive, defaultLanguage: next.language, keepCameraInfo: next.keepCameraInfo });
  return next;
}
