// Rows for feed tests, written straight to the database in bulk (no password
// hashing, no keys): accounts, follows, posts with hashtags; and a job worker
// with the feed jobs (and post.purge) on the test's own numbers.
import type { Config } from '../../../config/load.ts';
import { newId } from '../../../server/db/ids.ts';
import type { Db } from '../../../server/db/knex.ts';
import { setPostHashtags, upsertHashtags } from '../../../server/db/post-tags.repo.ts';
import { findPostById, insertPost, type Post, type PostVisibility } from '../../../server/db/posts.repo.ts';
import { JobRegistry } from '../../../server/jobs/registry.ts';
import { createWorker } from '../../../server/jobs/worker.ts';
import { feedPostPublished } from '../../../server/services/feeds/feed-events.ts';
import { registerFeedJobs } from '../../../server/services/feeds/feed-jobs.ts';
import type { FeedTuning } from '../../../server/services/feeds/feed-settings.ts';
import { normalizeHashtag } from '../../../server/services/text/plain-to-html.ts';
import { registerPurgePostJob } from '../../../server/services/posts/purge-post.job.ts';

const CHUNK = 400; // SQLite: at most 500 terms in the compound SELECT knex writes for a multi-row insert

async function insertChunked(db: Db, table: string, rows: Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) await db(table).insert(rows.slice(start, start + CHUNK));
}

/** `count` local accounts (or remote ones, with `domain`); returns their ids in order. */
export async function insertAccounts(db: Db, count: number, prefix: string, domain: string | null = null): Promise<number[]> {
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, i) => ({ id: newId(now), username: `${prefix}${i}`, domain, created_at: now, updated_at: now }));
  await insertChunked(db, 'accounts', rows);
  return rows.map((row) => row.id);
}

/** Each of `followerIds` follows `targetId` (accepted follows). */
export async function insertFollows(db: Db, followerIds: number[], targetId: number, options: { showReblogs?: boolean } = {}): Promise<void> {
  const now = Date.now();
  await insertChunked(
    db,
    'follows',
    followerIds.map((account_id) => ({ id: newId(now), account_id, target_account_id: targetId, show_reblogs: options.showReblogs ?? true, created_at: now })),
  );
}

export interface PostSpec {
  visibility?: PostVisibility;
  kind?: Post['kind'];
  hashtags?: string[];
  inReplyTo?: Post;
  reblogOf?: Post;
  createdAt?: number;
}

/** A post written as createPost writes it, with the feed event in the same transaction. */
export async function publish(db: Db, accountId: number, spec: PostSpec = {}): Promise<Post> {
  const now = spec.createdAt ?? Date.now();
  const id = newId(now);
  await db.transaction(async (trx) => {
    await insertPost(trx, {
      id,
      accountId,
      kind: spec.kind ?? 'photo',
      visibility: spec.reblogOf ? spec.reblogOf.visibility : (spec.visibility ?? 'public'),
      caption: (spec.hashtags ?? []).map((tag) => `#${tag}`).join(' '),
      inReplyToId: spec.inReplyTo?.id ?? null,
      inReplyToAccountId: spec.inReplyTo?.accountId ?? null,
      reblogOfId: spec.reblogOf?.id ?? null,
      createdAt: now,
      updatedAt: now,
    });
    const tags = await upsertHashtags(trx, (spec.hashtags ?? []).map((name) => ({ name: normalizeHashtag(name), displayName: name })), now);
    await setPostHashtags(trx, id, tags.map((tag) => tag.id));
    const post = (await findPostById(trx, id))!;
    if (post.visibility !== 'direct') await feedPostPublished(trx, post);
  });
  return (await findPostById(db, id))!;
}

/** Runs every due job (feed jobs and post.purge) until none is left; trims are due at once here. */
export function feedWorker(db: Db, config: Config, tuning: Partial<FeedTuning> = {}) {
  const registry = new JobRegistry();
  registerFeedJobs(registry, db, config, { trimDelayMs: 0, ...tuning });
  registerPurgePostJob(registry, db);
  const worker = createWorker({ db, registry, concurrency: 4, pollMs: 10, leaseMs: 60_000 });
  return {
    /** Runs due jobs until none is left; a job that failed makes the test fail here, not later. */
    async runUntilIdle() {
      await worker.runUntilIdle();
      const failed = await db('jobs').whereNotNull('last_error').first('type', 'last_error');
      if (failed) throw new Error(`job ${failed.type} failed: ${failed.last_error}`);
    },
  };
}

/** Post ids in an account's feed, newest first. */
export async function feedOf(db: Db, accountId: number): Promise<number[]> {
  const rows: { post_id: number }[] = await db('home_feed').where({ account_id: accountId }).orderBy('post_id', 'desc').select('post_id');
  return rows.map((row) => Number(row.post_id));
}

/** Accounts whose feed holds the post. */
export async function readersOf(db: Db, postId: number): Promise<Set<number>> {
  const rows: { account_id: number }[] = await db('home_feed').where({ post_id: postId }).select('account_id');
  return new Set(rows.map((row) => Number(row.account_id)));
}
