// Mastodon's status endpoints: post, read, edit, delete, thread, history,
// source, pin; an account's statuses; and ours under /api/viewfinder/v1 for
// the archive. Handlers parse, call one service function and serialize.
import { Router } from '@koa/router';
import type Koa from 'koa';
import { badRequest, notFound } from '../../errors.ts';
import { authenticate, requireScopes, signedIn, viewerOf } from '../../http/auth.ts';
import { apiCors } from '../../http/cors.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { idempotency } from '../../http/idempotency.ts';
import { pageParams, setLinkHeader } from '../../http/pagination.ts';
import { apiRateLimit } from '../../http/rate-limit.ts';
import { createPost } from '../../services/posts/create-post.service.ts';
import { deletePost } from '../../services/posts/delete-post.service.ts';
import { editPost } from '../../services/posts/edit-post.service.ts';
import { setArchived, setPinned } from '../../services/posts/post-flags.service.ts';
import { getPostHistory } from '../../services/posts/post-history.service.ts';
import type { PostView } from '../../services/posts/post-views.ts';
import { getPostView, getPostViews, getThread, listArchive, listProfilePosts } from '../../services/posts/read-posts.service.ts';
import { booleanParam, idListParam, parseId, stringParam } from '../accounts/params.ts';
import { serializeStatus, serializeStatusEdits } from '../entities/status.ts';
import { readBody, readNewPost, readPostEdit } from './status-params.ts';
import { resolveUnknownMentions } from '../../../federation/mention-resolver.ts';

export function createStatusesRouter(deps: ApiDeps): Router {
  const { config, db } = deps;
  const router = new Router();
  router.use(apiCors(), authenticate(deps), apiRateLimit(deps));
  const present = (view: PostView) => serializeStatus(config, view);
  const idOf = (ctx: Koa.Context) => {
    const id = parseId(ctx.params.id ?? '');
    if (id === null) throw badRequest('Not a status id');
    return id;
  };
  /** Re-reads a post the signed-in user just changed, as they see it. */
  const reread = async (ctx: Koa.Context, id: number) => present(await getPostView(db, signedIn(ctx).account.id, id));

  router.post('/api/v1/statuses', requireScopes('write:statuses'), idempotency(deps), async (ctx) => {
    const { user, account, appId } = signedIn(ctx);
    const input = readNewPost(await readBody(ctx));
    await resolveUnknownMentions(deps.federation, { db, config }, input.text);
    const post = await createPost(db, config, { account, user, appId }, input);
    ctx.body = await reread(ctx, post.id);
  });

  // Mastodon 4.3: several statuses at once.
  router.get('/api/v1/statuses', async (ctx) => {
    const ids = idListParam(ctx.query, 'id').slice(0, 40);
    ctx.body = (await getPostViews(db, viewerOf(ctx), ids)).map(present);
  });

  router.get('/api/v1/statuses/:id', async (ctx) => {
    ctx.body = present(await getPostView(db, viewerOf(ctx), idOf(ctx)));
  });

  router.put('/api/v1/statuses/:id', requireScopes('write:statuses'), async (ctx) => {
    const id = idOf(ctx);
    const input = readPostEdit(await readBody(ctx));
    await resolveUnknownMentions(deps.federation, { db, config }, input.text);
    await editPost(db, config, signedIn(ctx).account.id, id, input);
    ctx.body = await reread(ctx, id);
  });

  router.delete('/api/v1/statuses/:id', requireScopes('write:statuses'), async (ctx) => {
    const view = await deletePost(db, signedIn(ctx).account.id, idOf(ctx));
    ctx.body = serializeStatus(config, view, { withSource: true });
  });

  router.get('/api/v1/statuses/:id/context', async (ctx) => {
    const thread = await getThread(db, viewerOf(ctx), idOf(ctx));
    ctx.body = { ancestors: thread.ancestors.map(present), descendants: thread.descendants.map(present) };
  });

  router.get('/api/v1/statuses/:id/history', async (ctx) => {
    const { view, versions } = await getPostHistory(db, viewerOf(ctx), idOf(ctx));
    ctx.body = serializeStatusEdits(config, view, versions);
  });

  router.get('/api/v1/statuses/:id/source', requireScopes('read:statuses'), async (ctx) => {
    const view = await getPostView(db, signedIn(ctx).account.id, idOf(ctx));
    if (!view.viewer.isAuthor) throw notFound();
    const { post } = view;
    ctx.body = { id: String(post.id), text: post.caption, spoiler_text: post.spoilerText, location: view.post.locationName === null ? null : { name: post.locationName, lat: post.latitude, lon: post.longitude } };
  });

  for (const [verb, pinned] of [['pin', true], ['unpin', false]] as const) {
    router.post(`/api/v1/statuses/:id/${verb}`, requireScopes('write:accounts'), async (ctx) => {
      const post = await setPinned(db, signedIn(ctx).account.id, idOf(ctx), pinned);
      ctx.body = await reread(ctx, post.id);
    });
  }

  for (const [verb, archived] of [['archive', true], ['unarchive', false]] as const) {
    router.post(`/api/viewfinder/v1/statuses/:id/${verb}`, requireScopes('write:statuses'), async (ctx) => {
      const post = await setArchived(db, signedIn(ctx).account.id, idOf(ctx), archived);
      ctx.body = await reread(ctx, post.id);
    });
  }

  router.get('/api/viewfinder/v1/archive', requireScopes('read:statuses'), async (ctx) => {
    const page = pageParams(ctx.query);
    const views = await listArchive(db, signedIn(ctx).account.id, page);
    setLinkHeader(ctx, views.map((v) => v.post), page, { publicUrl: config.publicUrl });
    ctx.body = views.map(present);
  });

  router.get('/api/v1/accounts/:id/statuses', async (ctx, next) => {
    const accountId = parseId(ctx.params.id);
    if (accountId === null) return next();
    const page = pageParams(ctx.query);
    const views = await listProfilePosts(
      db,
      viewerOf(ctx),
      accountId,
      {
        onlyMedia: booleanParam(ctx.query.only_media),
        excludeReplies: booleanParam(ctx.query.exclude_replies),
        pinned: booleanParam(ctx.query.pinned),
        tagged: stringParam(ctx.query.tagged) || undefined,
      },
      page,
    );
    setLinkHeader(ctx, views.map((v) => v.post), page, { publicUrl: config.publicUrl });
    ctx.body = views.map(present);
  });

  return router;
}
