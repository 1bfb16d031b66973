// Sharing (Mastodon's reblog): a posts row pointing at the original, fanned
// out to the sharer's followers like a post of their own. As Mastodon: public
// unless another visibility is asked for; a followers-only post may be shared
// only by its author (and the share stays followers-only), a direct post never.
// The share row, the original's count, the feed fan-out and the author's
// notification are written in one transaction, the count only when a row was
// really added or removed.
import { newId } from '../../db/ids.ts';
import type { Db } from '../../db/knex.ts';
import type { PostVisibility } from '../../db/posts.repo.ts';
import { adjustReblogsCount, findLiveReblog, insertReblog, markReblogDeleted } from '../../db/reblogs.repo.ts';
import { AppError, unprocessable } from '../../errors.ts';
import { enqueue } from '../../jobs/queue.ts';
import { feedPostPublished } from '../feeds/feed-events.ts';
import { notify, withdrawNotification } from '../notifications/notify.ts';
import { PURGE_POST_JOB } from '../posts/purge-post.job.ts';
import { federate } from '../federation/outbound.ts';
import { findOriginal, visibleTarget } from './target-post.ts';

const SHARE_VISIBILITIES: readonly PostVisibility[] = ['public', 'unlisted', 'private'];

/** Mastodon's answer when the policy forbids an action on a post one may see. */
const notAllowed = () => new AppError(403, 'This action is not allowed');

/** Shares the post (or the original of a share); returns the share's id, the existing one if it was shared already. */
export async function reblogPost(db: Db, accountId: number, id: number, input: { visibility?: string; uri?: string } = {}): Promise<number> {
  const { post } = await visibleTarget(db, accountId, id);
  const own = post.accountId === accountId;
  if (post.visibility === 'direct' || (post.visibility === 'private' && !own) || post.archivedAt !== null) throw notAllowed();
  let visibility: PostVisibility = 'public';
  if (post.visibility === 'private') visibility = 'private';
  else if (input.visibility !== undefined && input.visibility !== '') {
    if (!SHARE_VISIBILITIES.includes(input.visibility as PostVisibility)) throw unprocessable(`Validation failed: Visibility must be one of ${SHARE_VISIBILITIES.join(', ')}`);
    visibility = input.visibility as PostVisibility;
  }

  for (let attempt = 1; ; attempt++) {
    const now = Date.now();
    const shared = await db.transaction(async (trx) => {
      const reblog = await insertReblog(trx, { id: newId(now), accountId, original: post, visibility, now, uri: input.uri });
      if (!reblog) return (await findLiveReblog(trx, accountId, post.id))?.id ?? null;
      await adjustReblogsCount(trx, post.id, 1);
      await feedPostPublished(trx, reblog);
      if (!own) await notify(trx, { type: 'reblog', recipientId: post.accountId, fromAccountId: accountId, postId: post.id });
      // Followers-only shares stay among our own followers' servers too: Announce goes public only for public shares.
      if (visibility !== 'private') await federate(trx, { type: 'announce', accountId, shareId: reblog.id, postId: post.id, postAuthorId: post.accountId });
      return reblog.id;
    });
    if (shared !== null) return shared;
    // Nothing inserted and no share found: the new id was taken (rare; DESIGN.md rule 6).
    if (attempt >= 3) throw new Error(`could not insert a share of post ${post.id} by account ${accountId}`);
  }
}

/**
 * Takes the share back: the row is marked deleted (hidden everywhere at once)
 * and the post.purge job takes it out of home feeds. Works even on a post the
 * account may no longer see. Returns the original's id, or undefined when
 * there is no such post.
 */
export async function unreblogPost(db: Db, accountId: number, id: number): Promise<number | undefined> {
  const post = await findOriginal(db, id);
  if (!post) return undefined;
  await db.transaction(async (trx) => {
    for (const reblogId of await markReblogDeleted(trx, accountId, post.id)) {
      await adjustReblogsCount(trx, post.id, -1);
      await enqueue(trx, PURGE_POST_JOB, { postId: reblogId });
      await withdrawNotification(trx, { type: 'reblog', recipientId: post.accountId, fromAccountId: accountId, postId: post.id });
      await federate(trx, { type: 'undo-announce', accountId, shareId: reblogId, postId: post.id, postAuthorId: post.accountId });
    }
  });
  return post.id;
}
