// GET of a post's id: the Note as JSON-LD for servers that may see it, and
// (through content negotiation, in the web routes) HTML for browsers. A
// followers-only post is answered only to a signed request from a follower,
// or from a server one of its followers is on (Mastodon signs such fetches
// with its instance actor); to anyone else it does not exist.
import { Note } from '@fedify/vocab';
import type { FederationBuilder } from '@fedify/fedify';
import { findAccountById } from '../server/db/accounts.repo.ts';
import type { Db } from '../server/db/knex.ts';
import { findPostById } from '../server/db/posts.repo.ts';
import { AppError } from '../server/errors.ts';
import type { PostView } from '../server/services/posts/post-views.ts';
import { getPostView } from '../server/services/posts/read-posts.service.ts';
import { mayServerViewPost } from '../server/services/visibility/post-visibility.ts';
import type { FederationData } from './context.ts';
import { servedNote } from './post-notes.ts';
import { PATHS } from './urls.ts';
import { fetchAllowed, signer } from './viewer.ts';

async function viewFor(db: Db, asker: { accountId: number | null; domain: string | null }, id: number): Promise<PostView | null> {
  try {
    return await getPostView(db, asker.accountId, id);
  } catch (error) {
    if (!(error instanceof AppError && error.status === 404)) throw error;
  }
  if (asker.domain === null) return null;
  const post = await findPostById(db, id);
  const author = post && (await findAccountById(db, post.accountId));
  if (!post || !author || post.deletedAt !== null || !(await mayServerViewPost(db, asker.domain, post, author))) return null;
  // The server may see it: hydrated as its author sees it (no viewer state goes into a Note).
  return getPostView(db, post.accountId, id);
}

export function registerPostObjects(builder: FederationBuilder<FederationData>): void {
  builder
    .setObjectDispatcher(Note, PATHS.post, async (ctx, values) => {
      const { db, config } = ctx.data;
      const id = Number(values.id);
      if (!Number.isSafeInteger(id)) return null;
      const view = await viewFor(db, await signer(ctx), id);
      if (!view) return null;
      const author = view.author.account;
      if (author.domain !== null || author.username !== values.identifier || view.post.reblogOfId !== null) return null;
      return servedNote(db, config.publicUrl, view, ctx.contextLoader);
    })
    .authorize((ctx) => fetchAllowed(ctx));
}
