// Fedify's MessageQueue on our durable job queue (DESIGN.md rules 8 and 9):
// every Fedify message (inbox, outbox, fan-out) is a job of one type, so
// deliveries survive restarts, run on whichever worker runs the registry, are
// retried with our backoff and end `dead` in the admin panel like any job.
//
// Retries: `nativeRetrial` is true, so Fedify does not re-enqueue failed
// messages itself; it rethrows, the job fails and our worker reschedules it.
// (Fedify still re-enqueues on its own when a remote answers 429/503 with
// Retry-After or its circuit breaker holds a host; those jobs then succeed.)
//
// Ordering keys: messages with the same key run one at a time, in enqueue
// order. Each gets a sequence number from a per-key counter in `kv`, taken in
// the enqueueing transaction; a job whose turn has not come parks its payload
// in `kv` and finishes; the job whose turn it is, when it succeeds or fails its
// last attempt, passes the turn on and re-enqueues the parked successor. So a
// failing message holds back the later ones of its key until it succeeds or
// goes dead (as a delayed one does until it is due), exactly the guarantee a
// `Delete` after a `Create` needs. A message whose turn has passed (a dead job
// revived by an admin, a second run after a lost acknowledgement) runs at once,
// unordered. Only a queued job deleted by hand, which our queue offers no way
// to do, would stall its key: its successors would stay parked.
//
// Cost: Fedify enqueues a post's deliveries one call per inbox, all at once;
// calls made within one macrotask are written together (a transaction per
// hundred keys rather than one per message). A message finds out whether it is
// its key's head with one read; only one that must wait takes the key's lock.
import { createHash } from 'node:crypto';
import type { MessageQueue, MessageQueueEnqueueOptions, MessageQueueListenOptions } from '@fedify/fedify';
import type { Db, Queryable } from '../server/db/knex.ts';
import { newId } from '../server/db/ids.ts';
import { deleteKv, getKv, modifyKv, setKv, type KvPath, type KvValue } from '../server/db/kv.repo.ts';
import { enqueue, enqueueMany, type EnqueueOptions } from '../server/jobs/queue.ts';
import type { JobContext, JobDefinition, JobRegistry } from '../server/jobs/registry.ts';
import { settle, tickBatcher, type Settled } from '../server/jobs/tick-batch.ts';

export const FEDIFY_MESSAGE_JOB = 'fedify.message';

