// SQL for the copies of remote accounts' avatars and headers: which file each
// account has, which remote URL it was made from, and a compare-and-set
// replacement, so two jobs (or a job and a refresh) never leave a row naming
// a file that was deleted.
import type { ProfileImageKind } from '../../media/images/profile-images.ts';
import type { Queryable } from './knex.ts';

export interface ProfileImage {
  /** The stored file's key, or null. */
  path: string | null;
  /** The remote URL the stored file (or the refusal to store one) came from; null when nothing was copied. */
  sourceUrl: string | null;
  /** What the remote actor names now. */
  remoteUrl: string | null;
}

export interface ProfileImages {
  accountId: number;
  domain: string | null;
  suspended: boolean;
  avatar: ProfileImage;
  header: ProfileImage;
}

const COLUMNS = {
  avatar: { path: 'avatar_path', source: 'avatar_source_url', remote: 'avatar_remote_url' },
  header: { path: 'header_path', source: 'header_source_url', remote: 'header_remote_url' },
} as const;

export async function findProfileImages(db: Queryable, accountId: number): Promise<ProfileImages | undefined> {
  const row = await db('accounts')
    .where({ id: accountId })
    .first('id', 'domain', 'suspended_at', ...Object.values(COLUMNS).flatMap((c) => [c.path, c.source, c.remote]));
  if (!row) return undefined;
  const image = (kind: ProfileImageKind): ProfileImage => ({
    path: row[COLUMNS[kind].path] ?? null,
    sourceUrl: row[COLUMNS[kind].source] ?? null,
    remoteUrl: row[COLUMNS[kind].remote] ?? null,
  });
  return { accountId: Number(row.id), domain: row.domain ?? null, suspended: row.suspended_at != null, avatar: image('avatar'), header: image('header') };
}

/**
 * Sets a remote account's picture to `path` (made from `sourceUrl`) if it
 * still has `expectedPath`; false when something else changed it meanwhile.
 */
export async function replaceProfileImage(
  db: Queryable,
  accountId: number,
  kind: ProfileImageKind,
  change: { expectedPath: string | null; path: string | null; sourceUrl: string | null },
  now = Date.now(),
): Promise<boolean> {
  const c = COLUMNS[kind];
  const query = db('accounts').where({ id: accountId }).whereNotNull('domain');
  if (change.expectedPath === null) query.whereNull(c.path);
  else query.where(c.path, change.expectedPath);
  const changed = await query.update({ [c.path]: change.path, [c.source]: change.sourceUrl, updated_at: now });
  return Number(changed) > 0;
}
