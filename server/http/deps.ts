// What every HTTP router factory receives: built once in server/serve.ts.
import type { Config } from '../../config/load.ts';
import type { Db } from '../db/knex.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { Mailer } from '../services/mail/mailer.ts';
import type { Federation } from '@fedify/fedify';
import type { FederationData } from '../../federation/context.ts';

export interface ApiDeps {
  config: Config;
  db: Db;
  rateLimiter: RateLimiter;
  mailer: Mailer | null;
  /** Remote lookups (search with resolve, account lookup); absent in tests that run no federation. */
  federation?: Federation<FederationData>;
}
