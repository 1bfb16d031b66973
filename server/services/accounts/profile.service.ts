// Editing one's own profile (Mastodon's update_credentials): checks every
// field and reports all problems at once, resizes new images before the
// database write, and removes replaced image files only after it committed.
import type { Config } from '../../../config/load.ts';
import { AppError } from '../../errors.ts';
import { findAccountById, updateAccount, type Account, type AccountChanges } from '../../db/accounts.repo.ts';
import type { Db } from '../../db/knex.ts';
import { findUserById, type User } from '../../db/users.repo.ts';
import { getLogger } from '../../logging.ts';
import { processProfileImage, type ProfileImageKind } from '../../../media/images/profile-images.ts';
import type { MediaStorage } from '../../../media/storage/storage.ts';
import { fieldValueToHtml } from '../text/plain-to-html.ts';
import { renderBio } from './profile-bio.ts';
import { authorizeAllFollowRequests } from '../social/follow-requests.service.ts';
import { POSTING_VISIBILITIES, setPostingDefaults, type PostingDefaults, type PostingVisibility } from './profile-preferences.ts';
import { federate } from '../federation/outbound.ts';

export const MAX_DISPLAY_NAME_LENGTH = 30;
export const MAX_NOTE_LENGTH = 500;
export const MAX_FIELDS = 4;
export const MAX_FIELD_LENGTH = 255;

export interface ProfileUpdate {
  displayName?: string;
  note?: string;
  locked?: boolean;
  bot?: boolean;
  discoverable?: boolean;
  hideCollections?: boolean;
  /** Replaces all fields; entries with an empty name and value are dropped. */
  fields?: { name: string; value: string }[];
  /** New image bytes; null removes the current one. */
  avatar?: Buffer | null;
  header?: Buffer | null;
  source?: { privacy?: string; sensitive?: boolean; language?: string | null; keepCameraInfo?: boolean };
}

/** Mastodon's per-field error shape: `details: { display_name: [{ error: 'ERR_TOO_LONG', description }] }`. */
type Details = Record<string, { error: string; description: string }[]>;

// Length as people count it: code points, not UTF-16 units.
const length = (text: string) => [...text].length;

