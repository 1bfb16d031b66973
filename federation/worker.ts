// The federation side of a job worker: builds the federation on the worker's
// own connection, registers `federation.send` (our outbound events → Fedify)
// and `federation.backfill-outbox`,
// and starts Fedify's inbox, outbox and fan-out queues, whose messages are
// jobs of this same registry (federation/message-queue.ts).
import type { Config } from '../config/load.ts';
import type { Db } from '../server/db/knex.ts';
import type { JobRegistry } from '../server/jobs/registry.ts';
import { getLogger } from '../server/logging.ts';
import { createViewfinderFederation } from './federation.ts';
import { registerFederationSendJob } from './outbox/send.job.ts';
import { registerBackfillOutboxJob } from './remote/backfill-outbox.job.ts';

export function registerFederationJobs(registry: JobRegistry, db: Db, config: Config, signal?: AbortSignal): void {
  const federation = createViewfinderFederation({ config, db, registry });
  registerFederationSendJob(registry, db, config, federation);
  registerBackfillOutboxJob(registry, db, config, federation);
  federation
    .then((f) => f.startQueue({ db, config }, { signal }))
    .catch((error: unknown) => getLogger('federation').error('Federation queues failed to start: {error}', { error }));
}
