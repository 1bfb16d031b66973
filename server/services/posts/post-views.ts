// Posts → everything a Status needs, for a whole page at once: authors (the
// visibility policy runs here, so no path can hydrate a post it skipped),
// attachments, mentions, hashtags, the posting app and the viewer's own state.
// A fixed number of queries whatever the page size.
import { findAccountsByIds, findRolesByAccountIds, type Account } from '../../db/accounts.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { findMediaByPostIds, type Media } from '../../db/media.repo.ts';
import { findAppNamesByIds } from '../../db/oauth.repo.ts';
import { findHashtagsByPostIds, findMentionsByPostIds, type Hashtag } from '../../db/post-tags.repo.ts';
import type { Post } from '../../db/posts.repo.ts';
import type { UserRole } from '../../db/users.repo.ts';
import { findViewerPostState } from '../../db/viewer-post-state.repo.ts';
import { filterVisiblePosts, type ViewerId } from '../visibility/post-visibility.ts';

export interface AccountView {
  account: Account;
  role: UserRole | null;
}

export interface PostView {
  post: Post;
  author: AccountView;
  media: Media[];
  mentions: AccountView[];
  hashtags: Hashtag[];
  application: { name: string; website: string | null } | null;
  /** The viewer's own state; all false for anonymous viewers. */
  viewer: { liked: boolean; bookmarked: boolean; reblogged: boolean; isAuthor: boolean };
}

/** The posts the viewer may see, in the order given, hydrated. Invisible ones are dropped. */
export async function visiblePostViews(db: Queryable, viewer: ViewerId, posts: Post[]): Promise<PostView[]> {
  if (posts.length === 0) return [];
  const authors = new Map((await findAccountsByIds(db, [...new Set(posts.map((p) => p.accountId))])).map((a) => [a.id, a]));
  const visible = await filterVisiblePosts(db, viewer, posts, authors);
  return hydrate(db, viewer, visible, authors);
}

async function hydrate(db: Queryable, viewer: ViewerId, posts: Post[], authors: Map<number, Account>): Promise<PostView[]> {
  if (posts.length === 0) return [];
  const ids = posts.map((post) => post.id);
  const appIds = [...new Set(posts.map((post) => post.applicationId).filter((id): id is number => id !== null))];
  const [media, mentions, hashtags, apps, state] = await Promise.all([
    findMediaByPostIds(db, ids),
    findMentionsByPostIds(db, ids),
    findHashtagsByPostIds(db, ids),
    findAppNamesByIds(db, appIds),
    viewer === null ? null : findViewerPostState(db, viewer, ids),
  ]);
  const mentionIds = [...new Set([...mentions.values()].flat())].filter((id) => !authors.has(id));
  const mentioned = await findAccountsByIds(db, mentionIds);
  const accounts = new Map([...authors, ...mentioned.map((a) => [a.id, a] as const)]);
  const roles = await findRolesByAccountIds(db, [...accounts.keys()]);
  const view = (account: Account): AccountView => ({ account, role: roles.get(account.id) ?? null });

  return posts.map((post) => ({
    post,
    author: view(accounts.get(post.accountId)!),
    media: media.get(post.id) ?? [],
    mentions: (mentions.get(post.id) ?? []).map((id) => accounts.get(id)).filter((a): a is Account => a !== undefined).map(view),
    hashtags: hashtags.get(post.id) ?? [],
    // Mastodon shows the app only on the author's own posts.
    application: post.applicationId !== null && viewer === post.accountId ? (apps.get(post.applicationId) ?? null) : null,
    viewer: {
      liked: state?.liked.has(post.id) ?? false,
      bookmarked: state?.bookmarked.has(post.id) ?? false,
      reblogged: state?.reblogged.has(post.id) ?? false,
      isAuthor: viewer === post.accountId,
    },
  }));
}
