// The one visibility policy for posts (DESIGN.md rule 3). Every read path that
// returns a post asks here: single reads through canSeePost, lists through
// filterVisiblePosts, and list queries narrow their SQL with
// listableVisibilities, which is derived from the same rules, so a list never
// offers what canSeePost would refuse.
//
// The rules, as Mastodon's and Instagram's users expect them:
// - an author sees all of their own posts, archived ones too;
// - nobody else sees a suspended author's posts, or an archived post;
// - a block, either way, hides everything;
// - public and unlisted: everyone, signed in or not;
// - private (followers-only): accepted followers, and accounts the post mentions;
// - direct: only the accounts the post mentions.
import type { Account } from '../../db/accounts.repo.ts';
import { findAudienceFacts, findAuthorRelation, findServerAudience, type AudienceFacts } from '../../db/audience.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import type { Post, PostVisibility } from '../../db/posts.repo.ts';

/** The viewer's account id; null for an anonymous request. */
export type ViewerId = number | null;

type PolicyPost = Pick<Post, 'id' | 'accountId' | 'visibility' | 'archivedAt'>;
type PolicyAuthor = Pick<Account, 'id' | 'suspendedAt'>;

const NO_FACTS: AudienceFacts = { following: new Set(), blocked: new Set(), mentioned: new Set() };

/** The rule itself: pure, given what is known about the viewer's ties to the author and the post. */
export function canSeePost(viewer: ViewerId, post: PolicyPost, author: PolicyAuthor, facts: AudienceFacts = NO_FACTS): boolean {
  if (viewer !== null && viewer === post.accountId) return true;
  if (author.suspendedAt !== null || post.archivedAt !== null) return false;
  if (viewer === null) return post.visibility === 'public' || post.visibility === 'unlisted';
  if (facts.blocked.has(post.accountId)) return false;
  switch (post.visibility) {
    case 'public':
    case 'unlisted':
      return true;
    case 'private':
      return facts.following.has(post.accountId) || facts.mentioned.has(post.id);
    case 'direct':
      return facts.mentioned.has(post.id);
    default:
      return false;
  }
}

/**
 * A remote server asking for a post with its instance actor's signature (as
 * Mastodon fetches): it may see what one of its accounts may see, so a
 * followers-only post is answered to a server that has a follower of the
 * author, a direct one to a server with an addressee; blocks are checked per
 * account when the post is delivered or shown there.
 */
export async function mayServerViewPost(db: Queryable, domain: string, post: PolicyPost, author: PolicyAuthor): Promise<boolean> {
  if (canSeePost(null, post, author)) return true;
  if (author.suspendedAt !== null || post.archivedAt !== null) return false;
  const ties = await findServerAudience(db, domain, post.accountId, post.id);
  if (post.visibility === 'private') return ties.follower || ties.mentioned;
  if (post.visibility === 'direct') return ties.mentioned;
  return false;
}

/** Loads the viewer's ties for one post and applies the rule. */
export async function mayViewPost(db: Queryable, viewer: ViewerId, post: PolicyPost, author: PolicyAuthor): Promise<boolean> {
  const facts = viewer === null || viewer === post.accountId ? NO_FACTS : await findAudienceFacts(db, viewer, [post.accountId], [post.id]);
  return canSeePost(viewer, post, author, facts);
}

/** The posts among `posts` the viewer may see, order kept; `authors` must hold every post's author. */
export async function filterVisiblePosts<P extends PolicyPost>(db: Queryable, viewer: ViewerId, posts: P[], authors: Map<number, PolicyAuthor>): Promise<P[]> {
  if (posts.length === 0) return [];
  const others = posts.filter((post) => post.accountId !== viewer);
  const facts =
    viewer === null || others.length === 0
      ? NO_FACTS
      : await findAudienceFacts(
          db,
          viewer,
          others.map((post) => post.accountId),
          others.map((post) => post.id),
        );
  return posts.filter((post) => {
    const author = authors.get(post.accountId);
    return author !== undefined && canSeePost(viewer, post, author, facts);
  });
}

export interface AuthorListing {
  /** Visibilities of the author's posts the viewer may be listed; direct posts come only through mentions. */
  visibilities: PostVisibility[];
  /** Direct (and private) posts mentioning the viewer are listed too. */
  includeMentions: boolean;
}

/**
 * Which of one author's posts a viewer may see listed (a profile): the SQL
 * side of canSeePost. Nothing at all when the author is suspended or a block
 * stands between them.
 */
export async function listableVisibilities(db: Queryable, viewer: ViewerId, author: PolicyAuthor): Promise<AuthorListing> {
  if (viewer !== null && viewer === author.id) return { visibilities: ['public', 'unlisted', 'private', 'direct'], includeMentions: false };
  if (author.suspendedAt !== null) return { visibilities: [], includeMentions: false };
  if (viewer === null) return { visibilities: ['public', 'unlisted'], includeMentions: false };
  const relation = await findAuthorRelation(db, viewer, author.id);
  if (relation.blocked) return { visibilities: [], includeMentions: false };
  return { visibilities: relation.following ? ['public', 'unlisted', 'private'] : ['public', 'unlisted'], includeMentions: true };
}
