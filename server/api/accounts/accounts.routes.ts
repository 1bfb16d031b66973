// Mastodon's account endpoints: the signed-in user's own account
// (verify_credentials, update_credentials, avatar/header removal), other
// accounts (by id, lookup, search) and relationships. Scopes as Mastodon
// declares them per endpoint; lookup and accounts/:id are public.
import { Router } from '@koa/router';
import { createLocalDiskStorage } from '../../../media/storage/local-disk.ts';
import type { MediaStorage } from '../../../media/storage/storage.ts';
import { badRequest } from '../../errors.ts';
import { authenticate, requireScopes, signedIn, viewerOf } from '../../http/auth.ts';
import { apiCors } from '../../http/cors.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { apiRateLimit } from '../../http/rate-limit.ts';
import { getCredentialExtras, getRelationships, lookupProfile, openProfile, searchProfiles } from '../../services/accounts/profile-read.service.ts';
import { updateProfile } from '../../services/accounts/profile.service.ts';
import { postingDefaultsOf } from '../../services/accounts/profile-preferences.ts';
import { serializePreferences } from '../entities/preferences.ts';
import { serializeRelationship } from '../entities/relationship.ts';
import { idListParam, integerParam, parseId, stringParam } from './params.ts';
import { presentAccount, presentCredentialAccount } from './present.ts';
import { registerThroughApi } from './register.ts';
import { readProfileUpdate } from './update-credentials.ts';
import { lookupContext, resolveHandle } from '../../../federation/lookup.ts';

export function createAccountsRouter(deps: ApiDeps, storage: MediaStorage = createLocalDiskStorage(deps.config.mediaDir)): Router {
  const { config, db } = deps;
  const router = new Router();
  router.use(apiCors(), authenticate(deps), apiRateLimit(deps));

  router.get('/api/v1/accounts/verify_credentials', requireScopes(['read:accounts', 'profile']), async (ctx) => {
    // authenticate() read the account row for this request: no second lookup.
    const { user, account } = signedIn(ctx);
    ctx.body = presentCredentialAccount(config, account, user, await getCredentialExtras(db, user, account.id));
  });

  router.patch('/api/v1/accounts/update_credentials', requireScopes('write:accounts'), async (ctx) => {
    const { user, account } = signedIn(ctx);
    const input = await readProfileUpdate(ctx, config);
    const updated = await updateProfile(db, config, storage, { user, account }, input);
    ctx.body = presentCredentialAccount(config, updated.account, updated.user, await getCredentialExtras(db, updated.user, updated.account.id));
  });

  // Mastodon 4.2: removing the avatar or header, answered with the CredentialAccount.
  for (const kind of ['avatar', 'header'] as const) {
    router.delete(`/api/v1/profile/${kind}`, requireScopes('write:accounts'), async (ctx) => {
      const { user, account } = signedIn(ctx);
      const updated = await updateProfile(db, config, storage, { user, account }, { [kind]: null });
      ctx.body = presentCredentialAccount(config, updated.account, updated.user, await getCredentialExtras(db, updated.user, updated.account.id));
    });
  }

  router.get('/api/v1/preferences', requireScopes('read:accounts'), async (ctx) => {
    ctx.body = serializePreferences(postingDefaultsOf(signedIn(ctx).user));
  });

  router.get('/api/v1/accounts/lookup', async (ctx) => {
    const acct = stringParam(ctx.query.acct);
    if (!acct) throw badRequest('Missing parameter: acct');
    ctx.body = presentAccount(config, await lookupProfile(db, config, acct, deps.federation && ((handle) => resolveHandle(lookupContext(deps.federation!, { db, config }), handle))));
  });

  router.get('/api/v1/accounts/relationships', requireScopes('read:follows'), async (ctx) => {
    const ids = idListParam(ctx.query, 'id').slice(0, 100);
    const relationships = await getRelationships(db, signedIn(ctx).account.id, ids);
    ctx.body = relationships.map(({ id, flags }) => serializeRelationship(id, flags));
  });

  router.get('/api/v1/accounts/search', requireScopes('read:accounts'), async (ctx) => {
    const q = stringParam(ctx.query.q) ?? '';
    const limit = integerParam(ctx.query.limit, { min: 1, max: 80, fallback: 40 });
    const offset = integerParam(ctx.query.offset, { min: 0, max: 10_000, fallback: 0 });
    const views = await searchProfiles(db, q, { limit, offset, viewerId: viewerOf(ctx) });
    ctx.body = views.map((view) => presentAccount(config, view));
  });

  router.post('/api/v1/accounts', ...registerThroughApi(deps));

  // Last: `:id` would otherwise catch the names above. A non-numeric id falls
  // through to other routers (e.g. later /api/v1/accounts/familiar_followers).
  router.get('/api/v1/accounts/:id', async (ctx, next) => {
    const id = parseId(ctx.params.id);
    if (id === null) return next();
    ctx.body = presentAccount(config, await openProfile(db, id));
  });

  return router;
}
