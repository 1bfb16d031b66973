// The actor collections: followers and following (pages of actor ids; only
// the totals when the owner hides the lists), the outbox (public posts as
// Create activities) and featured (pinned posts). Pages are by cursor, newest
// first; every post listed has passed the visibility policy for the asker.
import { Create, type Note } from '@fedify/vocab';
import type { FederationBuilder } from '@fedify/fedify';
import type { Recipient } from '@fedify/vocab';
import { findAccountByUsername, type Account } from '../../server/db/accounts.repo.ts';
import { pageFollowAccounts, type ActorRef } from '../../server/db/federation.repo.ts';
import { listProfilePosts } from '../../server/services/posts/read-posts.service.ts';
import type { FedContext, FedRequestContext, FederationData } from '../context.ts';
import { noteFromView } from '../post-notes.ts';
import { localUrls, PATHS } from '../urls.ts';
import { fetchAllowed, signedViewer } from '../viewer.ts';

const PAGE = 40;
const POSTS_PAGE = 20;

async function owner(ctx: FedRequestContext | { data: FederationData }, identifier: string): Promise<Account | null> {
  const account = await findAccountByUsername(ctx.data.db, identifier, null);
  return account && account.username === identifier && account.suspendedAt === null ? account : null;
}

function cursorNumber(cursor: string): number | null {
  const n = Number(cursor);
  return cursor !== '' && Number.isSafeInteger(n) && n > 0 ? n : null;
}

function actorId(publicUrl: string, ref: ActorRef): URL | null {
  if (ref.domain === null) return localUrls(publicUrl).actor(ref.username);
  return ref.uri ? new URL(ref.uri) : null;
}

function registerFollowCollection(builder: FederationBuilder<FederationData>, side: 'followers' | 'following'): void {
  const dispatcher = async (ctx: FedContext, identifier: string, cursor: string | null) => {
    const account = await owner(ctx, identifier);
    if (!account) return null;
    // Hidden lists: the collection exists with its total, its pages are empty.
    if (account.hideCollections || cursor === null) return { items: [] as Recipient[] };
    const page = await pageFollowAccounts(ctx.data.db, account.id, side, cursorNumber(cursor), PAGE);
    const items = page.items
      .map((ref) => actorId(ctx.data.config.publicUrl, ref))
      .filter((id): id is URL => id !== null)
      .map((id): Recipient => ({ id, inboxId: null }));
    return { items, nextCursor: page.nextBefore === null ? null : String(page.nextBefore) };
  };
  const counter = async (ctx: { data: FederationData }, identifier: string) => {
    const account = await owner(ctx, identifier);
    if (!account) return null;
    return side === 'followers' ? account.followersCount : account.followingCount;
  };
  const setters =
    side === 'followers' ? builder.setFollowersDispatcher(PATHS.followers, dispatcher) : builder.setFollowingDispatcher(PATHS.following, (ctx, id, cursor) => dispatcher(ctx, id, cursor).then((r) => r && { ...r, items: r.items.map((item) => item.id!) }));
  setters.setCounter(counter).setFirstCursor(() => '').authorize((ctx) => fetchAllowed(ctx));
}

async function postsPage(ctx: FedRequestContext, identifier: string, cursor: string | null, pinned: boolean): Promise<{ notes: Note[]; nextCursor: string | null } | null> {
  const account = await owner(ctx, identifier);
  if (!account) return null;
  if (cursor === null) return { notes: [], nextCursor: null };
  const viewer = await signedViewer(ctx);
  const views = await listProfilePosts(ctx.data.db, viewer, account.id, { pinned }, { limit: POSTS_PAGE, maxId: cursorNumber(cursor) ?? undefined });
  // Only what everyone may see goes in these collections, even for a follower's server.
  const listed = views.filter((v) => v.post.reblogOfId === null && (v.post.visibility === 'public' || v.post.visibility === 'unlisted'));
  const notes = await Promise.all(listed.map((view) => noteFromView(ctx.data.db, ctx.data.config.publicUrl, view)));
  const last = views.at(-1);
  return { notes, nextCursor: views.length === POSTS_PAGE && last ? String(last.post.id) : null };
}

export function registerCollections(builder: FederationBuilder<FederationData>): void {
  registerFollowCollection(builder, 'followers');
  registerFollowCollection(builder, 'following');

  builder
    .setOutboxDispatcher(PATHS.outbox, async (ctx, identifier, cursor) => {
      const page = await postsPage(ctx, identifier, cursor, false);
      if (!page) return null;
      const items = page.notes.map((note) => new Create({ id: new URL(`${note.id!.href}/activity`), actor: note.attributionId, object: note, published: note.published, tos: note.toIds, ccs: note.ccIds }));
      return { items, nextCursor: page.nextCursor };
    })
    .setCounter(async (ctx, identifier) => (await owner(ctx, identifier))?.postsCount ?? null)
    .setFirstCursor(() => '')
    .authorize((ctx) => fetchAllowed(ctx));

  builder
    .setFeaturedDispatcher(PATHS.featured, async (ctx, identifier, cursor) => {
      // Pinned posts are few (at most five): one page.
      const page = await postsPage(ctx, identifier, cursor === null ? '' : cursor, true);
      return page && { items: page.notes };
    })
    .authorize((ctx) => fetchAllowed(ctx));
}
