// The web side of federation: the federation object for this process's
// connection and the koa middleware that puts it in front of the body parser.
import type Koa from 'koa';
import type { Federation } from '@fedify/fedify';
import type { Config } from '../config/load.ts';
import type { Db } from '../server/db/knex.ts';
import { domainPolicy } from '../server/services/moderation/domain-blocks.service.ts';
import type { FederationData } from './context.ts';
import { createViewfinderFederation } from './federation.ts';
import { federationMiddleware } from './koa-adapter.ts';

export interface WebFederation {
  federation: Federation<FederationData>;
  middleware: Koa.Middleware;
}

export async function createWebFederation(config: Config, db: Db): Promise<WebFederation> {
  const federation = await createViewfinderFederation({ config, db });
  const middleware = federationMiddleware({
    federation,
    contextData: { db, config },
    publicUrl: config.publicUrl,
    maxBodyBytes: config.bodyLimitBytes,
    refuseHost: async (host) => (await domainPolicy(db, host)).suspended,
  });
  return { federation, middleware };
}