export interface MessageQueueOptions {
  db: Db;
  /** The registry whose worker runs the messages once `listen` is called. */
  registry: JobRegistry;
  /** Job type of the messages (default `fedify.message`); separate queues (inbox, outbox) need separate types. */
  jobType?: string;
  priority?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Rewrites each message as it is enqueued (outgoing activities get what Fedify's vocabulary lacks). */
  prepare?: (message: unknown) => unknown;
  /** Narrows a message's ordering key (deliveries: per inbox rather than per server). */
  orderingKeyOf?: (message: unknown, key: string) => string;
}

export interface DbMessageQueue extends MessageQueue {
  readonly nativeRetrial: true;
  enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void>;
  /** Enqueues through the given connection or transaction: nothing is sent if it rolls back. */
  enqueueIn(db: Queryable, message: unknown, options?: MessageQueueEnqueueOptions): Promise<void>;
  enqueueManyIn(db: Queryable, messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void>;
}

interface Ordering {
  key: string;
  /** Which life of the key's counter (it is deleted when the key drains). */
  gen: number;
  seq: number;
}

interface MessageJob {
  message: unknown;
  ordering?: Ordering;
}

interface OrderState {
  gen: number;
  /** Sequence number whose turn it is. */
  next: number;
  /** Last sequence number handed out. */
  last: number;
}

type Turn = 'head' | 'parked' | 'late';

/** One enqueue call waiting for its macrotask's batch. */
interface PendingEnqueue {
  messages: readonly unknown[];
  key: string | null;
  options: EnqueueOptions;
}
type Handler = (message: any) => Promise<void> | void;

// Keys whose counters one batched transaction updates: on SQLite it holds the
// write lock, so a batch stays at a few tens of milliseconds.
const KEYS_PER_TRANSACTION = 100;

function isOrderState(value: unknown): value is OrderState {
  const v = value as OrderState | null | undefined;
  return typeof v?.gen === 'number' && typeof v.next === 'number' && typeof v.last === 'number';
}

function delayMs(options: MessageQueueEnqueueOptions): number {
  const ms = options.delay == null ? 0 : options.delay.total('millisecond');
  if (!(ms >= 0)) throw new RangeError(`message delay must not be negative (got ${options.delay})`);
  return ms;
}

export function createMessageQueue(options: MessageQueueOptions): DbMessageQueue {
  const { db, registry } = options;
  const jobType = options.jobType ?? FEDIFY_MESSAGE_JOB;
  const jobOptions: EnqueueOptions = { priority: options.priority, maxAttempts: options.maxAttempts };

  // Ordering keys are remote URLs and can be long; kv keys hold a digest.
  const keyId = (key: string) => createHash('sha256').update(key).digest('hex');
  const counterKey = (key: string): KvPath => ['_viewfinder', 'mq', jobType, 'order', keyId(key)];
  const parkedKey = (o: Ordering): KvPath => ['_viewfinder', 'mq', jobType, 'parked', keyId(o.key), String(o.gen), String(o.seq)];

  /** The jobs of `messages` numbered after `current` in the key's counter, and the counter's next state. */
  function numbered(messages: readonly unknown[], key: string, enqueueOptions: EnqueueOptions, current: KvValue | undefined) {
    const state = isOrderState(current?.value) ? current.value : { gen: newId(), next: 1, last: 0 };
    const jobs = messages.map((message, i) => {
      const payload: MessageJob = { message, ordering: { key, gen: state.gen, seq: state.last + 1 + i } };
      return { type: jobType, payload, options: enqueueOptions };
    });
    return { jobs, next: { value: { ...state, last: state.last + messages.length }, expiresAt: null } };
  }

  /** Enqueues through `target` (a caller's transaction, or the pool for one message). */
  async function write(target: Queryable, item: PendingEnqueue): Promise<void> {
    const { messages, key, options: withDelay } = item;
    if (key === null) {
      await enqueueMany(
        target,
        messages.map((message) => ({ type: jobType, payload: { message } satisfies MessageJob, options: withDelay })),
      );
      return;
    }
    // Numbers and jobs are written in one transaction: a number whose job
    // was never written would stall the key forever.
    await modifyKv(target, counterKey(key), async (current, tx) => {
      const { jobs, next } = numbered(messages, key, withDelay, current);
      await enqueueMany(tx, jobs);
      return { result: undefined, next };
    });
  }

  /** Ordered calls, a transaction per KEYS_PER_TRANSACTION keys; a call whose counter update fails fails alone. */
  async function writeOrdered(items: PendingEnqueue[], results: Settled<void>[], indices: number[]): Promise<void> {
    // Locked in key order (a stable sort keeps one key's calls in call order),
    // so two batches on Postgres never wait for each other's locks in a circle.
    const order = [...indices].sort((a, b) => (items[a]!.key! < items[b]!.key! ? -1 : items[a]!.key! > items[b]!.key! ? 1 : a - b));
    for (let start = 0; start < order.length; start += KEYS_PER_TRANSACTION) {
      const chunk = order.slice(start, start + KEYS_PER_TRANSACTION);
      if (chunk.length === 1) {
        results[chunk[0]!] = await settle(write(db, items[chunk[0]!]!));
        continue;
      }
      const written: number[] = [];
      const committed = await settle(
        db.transaction(async (tx) => {
          const jobs: { type: string; payload: MessageJob; options: EnqueueOptions }[] = [];
          for (const i of chunk) {
            const item = items[i]!;
            const counted = await settle(
              modifyKv(tx, counterKey(item.key!), (current) => {
                const { jobs: mine, next } = numbered(item.messages, item.key!, item.options, current);
                return { result: mine, next };
              }),
            );
            if (!counted.ok) results[i] = counted;
            else {
              jobs.push(...counted.value);
              written.push(i);
            }
          }
          await enqueueMany(tx, jobs);
        }),
      );
      for (const i of written) results[i] = committed;
    }
  }

  // Enqueue calls on the queue's own connection, gathered per macrotask.
  const enqueueBatched = tickBatcher<PendingEnqueue, void>(async (items) => {
    const results: Settled<void>[] = items.map(() => ({ ok: true, value: undefined }));
    const unordered = items.flatMap((item, i) => (item.key === null ? [i] : []));
    const ordered = items.flatMap((item, i) => (item.key === null ? [] : [i]));
    if (unordered.length > 0) {
      const all = unordered.flatMap((i) => items[i]!.messages.map((message) => ({ type: jobType, payload: { message } satisfies MessageJob, options: items[i]!.options })));
      // One call's messages as before, without a transaction; several calls' in one.
      const done = await settle(unordered.length === 1 ? enqueueMany(db, all) : db.transaction((tx) => enqueueMany(tx, all)));
      for (const i of unordered) results[i] = done;
    }
    if (ordered.length > 0) await writeOrdered(items, results, ordered);
    return results;
  });

  async function enqueueAll(target: Queryable | null, given: readonly unknown[], enqueueOptions: MessageQueueEnqueueOptions = {}): Promise<void> {
    if (given.length === 0) return;
    const messages = options.prepare ? given.map(options.prepare) : given;
    const narrowed = enqueueOptions.orderingKey != null && options.orderingKeyOf && messages.length === 1 ? options.orderingKeyOf(messages[0], enqueueOptions.orderingKey) : enqueueOptions.orderingKey;
    const item: PendingEnqueue = { messages, key: narrowed ?? null, options: { ...jobOptions, delayMs: delayMs(enqueueOptions) } };
    // A caller's transaction is theirs to commit: written through it at once.
    return target === null ? enqueueBatched(item) : write(target, item);
  }

  /** Whether this message may run now, must wait (parked), or is past its turn. */
  async function takeTurn(conn: Queryable, job: MessageJob & { ordering: Ordering }): Promise<Turn> {
    const o = job.ordering;
    // Only the message whose turn it is moves the turn on, so a read that says
    // "yours" (or "passed") stays true: no lock needed. Parking needs the lock,
    // taken below: the head may be passing the turn at this very moment.
    const seen = await getKv(conn, counterKey(o.key));
    const known = isOrderState(seen) ? seen : undefined;
    if (!known || known.gen !== o.gen || o.seq < known.next) return 'late';
    if (o.seq === known.next) return 'head';
    return modifyKv<Turn>(conn, counterKey(o.key), async (current, tx) => {
      const state = isOrderState(current?.value) ? current.value : undefined;
      // A message of a finished counter, or one whose turn was passed after
      // its last attempt (a revived dead job), is not waited for by anyone.
      if (!state || state.gen !== o.gen || o.seq < state.next) return { result: 'late' };
      if (o.seq === state.next) return { result: 'head' };
      await setKv(tx, parkedKey(o), job);
      return { result: 'parked' };
    });
  }

  /** The head message is done (or dead): its successor's turn. */
  function passTurn(conn: Queryable, o: Ordering): Promise<void> {
    return modifyKv<void>(conn, counterKey(o.key), async (current, tx) => {
      const state = isOrderState(current?.value) ? current.value : undefined;
      // Already passed: this was a second run of the same job.
      if (!state || state.gen !== o.gen || state.next !== o.seq) return { result: undefined };
      if (o.seq >= state.last) return { result: undefined, next: null };
      const successor = parkedKey({ ...o, seq: o.seq + 1 });
      const parked = await getKv(tx, successor);
      if (parked !== undefined) {
        await deleteKv(tx, successor);
        await enqueue(tx, jobType, parked, jobOptions);
      }
      return { result: undefined, next: { value: { ...state, next: o.seq + 1 }, expiresAt: null } };
    });
  }

  async function run(handler: Handler, job: MessageJob, ctx: JobContext): Promise<void> {
    if (!job.ordering) return handler(job.message);
    const ordering = job.ordering;
    const turn = await takeTurn(ctx.db, { ...job, ordering });
    if (turn === 'parked') return;
    try {
      await handler(job.message);
    } catch (error) {
      // The last attempt failed: the job goes dead and must not hold back its
      // key. An aborted run (worker stopping, lease lost) is not an attempt:
      // the job comes back.
      if (turn === 'head' && ctx.attempt >= ctx.maxAttempts && !ctx.signal.aborted) await passTurn(ctx.db, ordering);
      throw error;
    }
    if (turn === 'head') await passTurn(ctx.db, ordering);
  }

  return {
    nativeRetrial: true,

    enqueue(message, enqueueOptions) {
      return enqueueAll(null, [message], enqueueOptions);
    },

    enqueueMany(messages, enqueueOptions) {
      return enqueueAll(null, messages, enqueueOptions);
    },

    enqueueIn(target, message, enqueueOptions) {
      return enqueueAll(target, [message], enqueueOptions);
    },

    enqueueManyIn(target, messages, enqueueOptions) {
      return enqueueAll(target, messages, enqueueOptions);
    },

    /**
     * Registers the job type in the registry, so the worker running that
     * registry starts claiming the messages; unregisters when the signal
     * aborts (jobs already running finish). Without a signal it never
     * resolves, per Fedify's contract.
     */
    async listen(handler: Handler, listenOptions: MessageQueueListenOptions = {}): Promise<void> {
      const { signal } = listenOptions;
      if (signal?.aborted) return;
      const definition: JobDefinition<MessageJob> = {
        handler: (job, ctx) => run(handler, job, ctx),
        maxAttempts: options.maxAttempts,
        backoffBaseMs: options.backoffBaseMs,
        backoffMaxMs: options.backoffMaxMs,
      };
      // Throws if the type is taken: two listeners in one registry would
      // silently replace each other.
      registry.register(jobType, definition);
      await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
      if (registry.get(jobType) === definition) registry.unregister(jobType);
    },
  };
}
