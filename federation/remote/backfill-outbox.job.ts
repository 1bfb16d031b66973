// `federation.backfill-outbox`: a remote account's newest public posts, read
// from its outbox (bounded: a few pages, at most 20 posts), stored as if they
// had been delivered, so a profile opened for the first time is not empty.
// Only Creates of Notes by the account itself are taken; everything is
// parsed from the embedded documents, and Notes given by id are fetched.
import { Create, Note, OrderedCollection, Collection, traverseCollection } from '@fedify/vocab';
import type { Federation } from '@fedify/fedify';
import type { Config } from '../../config/load.ts';
import { findAccountById } from '../../server/db/accounts.repo.ts';
import type { Db } from '../../server/db/knex.ts';
import type { JobRegistry } from '../../server/jobs/registry.ts';
import { getLogger } from '../../server/logging.ts';
import { BACKFILL_OUTBOX_JOB } from '../../server/services/federation/backfill.ts';
import { createRemotePost } from '../../server/services/posts/remote-post.service.ts';
import { INSTANCE_ACTOR, type FederationData } from '../context.ts';
import { readNote } from '../objects/post-from-note.ts';

const MAX_POSTS = 20;
const MAX_ITEMS = 60;
const log = getLogger('federation');

export function registerBackfillOutboxJob(registry: JobRegistry, db: Db, config: Config, federation: Promise<Federation<FederationData>>): void {
  registry.register<{ accountId: number }>(BACKFILL_OUTBOX_JOB, async ({ accountId }, job) => {
    const account = await findAccountById(db, accountId);
    if (!account || account.domain === null || !account.outboxUrl || account.suspendedAt !== null) return;
    const ctx = (await federation).createContext(new URL(config.publicUrl), { db, config });
    const documentLoader = await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
    const outbox = await ctx.lookupObject(account.outboxUrl, { documentLoader });
    if (!(outbox instanceof OrderedCollection || outbox instanceof Collection)) return;
    let stored = 0;
    let seen = 0;
    for await (const item of traverseCollection(outbox, { documentLoader, contextLoader: ctx.contextLoader, suppressError: true })) {
      if (job.signal.aborted || stored >= MAX_POSTS || ++seen > MAX_ITEMS) break;
      if (!(item instanceof Create) || item.actorId?.href !== account.uri) continue;
      const note = await item.getObject({ documentLoader, contextLoader: ctx.contextLoader, suppressError: true });
      if (!(note instanceof Note) || note.attributionId?.href !== account.uri) continue;
      const json = ((await item.toJsonLd()) as { object?: unknown }).object;
      const incoming = await readNote(note, { documentLoader, contextLoader: ctx.contextLoader, authorFollowersUri: account.followersUrl, json });
      // The outbox shows what anyone may see; anything else is not for a backfill.
      if (incoming.visibility !== 'public' && incoming.visibility !== 'unlisted') continue;
      const result = await createRemotePost(db, config, { author: account, note: incoming, mentionedAccountIds: [], addresseeIds: [] });
      if (result.created) stored += 1;
    }
    log.debug('Backfilled {count} post(s) of {uri} from its outbox', { count: stored, uri: account.uri });
  });
}
