// Viewfinder's close friends list (README: "Close friends"):
// GET, POST (account_ids[]) and DELETE /:account_id under /api/viewfinder/v1.
import type { Router } from '@koa/router';
import { requireScopes, signedIn } from '../../http/auth.ts';
import type { ApiDeps } from '../../http/deps.ts';
import { listCloseFriends } from '../../services/social/account-lists.service.ts';
import { addCloseFriends, removeCloseFriend } from '../../services/social/close-friends.service.ts';
import { idListParam } from '../accounts/params.ts';
import { presentAccount } from '../accounts/present.ts';
import { accountIdParam, accountPageParams, presentAccountPage, readParams } from './social-params.ts';

export function registerCloseFriends(router: Router, deps: ApiDeps): void {
  const { config, db } = deps;
  const path = '/api/viewfinder/v1/close_friends';

  router.get(path, requireScopes('read:follows'), async (ctx) => {
    const page = accountPageParams(ctx);
    ctx.body = presentAccountPage(ctx, config, await listCloseFriends(db, signedIn(ctx).account.id, page), page);
  });

  router.post(path, requireScopes('write:follows'), async (ctx) => {
    const ids = idListParam(await readParams(ctx), 'account_ids');
    const added = await addCloseFriends(db, signedIn(ctx).account.id, ids);
    ctx.body = added.map((view) => presentAccount(config, view));
  });

  router.delete(`${path}/:account_id`, requireScopes('write:follows'), async (ctx) => {
    await removeCloseFriend(db, signedIn(ctx).account.id, accountIdParam(ctx, 'account_id'));
    ctx.body = {};
  });
}
