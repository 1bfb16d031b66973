// Lists around interactions: the viewer's liked and saved posts (paged by the
// like's or bookmark's id, as Mastodon), and who liked or shared a post.
// Posts pass through visiblePostViews, so what the viewer may no longer see
// is left out; `cursors` hold the ids the page was cut at, for the Link
// header, even when some rows were left out.
import { findAccountsByIds, findRolesByAccountIds, type Account } from '../../db/accounts.repo.ts';
import { listBookmarkedPosts } from '../../db/bookmarks.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { listLikedPosts, listLikers } from '../../db/likes.repo.ts';
import type { IdPage, Post } from '../../db/posts.repo.ts';
import { listRebloggers } from '../../db/reblogs.repo.ts';
import type { UserRole } from '../../db/users.repo.ts';
import { visiblePostViews, type AccountView, type PostView } from '../posts/post-views.ts';
import type { ViewerId } from '../visibility/post-visibility.ts';
import { visibleTarget } from './target-post.ts';

export interface Page<T> {
  items: T[];
  /** The ids the page was read by (one per row read, shown or not). */
  cursors: { id: number }[];
}

async function postPage(db: Queryable, viewer: number, rows: { cursor: number; post: Post }[]): Promise<Page<PostView>> {
  return { items: await visiblePostViews(db, viewer, rows.map((row) => row.post)), cursors: rows.map((row) => ({ id: row.cursor })) };
}

export async function listFavourites(db: Queryable, viewer: number, page: IdPage): Promise<Page<PostView>> {
  return postPage(db, viewer, await listLikedPosts(db, viewer, page));
}

export async function listBookmarks(db: Queryable, viewer: number, page: IdPage): Promise<Page<PostView>> {
  return postPage(db, viewer, await listBookmarkedPosts(db, viewer, page));
}

async function accountPage(db: Queryable, rows: { cursor: number; accountId: number }[]): Promise<Page<AccountView>> {
  const ids = rows.map((row) => row.accountId);
  const [accounts, roles] = await Promise.all([findAccountsByIds(db, ids), findRolesByAccountIds(db, ids)]);
  const byId = new Map(accounts.map((a) => [a.id, a]));
  return {
    items: ids
      .map((id) => byId.get(id))
      .filter((a): a is Account => a !== undefined)
      .map((account) => ({ account, role: (roles.get(account.id) ?? null) as UserRole | null })),
    cursors: rows.map((row) => ({ id: row.cursor })),
  };
}

/** Who liked a post the viewer may see (404 otherwise), newest first. */
export async function listFavouritedBy(db: Queryable, viewer: ViewerId, id: number, page: IdPage): Promise<Page<AccountView>> {
  const { post } = await visibleTarget(db, viewer, id);
  return accountPage(db, await listLikers(db, post.id, viewer, page));
}

/** Who shared a post the viewer may see (404 otherwise), newest first. */
export async function listRebloggedBy(db: Queryable, viewer: ViewerId, id: number, page: IdPage): Promise<Page<AccountView>> {
  const { post } = await visibleTarget(db, viewer, id);
  return accountPage(db, await listRebloggers(db, post.id, viewer, page));
}
