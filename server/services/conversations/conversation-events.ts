// Direct posts grouped into conversations (1:1 and group), in the posting
// transaction. Contract for issue 5: the direct-messages work fills this in.
import type { Queryable } from '../../db/knex.ts';
import type { Post } from '../../db/posts.repo.ts';

/** A direct post by `post.accountId` addressed to `addresseeIds` (its mentions). */
export async function conversationPostAdded(_trx: Queryable, _post: Post, _addresseeIds: number[]): Promise<void> {}
