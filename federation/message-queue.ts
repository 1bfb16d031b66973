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
// order. The key (narrowed per inbox for deliveries) is the job's ordering key
// in our queue (server/jobs/queue.ts): a job is not claimed while an earlier
// one of its key is queued, backing off or running, so a failing message holds
// back the later ones of its key until it succeeds or goes dead (as a delayed
// one does until it is due), exactly the guarantee a `Delete` after a `Create`
// needs. "Earlier" is by job id: enqueue order for enqueues from one thread
// (Fedify enqueues one activity's deliveries from one thread), and between
// threads for transactions that commit one after the other (not within the
// same millisecond: ids are time-based). The one limitation: two transactions
// open at the same time that enqueue the same key are not ordered against each
// other, and if the one with the later id commits first, its job may already
// be running when the earlier one appears and starts too. (The kv counters
// this replaces ordered them by who took the counter's lock first, no more
// meaningful an order.) A dead message revived by an admin runs as soon as
// nothing earlier blocks it, even if later ones of its key have run or are
// running.
//
// Cost: Fedify enqueues a post's deliveries one call per inbox, all at once;
// calls made within one macrotask are written together, one enqueueMany (in
// one transaction when there are several calls). Running a message costs
// nothing beyond the job itself.
import type { MessageQueue, MessageQueueEnqueueOptions, MessageQueueListenOptions } from '@fedify/fedify';
import type { Db, Queryable } from '../server/db/knex.ts';
import { enqueueMany, type EnqueueOptions } from '../server/jobs/queue.ts';
import type { JobDefinition, JobRegistry } from '../server/jobs/registry.ts';
import { settle, tickBatcher } from '../server/jobs/tick-batch.ts';
import { parsingWholeActivities } from './vocab-memo.ts';

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
  /** Runs each message's handling inside this (a fan-out message lends its extras to the deliveries it makes). */
  around?: (message: unknown, handle: () => Promise<void>) => Promise<void>;
}

export interface DbMessageQueue extends MessageQueue {
  readonly nativeRetrial: true;
  enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void>;
  /** Enqueues through the given connection or transaction: nothing is sent if it rolls back. */
  enqueueIn(db: Queryable, message: unknown, options?: MessageQueueEnqueueOptions): Promise<void>;
  enqueueManyIn(db: Queryable, messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void>;
}

/** A job's payload. Jobs written before migration 20261202000700 also carry an `ordering` field, now unused. */
interface MessageJob {
  message: unknown;
}

/** One enqueue call waiting for its macrotask's batch. */
interface PendingEnqueue {
  messages: readonly unknown[];
  options: EnqueueOptions;
}
type Handler = (message: any) => Promise<void> | void;

function delayMs(options: MessageQueueEnqueueOptions): number {
  const ms = options.delay == null ? 0 : options.delay.total('millisecond');
  if (!(ms >= 0)) throw new RangeError(`message delay must not be negative (got ${options.delay})`);
  return ms;
}

export function createMessageQueue(options: MessageQueueOptions): DbMessageQueue {
  const { db, registry } = options;
  const jobType = options.jobType ?? FEDIFY_MESSAGE_JOB;
  const jobOptions: EnqueueOptions = { priority: options.priority, maxAttempts: options.maxAttempts };

  const jobsOf = (item: PendingEnqueue) => item.messages.map((message) => ({ type: jobType, payload: { message } satisfies MessageJob, options: item.options }));

  // Enqueue calls on the queue's own connection, gathered per macrotask.
  const enqueueBatched = tickBatcher<PendingEnqueue, void>(async (items) => {
    const jobs = items.flatMap(jobsOf);
    // One call's messages as they come; several calls' all or none.
    const done = await settle(items.length === 1 ? enqueueMany(db, jobs) : db.transaction((tx) => enqueueMany(tx, jobs)));
    return items.map(() => done);
  });

  async function enqueueAll(target: Queryable | null, given: readonly unknown[], enqueueOptions: MessageQueueEnqueueOptions = {}): Promise<void> {
    if (given.length === 0) return;
    const messages = options.prepare ? given.map(options.prepare) : given;
    const narrowed = enqueueOptions.orderingKey != null && options.orderingKeyOf && messages.length === 1 ? options.orderingKeyOf(messages[0], enqueueOptions.orderingKey) : enqueueOptions.orderingKey;
    const item: PendingEnqueue = { messages, options: { ...jobOptions, delayMs: delayMs(enqueueOptions), ...(narrowed == null ? {} : { orderingKey: narrowed }) } };
    // A caller's transaction is theirs to commit: written through it at once.
    return target === null ? enqueueBatched(item) : enqueueMany(target, jobsOf(item));
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
        // A queued message is parsed whole, whichever request's commit woke the worker (vocab-memo.ts).
        handler: (job) =>
          parsingWholeActivities(async () => {
            const handle = async () => void (await handler(job.message));
            await (options.around ? options.around(job.message, handle) : handle());
          }),
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
