// A member's conversations for the client API: the list (paged by each
// conversation's newest post that reached the member), marking one read and
// hiding one. Every last status is hydrated through visiblePostViews, so the
// list shows nothing the visibility policy would refuse.
import { findAccountsByIds, findRolesByAccountIds } from '../../db/accounts.repo.ts';
import {
  findNewestPostsReaching,
  findOtherMembers,
  findShownMembership,
  hideMembership,
  listMemberships,
  markMembershipRead,
  type Membership,
  type MembershipPage,
} from '../../db/conversations.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { findPostsByIds } from '../../db/posts.repo.ts';
import { notFound } from '../../errors.ts';
import { visiblePostViews, type AccountView, type PostView } from '../posts/post-views.ts';

export interface ConversationView {
  id: number;
  unread: boolean;
  /** The other participants; the member alone when nobody else is in it (a note to self). */
  accounts: AccountView[];
  lastStatus: PostView;
}

export interface ConversationPage {
  conversations: ConversationView[];
  /** The rows the page was cut from, for the Link header: `lastPostId` is what pages. */
  cursor: { id: number }[];
}

export async function listConversations(db: Queryable, viewerId: number, page: MembershipPage): Promise<ConversationPage> {
  const memberships = await listMemberships(db, viewerId, page);
  return { conversations: await hydrate(db, viewerId, memberships), cursor: memberships.map((m) => ({ id: m.lastPostId! })) };
}

export async function markConversationRead(db: Queryable, viewerId: number, conversationId: number): Promise<ConversationView> {
  if (!(await markMembershipRead(db, conversationId, viewerId))) throw notFound();
  return getConversation(db, viewerId, conversationId);
}

/** Mastodon's DELETE: gone from this member's list until a new post reaches them. */
export async function hideConversation(db: Queryable, viewerId: number, conversationId: number): Promise<void> {
  if (!(await hideMembership(db, conversationId, viewerId))) throw notFound();
}

async function getConversation(db: Queryable, viewerId: number, conversationId: number): Promise<ConversationView> {
  const membership = await findShownMembership(db, conversationId, viewerId);
  const [view] = membership ? await hydrate(db, viewerId, [membership]) : [];
  if (!view) throw notFound();
  return view;
}

/**
 * Memberships → views in a fixed number of queries. A member whose last post
 * is gone (deleted) or no longer visible to them falls back to the newest one
 * that still reaches them; a conversation with none left is not shown.
 */
async function hydrate(db: Queryable, viewerId: number, memberships: Membership[]): Promise<ConversationView[]> {
  if (memberships.length === 0) return [];
  const conversationIds = memberships.map((m) => m.conversationId);
  const others = await findOtherMembers(db, conversationIds, viewerId);
  const lastPosts = await postViewsByConversation(db, viewerId, new Map(memberships.map((m) => [m.conversationId, m.lastPostId!])));
  const missing = conversationIds.filter((id) => !lastPosts.has(id));
  if (missing.length > 0) {
    for (const [id, view] of await postViewsByConversation(db, viewerId, await findNewestPostsReaching(db, missing, viewerId))) lastPosts.set(id, view);
  }

  const accountIds = [...new Set([viewerId, ...[...others.values()].flat()])];
  const [accounts, roles] = await Promise.all([findAccountsByIds(db, accountIds), findRolesByAccountIds(db, accountIds)]);
  const views = new Map(accounts.map((account) => [account.id, { account, role: roles.get(account.id) ?? null } satisfies AccountView]));
  const accountsOf = (conversationId: number): AccountView[] => {
    const list = (others.get(conversationId) ?? []).map((id) => views.get(id)).filter((v): v is AccountView => v !== undefined);
    const self = views.get(viewerId);
    return list.length > 0 || !self ? list : [self];
  };

  return memberships.flatMap((m) => {
    const lastStatus = lastPosts.get(m.conversationId);
    return lastStatus ? [{ id: m.conversationId, unread: m.unread, accounts: accountsOf(m.conversationId), lastStatus }] : [];
  });
}

/** Post ids by conversation → the viewer's hydrated views of those they may see. */
async function postViewsByConversation(db: Queryable, viewerId: number, postIds: Map<number, number>): Promise<Map<number, PostView>> {
  const posts = await findPostsByIds(db, [...new Set(postIds.values())]);
  const byId = new Map((await visiblePostViews(db, viewerId, posts)).map((view) => [view.post.id, view]));
  const result = new Map<number, PostView>();
  for (const [conversationId, postId] of postIds) {
    const view = byId.get(postId);
    if (view) result.set(conversationId, view);
  }
  return result;
}
