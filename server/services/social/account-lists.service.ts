// The account lists of the social graph: an account's followers and
// following (hidden from others when it hides its collections, and from
// anyone it blocks), and the viewer's own blocks, mutes and follow requests.
// Each page is one query, paged by the relation row's id; `cursor` is that id.
import { findAccountById, findRolesByAccountIds } from '../../db/accounts.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import type { IdPage } from '../../db/posts.repo.ts';
import { pageRelatedAccounts, type RelatedAccount, type RelationTable } from '../../db/relationships.repo.ts';
import { isBlocking } from '../../db/blocks.repo.ts';
import { notFound } from '../../errors.ts';
import type { ProfileView } from '../accounts/profile-read.service.ts';

export interface AccountPageItem {
  /** The relation row's id (what max_id / min_id refer to). */
  cursor: number;
  view: ProfileView;
  /** Mutes only: when the mute ends; null: never. */
  expiresAt: number | null;
}

async function withRoles(db: Queryable, items: RelatedAccount[]): Promise<AccountPageItem[]> {
  const roles = await findRolesByAccountIds(db, items.map((item) => item.account.id));
  return items.map(({ cursor, account, expiresAt }) => ({ cursor, view: { account, role: roles.get(account.id) ?? null }, expiresAt }));
}

async function pageOf(db: Queryable, table: RelationTable, side: 'targets' | 'sources', accountId: number, page: IdPage): Promise<AccountPageItem[]> {
  return withRoles(db, await pageRelatedAccounts(db, table, side, accountId, page));
}

/**
 * Whether `viewer` may list `accountId`'s followers and following: as
 * Mastodon, an empty list (not an error) when the account is suspended,
 * hides its collections from everyone but itself, or blocks the viewer.
 */
async function networkShown(db: Queryable, viewer: number | null, accountId: number): Promise<boolean> {
  const account = await findAccountById(db, accountId);
  if (!account) throw notFound();
  if (viewer === accountId) return true;
  if (account.suspendedAt !== null || account.hideCollections) return false;
  if (viewer === null) return true;
  return !(await isBlocking(db, accountId, viewer));
}

export async function listFollowers(db: Queryable, viewer: number | null, accountId: number, page: IdPage): Promise<AccountPageItem[]> {
  return (await networkShown(db, viewer, accountId)) ? pageOf(db, 'follows', 'sources', accountId, page) : [];
}

export async function listFollowing(db: Queryable, viewer: number | null, accountId: number, page: IdPage): Promise<AccountPageItem[]> {
  return (await networkShown(db, viewer, accountId)) ? pageOf(db, 'follows', 'targets', accountId, page) : [];
}

export function listBlocks(db: Queryable, viewer: number, page: IdPage): Promise<AccountPageItem[]> {
  return pageOf(db, 'blocks', 'targets', viewer, page);
}

/** Mutes in force (expired ones are left out), each with its end. */
export function listMutes(db: Queryable, viewer: number, page: IdPage): Promise<AccountPageItem[]> {
  return pageOf(db, 'mutes', 'targets', viewer, page);
}

/** Requests waiting for the viewer's answer. */
export function listFollowRequests(db: Queryable, viewer: number, page: IdPage): Promise<AccountPageItem[]> {
  return pageOf(db, 'follow_requests', 'sources', viewer, page);
}

/** The viewer's close friends list. */
export function listCloseFriends(db: Queryable, viewer: number, page: IdPage): Promise<AccountPageItem[]> {
  return pageOf(db, 'close_friends', 'targets', viewer, page);
}
