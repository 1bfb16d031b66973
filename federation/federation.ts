// Builds the Fedify federation: our kv store and durable queue (deliveries
// survive restarts), the public URL as origin, and every dispatcher and inbox
// listener registered from its own module. Both processes build the same
// object: the web side answers fetches and verifies inbox POSTs (then queues
// them); the job worker runs the queued inbox, outbox and fan-out messages.
import { createFederationBuilder, type Federation } from '@fedify/fedify';
import type { Config } from '../config/load.ts';
import type { Db } from '../server/db/knex.ts';
import { JobRegistry } from '../server/jobs/registry.ts';
import { getLogger } from '../server/logging.ts';
import type { FederationData } from './context.ts';
import { createKvStore } from './kv-store.ts';
import { withKvMemo } from './kv-memo.ts';
import { memoizeVocabParsing } from './vocab-memo.ts';
import { passExpandedThrough } from './expanded-passthrough.ts';
import { createMessageQueue } from './message-queue.ts';
import { registerActors } from './actors.ts';
import { registerNodeInfo } from './nodeinfo.ts';
import { registerCollections } from './collections/register.ts';
import { registerPostObjects } from './post-objects.ts';
import { registerInboxListeners } from './inbox/register.ts';
import { withFanoutExtras, withRegisteredExtras } from './outbox/activity-extras.ts';
import { createLoaderFactories } from './document-loader.ts';

export const INBOX_JOB = 'fedify.inbox';
export const OUTBOX_JOB = 'fedify.outbox';
export const FANOUT_JOB = 'fedify.fanout';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export interface FederationDeps {
  config: Config;
  db: Db;
  /** The registry of the worker that runs queued messages; the web side passes none (it only enqueues). */
  registry?: JobRegistry;
}

/**
 * Fedify orders a post's activities per receiving server; per inbox is all
 * that matters (a Delete after its Create), and it lets the deliveries of one
 * post to many inboxes of one server run side by side instead of in a line.
 */
function perInbox(message: unknown, key: string): string {
  const inbox = (message as { type?: unknown; inbox?: unknown } | null)?.inbox;
  return typeof inbox === 'string' ? `${key}\n${inbox}` : key;
}

export async function createViewfinderFederation(deps: FederationDeps): Promise<Federation<FederationData>> {
  const { config, db } = deps;
  const registry = deps.registry ?? new JobRegistry();
  const builder = createFederationBuilder<FederationData>();
  registerActors(builder);
  registerNodeInfo(builder);
  registerCollections(builder);
  registerPostObjects(builder);
  registerInboxListeners(builder);

  const log = getLogger('federation');
  memoizeVocabParsing();
  passExpandedThrough();
  // Fedify's default kv prefixes of the state it reads on every delivery and
  // inbox POST, answered from memory for a few seconds (kv-memo.ts).
  const kv = withKvMemo(createKvStore(db), {
    prefixes: [
      ['_fedify', 'httpMessageSignaturesSpec'],
      ['_fedify', 'circuit'],
      ['_fedify', 'publicKey'],
      ['_fedify', 'remoteDocument'],
    ],
  });
  return builder.build({
    kv,
    // Our loaders (safeFetch: private addresses refused unless a local trial
    // allows them, size and time limits, our User-Agent) for every fetch.
    ...createLoaderFactories({ config, kv }),
    queue: {
      // Retries are our queue's (nativeRetrial): deliveries back off from
      // federationRetryBaseMs (a minute) to six hours over about two days, as
      // Mastodon retries; an inbox message a few times over an hour.
      inbox: createMessageQueue({ db, registry, jobType: INBOX_JOB, priority: 5, maxAttempts: 10, backoffBaseMs: 10_000, backoffMaxMs: HOUR_MS }),
      outbox: createMessageQueue({ db, registry, jobType: OUTBOX_JOB, maxAttempts: 18, backoffBaseMs: config.federation.retryBaseMs, backoffMaxMs: 6 * HOUR_MS, prepare: withRegisteredExtras, orderingKeyOf: perInbox }),
      fanout: createMessageQueue({ db, registry, jobType: FANOUT_JOB, priority: 1, maxAttempts: 10, backoffBaseMs: 5_000, backoffMaxMs: HOUR_MS, prepare: withRegisteredExtras, around: withFanoutExtras }),
    },
    manuallyStartQueue: true,
    origin: config.publicUrl,
    permanentFailureStatusCodes: [404, 410],
    // A server that keeps failing is held back: its deliveries wait (and
    // are tried rarely) instead of clogging the queue, for up to two days.
    circuitBreaker: {
      failureThreshold: 10,
      failureWindow: { minutes: 30 },
      recoveryDelay: { minutes: 30 },
      heldActivityTtl: { hours: 48 },
      onStateChange: (host, from, to) => log.info('Delivery circuit for {host}: {from} → {to}', { host, from, to }),
    },
    onOutboxError: (error, activity) => log.debug('Delivery of {activity} failed: {error}', { activity: activity?.id?.href, error }),
  });
}
