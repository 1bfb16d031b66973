// Ordering keys in the job queue itself (docs/decisions/0009): a job with an
// ordering key is claimed only once no earlier job (smaller id) of the same key
// is left that is not dead. The key is stored as a digest (remote URLs can be
// long), indexed with the id for that "earlier job of my key" lookup.
//
// Older versions kept ordering in `kv` under ["_viewfinder","mq",<job type>,…]:
// a counter per key ("order") and the payloads of messages that were claimed
// before their turn ("parked"). Counters are deleted. Parked messages become
// queued jobs again; the key's waiting jobs (queued ones and parked ones) get
// fresh ids in their old sequence order, so the key still runs in the order it
// was enqueued. Those payloads keep their old `ordering` field, which the
// message queue now ignores.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { newId } from '../server/db/ids.ts';

// Frozen copy of server/jobs/queue.ts's orderingKeyDigest: this migration must
// keep computing what it computed when it was released.
const digest = (key: string) => createHash('sha256').update(key).digest('base64url');

const MQ_PREFIX = '["_viewfinder","mq",';

interface OldOrdering {
  key: string;
  gen: number;
  seq: number;
}

interface Waiting {
  ordering: OldOrdering;
  /** The queued job's row, or the parked payload (JSON text) to insert. */
  jobId?: number;
  payload?: string;
  type: string;
}

function oldOrdering(payload: string): OldOrdering | undefined {
  try {
    const o = (JSON.parse(payload) as { ordering?: OldOrdering } | null)?.ordering;
    return typeof o?.key === 'string' && typeof o.gen === 'number' && typeof o.seq === 'number' ? o : undefined;
  } catch {
    return undefined; // not a message job
  }
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('jobs', (t) => {
    t.string('ordering_key', 64).nullable(); // base64url sha256 of the ordering key
    t.index(['ordering_key', 'id'], 'jobs_ordering_index');
  });

  // Jobs written by the old message queue carry their key in the payload.
  const waiting = new Map<string, Waiting[]>();
  const template = new Map<string, { priority: number; max_attempts: number | null }>();
  const old = (await knex('jobs').where('payload', 'like', '%"ordering":{%').select('id', 'type', 'payload', 'state', 'priority', 'max_attempts')) as {
    id: number;
    type: string;
    payload: string;
    state: string;
    priority: number;
    max_attempts: number | null;
  }[];
  for (const job of old) {
    const ordering = oldOrdering(job.payload);
    if (!ordering) continue;
    const key = digest(ordering.key);
    await knex('jobs').where('id', job.id).update({ ordering_key: key });
    if (!template.has(key)) template.set(key, { priority: job.priority, max_attempts: job.max_attempts });
    if (job.state === 'queued') waiting.set(key, [...(waiting.get(key) ?? []), { ordering, jobId: job.id, type: job.type }]);
  }

  const entries = (await knex('kv').whereRaw(`substr(key, 1, ${MQ_PREFIX.length}) = ?`, [MQ_PREFIX]).select('key', 'value')) as { key: string; value: string }[];
  for (const entry of entries) {
    const path = JSON.parse(entry.key) as string[];
    if (path[3] !== 'parked') continue;
    const ordering = oldOrdering(entry.value);
    if (!ordering) continue;
    const key = digest(ordering.key);
    waiting.set(key, [...(waiting.get(key) ?? []), { ordering, payload: entry.value, type: path[2]! }]);
  }

  // Running jobs keep their ids (a worker may hold them); every waiting job
  // gets a fresh one, larger than any existing, in (gen, seq) order.
  const now = Date.now();
  for (const [key, jobs] of waiting) {
    if (!jobs.some((job) => job.payload !== undefined)) continue; // nothing parked: already in order
    jobs.sort((a, b) => a.ordering.gen - b.ordering.gen || a.ordering.seq - b.ordering.seq);
    const like = template.get(key) ?? { priority: 0, max_attempts: null };
    for (const job of jobs) {
      const id = newId();
      if (job.jobId !== undefined) {
        await knex('jobs').where('id', job.jobId).update({ id });
        continue;
      }
      await knex('jobs').insert({
        id,
        type: job.type,
        payload: job.payload,
        state: 'queued',
        priority: like.priority,
        attempts: 0,
        max_attempts: like.max_attempts,
        ordering_key: key,
        run_at: now,
        created_at: now,
        updated_at: now,
      });
    }
  }
  await knex('kv').whereRaw(`substr(key, 1, ${MQ_PREFIX.length}) = ?`, [MQ_PREFIX]).delete();
}

// Going back loses the order of jobs still waiting (the old queue runs a job
// without a counter at once), not the jobs.
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('jobs', (t) => {
    t.dropIndex(['ordering_key', 'id'], 'jobs_ordering_index');
    t.dropColumn('ordering_key');
  });
}
