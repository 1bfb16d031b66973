// GET of a post's id: the Note as JSON-LD for servers that may see it, and
// (through content negotiation, in the web routes) HTML for browsers. A
// followers-only post is answered only to a signed request from a follower;
// to anyone else it does not exist.
import { Note } from '@fedify/vocab';
import type { FederationBuilder } from '@fedify/fedify';
import { AppError } from '../server/errors.ts';
import { getPostView } from '../server/services/posts/read-posts.service.ts';
import type { FederationData } from './context.ts';
import { servedNote } from './post-notes.ts';
import { PATHS } from './urls.ts';
import { signedViewer } from './viewer.ts';

export function registerPostObjects(builder: FederationBuilder<FederationData>): void {
  builder.setObjectDispatcher(Note, PATHS.post, async (ctx, values) => {
    const { db, config } = ctx.data;
    const id = Number(values.id);
    if (!Number.isSafeInteger(id)) return null;
    try {
      const view = await getPostView(db, await signedViewer(ctx), id);
      const author = view.author.account;
      if (author.domain !== null || author.username !== values.identifier || view.post.reblogOfId !== null) return null;
      return await servedNote(db, config.publicUrl, view, ctx.contextLoader);
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return null;
      throw error;
    }
  });
}
