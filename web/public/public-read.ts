// What the public pages read, always as the anonymous viewer (viewer null), so
// a page shows exactly what the visibility policy lets anyone see: the read
// services apply it, and the API's serializers shape the result, so the pages
// and the API agree on every URL and count.
import type { Config } from '../../config/load.ts';
import { serializeAccount, type MastodonAccount, type SerializeContext } from '../../server/api/entities/account.ts';
import { serializeStatus, type MastodonStatus } from '../../server/api/entities/status.ts';
import type { Db } from '../../server/db/knex.ts';
import { isAppError } from '../../server/errors.ts';
import { lookupProfile, type ProfileView } from '../../server/services/accounts/profile-read.service.ts';
import { readTagTimeline } from '../../server/services/feeds/timelines.service.ts';
import type { PostView } from '../../server/services/posts/post-views.ts';
import { getPostView, listProfilePosts } from '../../server/services/posts/read-posts.service.ts';

/** Tiles per page: fills rows of three (phones) and four (wide screens). */
export const GRID_PAGE_SIZE = 24;

export interface PublicDeps {
  config: Config;
  db: Db;
}

export interface ProfilePage {
  account: MastodonAccount;
  /** username@domain, as people type it to follow. */
  handle: string;
  statuses: MastodonStatus[];
  /** The `max_id` of the next (older) page; null on the last page. */
  olderMaxId: string | null;
}

export type ProfileRead = { state: 'found'; page: ProfilePage } | { state: 'suspended'; handle: string } | { state: 'missing' };

export type PostRead =
  | { state: 'found'; status: MastodonStatus; author: MastodonAccount; handle: string }
  /** A share: its page is the original's (a path on this server). */
  | { state: 'share'; location: string }
  | { state: 'missing' };

export interface TagPage {
  statuses: MastodonStatus[];
  olderMaxId: string | null;
}

const context = (config: Config): SerializeContext => ({ publicUrl: config.publicUrl });

/** username@domain for an account of ours. */
export function handleOf(config: Config, account: { username: string }): string {
  return `${account.username}@${config.domain}`;
}

/** A missing thing reads as `undefined`; any other failure stays an error. */
async function orMissing<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isAppError(error) && error.status === 404) return undefined;
    throw error;
  }
}

/** One of our own accounts by username (`alice`, or `alice@our.domain`); remote accounts have their own server's page. */
async function localProfile(deps: PublicDeps, username: string): Promise<ProfileView | undefined> {
  const profile = await orMissing(lookupProfile(deps.db, deps.config, username));
  return profile && profile.account.domain === null ? profile : undefined;
}

/** A local profile with a page of its grid: the author's posts anyone may see, newest first, comments on others' posts left out. */
export async function readProfile(deps: PublicDeps, username: string, maxId: number | undefined): Promise<ProfileRead> {
  const profile = await localProfile(deps, username);
  if (!profile) return { state: 'missing' };
  const { account, role } = profile;
  if (account.suspendedAt !== null) return { state: 'suspended', handle: handleOf(deps.config, account) };
  // One extra row tells whether an older page exists. Anonymous listing asks
  // SQL for exactly what the policy allows, so no row of the page is dropped.
  const views = await listProfilePosts(deps.db, null, account.id, { excludeReplies: true }, { maxId, limit: GRID_PAGE_SIZE + 1 });
  const shown = views.slice(0, GRID_PAGE_SIZE);
  return {
    state: 'found',
    page: {
      account: serializeAccount(context(deps.config), account, role ? { role } : null),
      handle: handleOf(deps.config, account),
      statuses: shown.map((view) => serializeStatus(context(deps.config), view)),
      olderMaxId: views.length > GRID_PAGE_SIZE ? String(shown[shown.length - 1]!.post.id) : null,
    },
  };
}

function isAuthoredBy(view: PostView, username: string): boolean {
  const author = view.author.account;
  return author.domain === null && author.username.toLowerCase() === username.toLowerCase();
}

/**
 * A post under its local author's name, if anyone may see it. A post that is
 * not public or unlisted, deleted, archived, by someone else or by a
 * suspended author reads as missing: the same answer as an unknown id.
 */
export async function readPost(deps: PublicDeps, username: string, id: number): Promise<PostRead> {
  const view = await orMissing(getPostView(deps.db, null, id));
  if (!view || !isAuthoredBy(view, username)) return { state: 'missing' };
  if (view.reblog) {
    const original = view.reblog.author.account;
    // A share of a remote post has no page here; the original's server has it.
    return original.domain === null ? { state: 'share', location: `/@${original.username}/${view.reblog.post.id}` } : { state: 'missing' };
  }
  const ctx = context(deps.config);
  const status = serializeStatus(ctx, view);
  return { state: 'found', status, author: status.account, handle: handleOf(deps.config, view.author.account) };
}

/** Public posts with a hashtag, newest first (the hashtag timeline, as anyone sees it). */
export async function readTag(deps: PublicDeps, name: string, maxId: number | undefined): Promise<TagPage> {
  const { views, rows } = await readTagTimeline(deps.db, null, { tag: name }, { maxId, limit: GRID_PAGE_SIZE + 1 });
  // Pages go by the rows read: a row the policy dropped still moves the page on.
  const pageRows = rows.slice(0, GRID_PAGE_SIZE);
  const onPage = new Set(pageRows.map((row) => row.id));
  const ctx = context(deps.config);
  return {
    statuses: views.filter((view) => onPage.has(view.post.id)).map((view) => serializeStatus(ctx, view)),
    olderMaxId: rows.length > GRID_PAGE_SIZE ? String(pageRows[pageRows.length - 1]!.id) : null,
  };
}
