// The notification jobs: `status` notifications to an author's subscribers and
// `update` notifications to a post's sharers, a batch per transaction, each
// batch enqueueing the next in the same transaction (so progress survives a
// crash and one big account never holds the queue); and forgetting the
// notifications between two accounts after a block. All idempotent: a rerun
// batch finds its notifications' dedupe keys taken.
import type { Config } from '../../../config/load.ts';
import type { Db, Queryable } from '../../db/knex.ts';
import { deleteNotificationsBetween, findSharerPage, findSubscriberPage, type NotificationType } from '../../db/notifications.repo.ts';
import { findPostById } from '../../db/posts.repo.ts';
import { enqueue } from '../../jobs/queue.ts';
import type { JobContext, JobRegistry } from '../../jobs/registry.ts';
import { FORGET_BETWEEN_JOB, NOTIFY_SHARERS_JOB, NOTIFY_SUBSCRIBERS_JOB, notifyMany } from './notify.ts';

export const NOTIFICATION_BATCH = 1000;

interface FanOutPayload {
  postId: number;
  authorId: number;
  /** The cursor (follow or share id) this batch starts after. */
  after: number;
}

type Page = (db: Queryable, postId: number, authorId: number, after: number, limit: number) => Promise<{ cursor: number; accountId: number }[]>;

function fanOut(db: Db, jobType: string, type: NotificationType, page: Page, batch: number) {
  return async ({ postId, authorId, after }: FanOutPayload, ctx: JobContext): Promise<void> => {
    if (ctx.signal.aborted) throw new Error('stopped before notifying; it will be resumed');
    await db.transaction(async (trx) => {
      const post = await findPostById(trx, postId);
      // A post deleted (or made direct) before its job ran notifies no one.
      if (!post || post.accountId !== authorId || post.visibility === 'direct') return;
      const rows = await page(trx, postId, authorId, after, batch);
      await notifyMany(
        trx,
        type,
        rows.map((row) => row.accountId),
        authorId,
        postId,
      );
      if (rows.length === batch) {
        const next = rows[rows.length - 1]!.cursor;
        await enqueue(trx, jobType, { postId, authorId, after: next }, { dedupeKey: `${jobType}:${postId}:${next}` });
      }
    });
  };
}

export function registerNotificationJobs(registry: JobRegistry, db: Db, _config: Config, options: { batch?: number } = {}): void {
  const batch = options.batch ?? NOTIFICATION_BATCH;
  registry.register<FanOutPayload>(
    NOTIFY_SUBSCRIBERS_JOB,
    fanOut(db, NOTIFY_SUBSCRIBERS_JOB, 'status', (trx, _postId, authorId, after, limit) => findSubscriberPage(trx, authorId, after, limit), batch),
  );
  registry.register<FanOutPayload>(
    NOTIFY_SHARERS_JOB,
    fanOut(db, NOTIFY_SHARERS_JOB, 'update', (trx, postId, _authorId, after, limit) => findSharerPage(trx, postId, after, limit), batch),
  );
  registry.register<{ a: number; b: number }>(FORGET_BETWEEN_JOB, async ({ a, b }, ctx) => {
    // One short statement per batch, so the database is never held for long.
    while ((await deleteNotificationsBetween(db, a, b, batch)) >= batch) {
      if (ctx.signal.aborted) throw new Error('stopped before the notifications were removed; it will be resumed');
    }
  });
}
