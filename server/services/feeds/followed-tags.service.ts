// Hashtags as things to follow: a public post with a followed tag comes into
// the follower's home feed (fan-out.job.ts); unfollowing takes out what the
// tag brought. Tag lookups for GET /api/v1/tags/:name.
import {
  findFollowedHashtagIds,
  findHashtagHistory,
  findHashtagsByNames,
  findOrCreateHashtag,
  followHashtag,
  listFollowedHashtags,
  unfollowHashtag,
  type FollowedHashtag,
  type TagDayUse,
} from '../../db/followed-tags.repo.ts';
import { removeHashtagEntries } from '../../db/home-feed.repo.ts';
import type { Db, Queryable } from '../../db/knex.ts';
import type { Hashtag } from '../../db/post-tags.repo.ts';
import { notFound } from '../../errors.ts';
import { normalizeHashtag } from '../text/plain-to-html.ts';
import type { ViewerId } from '../visibility/post-visibility.ts';

/** A hashtag as the Tag entity shows it. */
export interface TagView {
  id: number | null;
  /** Normalized (lower case, NFKC): the URL's name. */
  name: string;
  /** As first written. */
  displayName: string;
  history: TagDayUse[];
  /** Undefined for an anonymous viewer. */
  following?: boolean;
}

/** Days of use a Tag shows, as Mastodon's. */
export const TAG_HISTORY_DAYS = 7;

// What a caption's #tag may be (services/text): letters, digits, underscores, not digits only.
const TAG_NAME = /^[\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*$/u;

/** A tag name from a URL (with or without '#'): its normalized name and spelling, or 404. */
export function parseTagName(raw: string): { name: string; displayName: string } {
  const displayName = raw.replace(/^#/, '').normalize('NFKC');
  if (displayName.length === 0 || displayName.length > 255 || !TAG_NAME.test(displayName)) throw notFound();
  return { name: normalizeHashtag(displayName), displayName };
}

async function views(db: Queryable, viewer: ViewerId, tags: Hashtag[], now: number): Promise<TagView[]> {
  const ids = tags.map((tag) => tag.id);
  const [history, followed] = await Promise.all([findHashtagHistory(db, ids, TAG_HISTORY_DAYS, now), viewer === null ? null : findFollowedHashtagIds(db, viewer, ids)]);
  return tags.map((tag) => ({
    id: tag.id,
    name: tag.name,
    displayName: tag.displayName,
    history: history.get(tag.id) ?? [],
    following: followed === null ? undefined : followed.has(tag.id),
  }));
}

/** The tag as the viewer sees it; one nobody used yet is shown unsaved, as Mastodon does. */
export async function getTag(db: Db, viewer: ViewerId, raw: string, now = Date.now()): Promise<TagView> {
  const { name, displayName } = parseTagName(raw);
  const [tag] = await findHashtagsByNames(db, [name]);
  if (!tag) return { id: null, name, displayName, history: [], following: viewer === null ? undefined : false };
  return (await views(db, viewer, [tag], now))[0]!;
}

export async function followTag(db: Db, accountId: number, raw: string, now = Date.now()): Promise<TagView> {
  const { name, displayName } = parseTagName(raw);
  const tag = await db.transaction(async (trx) => {
    const found = await findOrCreateHashtag(trx, name, displayName, now);
    await followHashtag(trx, accountId, found.id, now);
    return found;
  });
  return (await views(db, accountId, [tag], now))[0]!;
}

/** Stops following; the posts the tag alone brought leave the home feed (at most a feed's worth: one short transaction). */
export async function unfollowTag(db: Db, accountId: number, raw: string, now = Date.now()): Promise<TagView> {
  const { name, displayName } = parseTagName(raw);
  const [tag] = await findHashtagsByNames(db, [name]);
  if (!tag) return { id: null, name, displayName, history: [], following: false };
  await db.transaction(async (trx) => {
    if (await unfollowHashtag(trx, accountId, tag.id)) await removeHashtagEntries(trx, accountId, tag.id);
  });
  return (await views(db, accountId, [tag], now))[0]!;
}

export interface FollowedTagsPage {
  tags: TagView[];
  /** The follows behind the page, for its Link header (paged by follow id). */
  follows: FollowedHashtag[];
}

export async function listFollowedTags(db: Db, accountId: number, page: { maxId?: number; sinceId?: number; minId?: number; limit: number }, now = Date.now()): Promise<FollowedTagsPage> {
  const follows = await listFollowedHashtags(db, accountId, page);
  return { tags: await views(db, accountId, follows.map((f) => f.hashtag), now), follows };
}
