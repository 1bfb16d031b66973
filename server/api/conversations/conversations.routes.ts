// Mastodon's conversations (direct posts grouped into threads): the list,
// marking one read, and removing one from the list. Handlers parse, call one
// service function and serialize.
import { Router } from '@koa/router';
import type Koa from 'koa';
import { notFound } from '../../errors.ts';
import { authenticate, requireScopes, signedIn } from '../../http/auth.ts';
import { apiCors } from '../../http/cors.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { pageParams, setLinkHeader } from '../../http/pagination.ts';
import { apiRateLimit } from '../../http/rate-limit.ts';
import { hideConversation, listConversations, markConversationRead } from '../../services/conversations/conversations.service.ts';
import { parseId } from '../accounts/params.ts';
import { serializeConversation } from '../entities/conversation.ts';

export function createConversationsRouter(deps: ApiDeps): Router {
  const { config, db } = deps;
  const router = new Router();
  router.use(apiCors(), authenticate(deps), apiRateLimit(deps));
  // Anything but one of our ids cannot name a conversation: the same 404 as one that does not exist.
  const idOf = (ctx: Koa.Context) => {
    const id = parseId(ctx.params.id ?? '');
    if (id === null) throw notFound();
    return id;
  };

  router.get('/api/v1/conversations', requireScopes('read:statuses'), async (ctx) => {
    const page = pageParams(ctx.query);
    const { conversations, cursor } = await listConversations(db, signedIn(ctx).account.id, page);
    setLinkHeader(ctx, cursor, page, { publicUrl: config.publicUrl });
    ctx.body = conversations.map((view) => serializeConversation(config, view));
  });

  router.post('/api/v1/conversations/:id/read', requireScopes('write:conversations'), async (ctx) => {
    ctx.body = serializeConversation(config, await markConversationRead(db, signedIn(ctx).account.id, idOf(ctx)));
  });

  router.delete('/api/v1/conversations/:id', requireScopes('write:conversations'), async (ctx) => {
    await hideConversation(db, signedIn(ctx).account.id, idOf(ctx));
    ctx.body = {};
  });

  return router;
}
