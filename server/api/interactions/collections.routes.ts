// Saved collections under /api/viewfinder/v1 (documented in the README):
// create, list, read, edit and delete collections; add, remove and list their
// posts. Reading a public collection needs no token; everything else is the
// owner's, with the bookmark scopes (collections are saved posts).
import type { Router } from '@koa/router';
import type Koa from 'koa';
import { requireScopes, signedIn, viewerOf } from '../../http/auth.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { pageParams, setLinkHeader } from '../../http/pagination.ts';
import { addToCollection, listCollectionPosts, removeFromCollection } from '../../services/interactions/collection-items.service.ts';
import {
  createCollection,
  editCollection,
  getCollection,
  listAccountCollections,
  listOwnCollections,
  removeCollection,
  type CollectionInput,
} from '../../services/interactions/collections.service.ts';
import { stringParam } from '../accounts/params.ts';
import { serializeCollection } from '../entities/collection.ts';
import { serializeStatus } from '../entities/status.ts';
import { readBody } from '../statuses/status-params.ts';
import { answerPage, pathId } from './route-helpers.ts';

const BASE = '/api/viewfinder/v1/collections';

async function readInput(ctx: Koa.Context): Promise<CollectionInput> {
  const body = await readBody(ctx);
  return { name: stringParam(body.name), description: stringParam(body.description), visibility: stringParam(body.visibility) };
}

export function registerCollectionRoutes(router: Router, deps: ApiDeps): void {
  const { config, db } = deps;
  const read = requireScopes('read:bookmarks');
  const write = requireScopes('write:bookmarks');
  const collectionId = (ctx: Koa.Context) => pathId(ctx, 'id', 'collection');

  router.post(BASE, write, async (ctx) => {
    ctx.body = serializeCollection(await createCollection(db, signedIn(ctx).account.id, await readInput(ctx)));
  });

  router.get(BASE, read, async (ctx) => {
    const params = pageParams(ctx.query, { defaultLimit: 40, maxLimit: 80 });
    const views = await listOwnCollections(db, signedIn(ctx).account.id, params);
    setLinkHeader(ctx, views.map((view) => view.collection), params, { publicUrl: config.publicUrl });
    ctx.body = views.map(serializeCollection);
  });

  router.get('/api/viewfinder/v1/accounts/:id/collections', async (ctx) => {
    const params = pageParams(ctx.query, { defaultLimit: 40, maxLimit: 80 });
    const views = await listAccountCollections(db, viewerOf(ctx), pathId(ctx, 'id', 'account'), params);
    setLinkHeader(ctx, views.map((view) => view.collection), params, { publicUrl: config.publicUrl });
    ctx.body = views.map(serializeCollection);
  });

  router.get(`${BASE}/:id`, async (ctx) => {
    ctx.body = serializeCollection(await getCollection(db, viewerOf(ctx), collectionId(ctx)));
  });

  const edit: Koa.Middleware = async (ctx) => {
    ctx.body = serializeCollection(await editCollection(db, signedIn(ctx).account.id, collectionId(ctx), await readInput(ctx)));
  };
  router.patch(`${BASE}/:id`, write, edit);
  router.put(`${BASE}/:id`, write, edit);

  router.delete(`${BASE}/:id`, write, async (ctx) => {
    await removeCollection(db, signedIn(ctx).account.id, collectionId(ctx));
    ctx.body = {};
  });

  router.get(`${BASE}/:id/statuses`, async (ctx) => {
    const params = pageParams(ctx.query, { defaultLimit: 20, maxLimit: 40 });
    const page = await listCollectionPosts(db, viewerOf(ctx), collectionId(ctx), params);
    answerPage(ctx, deps, page, params, (view) => serializeStatus(config, view));
  });

  router.post(`${BASE}/:id/statuses/:status_id`, write, async (ctx) => {
    ctx.body = serializeCollection(await addToCollection(db, signedIn(ctx).account.id, collectionId(ctx), pathId(ctx, 'status_id')));
  });

  router.delete(`${BASE}/:id/statuses/:status_id`, write, async (ctx) => {
    ctx.body = serializeCollection(await removeFromCollection(db, signedIn(ctx).account.id, collectionId(ctx), pathId(ctx, 'status_id')));
  });
}
