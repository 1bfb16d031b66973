// POST /api/v1/accounts/:id/{follow,unfollow,remove_from_followers,block,
// unblock,mute,unmute}: each answers the viewer's Relationship to the account,
// with Mastodon's scopes (the deprecated `follow` scope covers them all).
import type { Router } from '@koa/router';
import { requireScopes, signedIn } from '../../http/auth.ts';
import type { ApiDeps } from '../../http/deps.ts';
import type { RelationshipFlags } from '../../db/relationships.repo.ts';
import { blockAccount, unblockAccount } from '../../services/social/block.service.ts';
import { followAccount, removeFromFollowers, unfollowAccount } from '../../services/social/follow.service.ts';
import { muteAccount, unmuteAccount } from '../../services/social/mute.service.ts';
import { booleanParam, integerParam } from '../accounts/params.ts';
import { serializeRelationship } from '../entities/relationship.ts';
import { accountIdParam, readParams } from './social-params.ts';

type Action = (viewerId: number, targetId: number, params: Record<string, unknown>) => Promise<RelationshipFlags>;

// Long enough for any mute anyone means; keeps expires_at far from overflow.
const MAX_MUTE_SECONDS = 100 * 365 * 24 * 3600;

export function registerAccountActions(router: Router, deps: ApiDeps): void {
  const { db } = deps;
  const actions: [string, string, Action][] = [
    ['follow', 'write:follows', (viewer, target, params) => followAccount(db, viewer, target, { reblogs: booleanParam(params.reblogs), notify: booleanParam(params.notify) })],
    ['unfollow', 'write:follows', (viewer, target) => unfollowAccount(db, viewer, target)],
    ['remove_from_followers', 'write:follows', (viewer, target) => removeFromFollowers(db, viewer, target)],
    ['block', 'write:blocks', (viewer, target) => blockAccount(db, viewer, target)],
    ['unblock', 'write:blocks', (viewer, target) => unblockAccount(db, viewer, target)],
    [
      'mute',
      'write:mutes',
      (viewer, target, params) =>
        muteAccount(db, viewer, target, {
          notifications: booleanParam(params.notifications),
          duration: integerParam(params.duration, { min: 0, max: MAX_MUTE_SECONDS, fallback: 0 }),
        }),
    ],
    ['unmute', 'write:mutes', (viewer, target) => unmuteAccount(db, viewer, target)],
  ];
  for (const [name, scope, action] of actions) {
    router.post(`/api/v1/accounts/:id/${name}`, requireScopes(scope), async (ctx) => {
      const targetId = accountIdParam(ctx);
      const flags = await action(signedIn(ctx).account.id, targetId, await readParams(ctx));
      ctx.body = serializeRelationship(targetId, flags);
    });
  }
}