export async function updateProfile(
  db: Db,
  config: Pick<Config, 'publicUrl' | 'domain' | 'uploads'>,
  storage: MediaStorage,
  who: { user: User; account: Account },
  input: ProfileUpdate,
): Promise<{ account: Account; user: User }> {
  const details: Details = {};
  const problem = (field: string, error: string, description: string) => (details[field] ??= []).push({ error, description });

  if (input.displayName !== undefined && length(input.displayName) > MAX_DISPLAY_NAME_LENGTH) {
    problem('display_name', 'ERR_TOO_LONG', `is too long (maximum is ${MAX_DISPLAY_NAME_LENGTH} characters)`);
  }
  if (input.note !== undefined && length(input.note) > MAX_NOTE_LENGTH) {
    problem('note', 'ERR_TOO_LONG', `is too long (maximum is ${MAX_NOTE_LENGTH} characters)`);
  }
  const fields = input.fields?.map((f) => ({ name: f.name.trim(), value: f.value.trim() })).filter((f) => f.name !== '' || f.value !== '');
  if (fields) {
    if (fields.length > MAX_FIELDS) problem('fields', 'ERR_TOO_LONG', `has too many entries (maximum is ${MAX_FIELDS})`);
    if (fields.some((f) => length(f.name) > MAX_FIELD_LENGTH || length(f.value) > MAX_FIELD_LENGTH)) {
      problem('fields', 'ERR_TOO_LONG', `names and values must be at most ${MAX_FIELD_LENGTH} characters`);
    }
  }
  const source = input.source ?? {};
  if (source.privacy !== undefined && !POSTING_VISIBILITIES.includes(source.privacy as PostingVisibility)) {
    problem('source.privacy', 'ERR_INCLUSION', `must be one of ${POSTING_VISIBILITIES.join(', ')}`);
  }
  if (source.language != null && source.language !== '' && !/^[a-z]{2,3}$/i.test(source.language)) {
    problem('source.language', 'ERR_INVALID', 'must be an ISO 639 language code');
  }
  if (Object.keys(details).length > 0) {
    const summary = Object.entries(details)
      .map(([field, list]) => `${field.replace(/_/g, ' ')} ${list.map((item) => item.description).join(', ')}`)
      .join('; ');
    throw new AppError(422, `Validation failed: ${summary}`, { details });
  }

  // Images first (slow, and may still be refused); nothing is written yet.
  const newKeys: Partial<Record<ProfileImageKind, string>> = {};
  const changes: AccountChanges = {};
  try {
    for (const kind of ['avatar', 'header'] as const) {
      const bytes = input[kind];
      if (bytes === undefined) continue;
      if (bytes === null) {
        changes[kind === 'avatar' ? 'avatarPath' : 'headerPath'] = null;
        continue;
      }
      const jpeg = await processProfileImage(bytes, kind, { maxImagePixels: config.uploads.maxImagePixels });
      newKeys[kind] = await storage.put(jpeg, 'jpg');
      changes[kind === 'avatar' ? 'avatarPath' : 'headerPath'] = newKeys[kind];
    }

    if (input.displayName !== undefined) changes.displayName = input.displayName.trim();
    if (input.note !== undefined) {
      // Browsers send form text with CRLF line ends (the multipart rules); store plain LF.
      changes.note = input.note.replace(/\r\n?/g, '\n');
      changes.noteHtml = await renderBio(db, config, changes.note);
    }
    if (input.locked !== undefined) changes.locked = input.locked;
    if (input.bot !== undefined) changes.bot = input.bot;
    if (input.discoverable !== undefined) changes.discoverable = input.discoverable;
    if (input.hideCollections !== undefined) changes.hideCollections = input.hideCollections;
    // `value` as typed (CredentialAccount's source.fields), `value_html` as served.
    if (fields) changes.fields = JSON.stringify(fields.map((f) => ({ ...f, value_html: fieldValueToHtml(f.value), verified_at: null })));

    const defaults: Partial<PostingDefaults> = {};
    if (source.privacy !== undefined) defaults.privacy = source.privacy as PostingVisibility;
    if (source.sensitive !== undefined) defaults.sensitive = source.sensitive;
    if (source.keepCameraInfo !== undefined) defaults.keepCameraInfo = source.keepCameraInfo;
    if (source.language !== undefined) defaults.language = source.language === '' ? null : (source.language?.toLowerCase() ?? null);

    await db.transaction(async (trx) => {
      if (Object.keys(changes).length > 0) {
        await updateAccount(trx, who.account.id, changes);
        await federate(trx, { type: 'update-actor', accountId: who.account.id });
      }
      if (Object.keys(defaults).length > 0) await setPostingDefaults(trx, who.user, defaults);
    });
  } catch (error) {
    // The row still points at the old files: the new ones are orphans.
    await Promise.all(Object.values(newKeys).map((key) => removeQuietly(storage, key)));
    throw error;
  }

  // Unlocking accepts everyone who was waiting, as on Mastodon.
  if (who.account.locked && changes.locked === false) await authorizeAllFollowRequests(db, who.account.id);

  const replaced = [
    'avatarPath' in changes ? who.account.avatarPath : null,
    'headerPath' in changes ? who.account.headerPath : null,
  ].filter((key): key is string => key !== null);
  await Promise.all(replaced.map((key) => removeQuietly(storage, key)));
  const [account, user] = await Promise.all([findAccountById(db, who.account.id), findUserById(db, who.user.id)]);
  return { account: account!, user: user! };
}

// A file left behind wastes disk; failing the request after the profile
// changed would be worse. So: log and go on.
async function removeQuietly(storage: MediaStorage, key: string): Promise<void> {
  try {
    await storage.delete(key);
  } catch (error) {
    getLogger('media').warning('Could not delete media file {key}: {error}', { key, error });
  }
}
