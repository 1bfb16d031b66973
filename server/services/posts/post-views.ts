// Posts → everything a Status needs, for a whole page at once: authors (the
// visibility policy runs here, so no path can hydrate a post it skipped),
// attachments, mentions, hashtags, the posting app and the viewer's own state.
// Shares (reblog rows) bring their original, which must pass the policy too:
// a share of a post the viewer may not see is not shown at all.
// A fixed number of queries whatever the page size, shares included.
import { findAccountsByIds, findRolesByAccountIds, type Account } from '../../db/accounts.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { findMediaByPostIds, type Media } from '../../db/media.repo.ts';
import { findAppNamesByIds } from '../../db/oauth.repo.ts';
import { findHashtagsByPostIds, findMentionsByPostIds, type Hashtag } from '../../db/post-tags.repo.ts';
import { findPostsByIds, type Post } from '../../db/posts.repo.ts';
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
  /** The viewer's own state; all false for anonymous viewers (signedIn false). */
  viewer: { signedIn: boolean; liked: boolean; bookmarked: boolean; reblogged: boolean; isAuthor: boolean };
  /** For a share: the original post, hydrated for the same viewer; null otherwise. */
  reblog: PostView | null;
}

/** The posts the viewer may see, in the order given, hydrated. Invisible ones are dropped, and so are shares of invisible posts. */
export async function visiblePostViews(db: Queryable, viewer: ViewerId, posts: Post[]): Promise<PostView[]> {
  if (posts.length === 0) return [];
  const originalIds = [...new Set(posts.map((p) => p.reblogOfId).filter((id): id is number => id !== null))];
  // A share of a share is never written (sharing resolves to the original), so originals are not followed further.
  const originals = new Map((await findPostsByIds(db, originalIds)).filter((p) => p.reblogOfId === null).map((p) => [p.id, p]));
  const candidates = [...new Map([...posts, ...originals.values()].map((p) => [p.id, p])).values()];
  const authors = new Map((await findAccountsByIds(db, [...new Set(candidates.map((p) => p.accountId))])).map((a) => [a.id, a]));
  const visibleIds = new Set((await filterVisiblePosts(db, viewer, candidates, authors)).map((p) => p.id));
  const shown = posts.filter((p) => visibleIds.has(p.id) && (p.reblogOfId === null || (originals.has(p.reblogOfId) && visibleIds.has(p.reblogOfId))));
  const hydrated = new Map<number, PostView>();
  const needed = new Map(shown.map((p) => [p.id, p]));
  for (const p of shown) if (p.reblogOfId !== null) needed.set(p.reblogOfId, originals.get(p.reblogOfId)!);
  for (const view of await hydrate(db, viewer, [...needed.values()], authors)) hydrated.set(view.post.id, view);
  return shown.map((p) => {
    const view = hydrated.get(p.id)!;
    return p.reblogOfId === null ? view : { ...view, reblog: hydrated.get(p.reblogOfId)! };
  });
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
      signedIn: viewer !== null,
      liked: state?.liked.has(post.id) ?? false,
      bookmarked: state?.bookmarked.has(post.id) ?? false,
      reblogged: state?.reblogged.has(post.id) ?? false,
      isAuthor: viewer === post.accountId,
    },
    reblog: null,
  }));
}
