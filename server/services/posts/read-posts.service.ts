// Reading posts for the client API: one post, a thread around it, an author's
// profile grid and the owner's archive. Everything is hydrated through
// visiblePostViews, which applies the visibility policy.
import { findAccountById } from '../../db/accounts.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { findPostById, findPostsByIds, findRepliesTo, listArchivedPosts, listAuthorPosts, type IdPage, type Post } from '../../db/posts.repo.ts';
import { notFound } from '../../errors.ts';
import { normalizeHashtag } from '../text/plain-to-html.ts';
import { listableVisibilities, type ViewerId } from '../visibility/post-visibility.ts';
import { visiblePostViews, type PostView } from './post-views.ts';

/** The post if the viewer may see it; otherwise 404, the same as a post that does not exist. */
export async function getPostView(db: Queryable, viewer: ViewerId, id: number): Promise<PostView> {
  const post = await findPostById(db, id);
  const [view] = post ? await visiblePostViews(db, viewer, [post]) : [];
  if (!view) throw notFound();
  return view;
}

// Mastodon's bounds for a thread.
const MAX_ANCESTORS = 40;
const MAX_DESCENDANTS = 4096;
const MAX_DEPTH = 64;

/**
 * Ancestors (oldest first) and descendants (in thread order: each reply
 * followed by its own replies) that the viewer may see. A reply the viewer
 * may not see hides the branch below it too.
 */
export async function getThread(db: Queryable, viewer: ViewerId, id: number): Promise<{ ancestors: PostView[]; descendants: PostView[] }> {
  const focus = await getPostView(db, viewer, id);

  const chain: Post[] = [];
  for (let parentId = focus.post.inReplyToId; parentId !== null && chain.length < MAX_ANCESTORS; ) {
    const parent = await findPostById(db, parentId);
    if (!parent) break;
    chain.unshift(parent);
    parentId = parent.inReplyToId;
  }
  const ancestors = await visiblePostViews(db, viewer, chain);

  const children = new Map<number, Post[]>();
  const viewsById = new Map<number, PostView>();
  let level = [focus.post.id];
  let total = 0;
  for (let depth = 0; level.length > 0 && depth < MAX_DEPTH && total < MAX_DESCENDANTS; depth++) {
    const replies = await findRepliesTo(db, level, MAX_DESCENDANTS - total);
    const views = await visiblePostViews(db, viewer, replies);
    const visibleIds = new Set(views.map((v) => v.post.id));
    for (const reply of replies) {
      if (!visibleIds.has(reply.id)) continue;
      const siblings = children.get(reply.inReplyToId!) ?? [];
      siblings.push(reply);
      children.set(reply.inReplyToId!, siblings);
    }
    total += views.length;
    level = views.map((v) => v.post.id);
    for (const view of views) viewsById.set(view.post.id, view);
  }
  const descendants: PostView[] = [];
  const walk = (parentId: number) => {
    for (const reply of children.get(parentId) ?? []) {
      descendants.push(viewsById.get(reply.id)!);
      walk(reply.id);
    }
  };
  walk(focus.post.id);
  return { ancestors, descendants };
}

export interface ProfileFilter {
  onlyMedia?: boolean;
  excludeReplies?: boolean;
  pinned?: boolean;
  tagged?: string;
}

/** An author's posts for their profile, newest first; archived ones are never listed here. */
export async function listProfilePosts(db: Queryable, viewer: ViewerId, accountId: number, filter: ProfileFilter, page: IdPage): Promise<PostView[]> {
  const author = await findAccountById(db, accountId);
  if (!author) throw notFound();
  const listing = await listableVisibilities(db, viewer, author);
  if (listing.visibilities.length === 0 && !listing.includeMentions) return [];
  const posts = await listAuthorPosts(
    db,
    accountId,
    {
      visibilities: listing.visibilities,
      mentionedAccountId: listing.includeMentions ? viewer : null,
      onlyMedia: filter.onlyMedia,
      excludeReplies: filter.excludeReplies,
      pinned: filter.pinned,
      tagged: filter.tagged ? normalizeHashtag(filter.tagged.replace(/^#/, '')) : undefined,
    },
    page,
  );
  return visiblePostViews(db, viewer, posts);
}

/** The owner's archived posts (Instagram's Archive), newest first. */
export async function listArchive(db: Queryable, ownerId: number, page: IdPage): Promise<PostView[]> {
  return visiblePostViews(db, ownerId, await listArchivedPosts(db, ownerId, page));
}

/** Several posts by id (for a page of ids from elsewhere), visible ones only, order kept. */
export async function getPostViews(db: Queryable, viewer: ViewerId, ids: number[]): Promise<PostView[]> {
  const byId = new Map((await findPostsByIds(db, ids)).map((post) => [post.id, post]));
  return visiblePostViews(db, viewer, ids.map((id) => byId.get(id)).filter((p): p is Post => p !== undefined));
}
