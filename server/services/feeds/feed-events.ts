// What other services tell the home feeds, enqueued in their write's
// transaction (DESIGN.md rule 4). Contract for issue 5: the feeds work fills
// these in; callers (posting, follows, blocks, mutes) already call them.
import type { Queryable } from '../../db/knex.ts';
import type { Post } from '../../db/posts.repo.ts';

/** A post was published: it goes to its author's and their followers' home feeds. */
export async function feedPostPublished(_trx: Queryable, _post: Post): Promise<void> {}

/** `accountId` now follows `authorId`: their recent posts come into its feed. */
export async function feedFollowStarted(_trx: Queryable, _accountId: number, _authorId: number): Promise<void> {}

/** `authorId`'s posts leave `accountId`'s feed (unfollow, block either way, mute). */
export async function feedAuthorRemoved(_trx: Queryable, _accountId: number, _authorId: number): Promise<void> {}
