// NodeInfo 2.1 (/.well-known/nodeinfo links to it; Fedify serves both): what
// crawlers and other servers' "about this server" pages show. Counts are the
// instance API's, so the two never disagree.
import type { FederationBuilder } from '@fedify/fedify';
import { countActiveLocalUsers, countInstance } from '../server/db/accounts.repo.ts';
import { registrationMode } from '../server/services/accounts/registration.service.ts';
import { VIEWFINDER_VERSION } from '../server/api/entities/instance.ts';
import type { FederationData } from './context.ts';
import { PATHS } from './urls.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export function registerNodeInfo(builder: FederationBuilder<FederationData>): void {
  builder.setNodeInfoDispatcher(PATHS.nodeInfo, async (ctx) => {
    const { db, config } = ctx.data;
    const now = Date.now();
    const [counts, activeMonth, activeHalfyear, mode] = await Promise.all([
      countInstance(db),
      countActiveLocalUsers(db, now - 30 * DAY_MS),
      countActiveLocalUsers(db, now - 180 * DAY_MS),
      registrationMode(db, config),
    ]);
    return {
      software: {
        name: 'viewfinder',
        version: VIEWFINDER_VERSION,
        ...(config.sourceUrl ? { repository: new URL(config.sourceUrl) } : {}),
      },
      protocols: ['activitypub'],
      services: { inbound: [], outbound: [] },
      // As Mastodon: sign-ups that need approval are still open to the public.
      openRegistrations: mode === 'open' || mode === 'approval',
      usage: { users: { total: counts.users, activeMonth, activeHalfyear }, localPosts: counts.posts, localComments: 0 },
      metadata: { nodeName: config.domain },
    };
  });
}
