// Direct posts grouped into conversations (1:1 and group), in the posting
// transaction. A direct post's participants are its author and its addressees
// (the accounts it mentions) that the visibility policy lets see it (a block
// either way keeps one out). A reply to a direct post joins its parent's
// conversation; any other direct post goes to the conversation its set of
// participants started, or starts one. Every participant's row is brought up
// to date: shown again if they had hidden it, unread for all but the author.
import { createHash } from 'node:crypto';
import { addMissingMembers, conversationExists, findBlockedAmong, findOrCreateConversationByKey, setPostConversation, touchConversation, upsertMembers } from '../../db/conversations.repo.ts';
import { findAccountById } from '../../db/accounts.repo.ts';
import { newId } from '../../db/ids.ts';
import type { Queryable } from '../../db/knex.ts';
import { findPostById, type Post } from '../../db/posts.repo.ts';
import { canSeePost } from '../visibility/post-visibility.ts';

type ConversationPost = Pick<Post, 'id' | 'accountId' | 'visibility' | 'archivedAt' | 'inReplyToId' | 'conversationId'>;

/** A direct post by `post.accountId` addressed to `addresseeIds` (its mentions). */
export async function conversationPostAdded(trx: Queryable, post: ConversationPost, addresseeIds: number[], now = Date.now()): Promise<number> {
  const participants = [post.accountId, ...(await reachedAddressees(trx, post, addresseeIds))];
  // Who was addressed names the conversation, even when a block keeps someone out of it.
  const key = participantsKey([post.accountId, ...addresseeIds]);
  const conversationId = (await parentConversation(trx, post)) ?? (await findOrCreateConversationByKey(trx, key, newId(now), now));
  await setPostConversation(trx, post.id, conversationId);
  await touchConversation(trx, conversationId, post.id, now);
  await upsertMembers(
    trx,
    conversationId,
    post.id,
    participants.map((accountId) => ({ accountId, unread: accountId !== post.accountId })),
  );
  return conversationId;
}

/**
 * An edit of a direct post that may address new accounts: they join its
 * conversation, unread. Those no longer addressed keep their row; their list
 * shows the newest post that still reaches them.
 */
export async function conversationPostEdited(trx: Queryable, post: ConversationPost, addresseeIds: number[], now = Date.now()): Promise<void> {
  if (post.conversationId === null || !(await conversationExists(trx, post.conversationId))) {
    await conversationPostAdded(trx, post, addresseeIds, now);
    return;
  }
  const added = await addMissingMembers(trx, post.conversationId, post.id, await reachedAddressees(trx, post, addresseeIds));
  if (added.length > 0) await touchConversation(trx, post.conversationId, post.id, now);
}

/**
 * The addressees (author left out) the policy lets see the post. Its facts
 * are loaded here with one sequential query: the posting transaction holds a
 * single connection, which must not run queries side by side.
 */
async function reachedAddressees(trx: Queryable, post: ConversationPost, addresseeIds: number[]): Promise<number[]> {
  const candidates = [...new Set(addresseeIds)].filter((id) => id !== post.accountId);
  const author = candidates.length > 0 ? await findAccountById(trx, post.accountId) : undefined;
  if (!author) return [];
  const blocked = await findBlockedAmong(trx, post.accountId, candidates);
  const mentioned = new Set([post.id]);
  return candidates.filter((id) => canSeePost(id, post, author, { following: new Set(), blocked: blocked.has(id) ? new Set([author.id]) : new Set(), mentioned }));
}

/** The conversation of the direct post this one replies to, if any. */
async function parentConversation(trx: Queryable, post: ConversationPost): Promise<number | null> {
  if (post.inReplyToId === null) return null;
  const parent = await findPostById(trx, post.inReplyToId);
  if (!parent || parent.visibility !== 'direct' || parent.conversationId === null) return null;
  return (await conversationExists(trx, parent.conversationId)) ? parent.conversationId : null;
}

/** The same people in any order give the same key. */
export function participantsKey(accountIds: number[]): string {
  const sorted = [...new Set(accountIds)].sort((a, b) => a - b);
  return createHash('sha256').update(sorted.join(',')).digest('hex');
}
