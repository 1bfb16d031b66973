// What every Fedify dispatcher and listener gets as its context data: the
// connection of the process it runs in (the web process answers GETs and
// verifies inbox POSTs; the job worker runs listeners and deliveries) and the
// config. Services take these explicitly; nothing is a module singleton.
import type { Context, InboxContext, RequestContext } from '@fedify/fedify';
import type { Config } from '../config/load.ts';
import type { Db } from '../server/db/knex.ts';

export interface FederationData {
  db: Db;
  config: Config;
}

export type FedContext = Context<FederationData>;
export type FedRequestContext = RequestContext<FederationData>;
export type FedInboxContext = InboxContext<FederationData>;

/** The instance actor's identifier: a dot can never appear in a local username. */
export const INSTANCE_ACTOR = 'instance.actor';
