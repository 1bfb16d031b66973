// What local writes tell other servers (DESIGN.md rule 4): each service that
// changes something federated calls `federate` inside its transaction; it
// enqueues one `federation.send` job that builds the activity and hands it to
// Fedify (federation/outbox/send.job.ts). A rolled-back write sends nothing,
// and a dead inbox never slows or fails the user's request. Nothing is queued
// when no remote server is concerned (a like between two local accounts).
import type { Queryable } from '../../db/knex.ts';
import { findRemoteAccountIds } from '../../db/federation.repo.ts';
import { enqueue } from '../../jobs/queue.ts';

export const FEDERATION_SEND_JOB = 'federation.send';

/** Account-to-account activities: sent when the actor is local and the target remote. */
export type RelationEvent =
  | { type: 'follow'; accountId: number; targetId: number }
  | { type: 'undo-follow'; accountId: number; targetId: number }
  | { type: 'accept-follow'; accountId: number; targetId: number; followUri: string | null }
  | { type: 'reject-follow'; accountId: number; targetId: number; followUri: string | null }
  | { type: 'block'; accountId: number; targetId: number }
  | { type: 'undo-block'; accountId: number; targetId: number };

/** Activities about a post: sent when the actor is local (to the post's remote author, or the actor's remote followers). */
export type PostEvent =
  | { type: 'like'; accountId: number; postId: number; postAuthorId: number }
  | { type: 'undo-like'; accountId: number; postId: number; postAuthorId: number }
  | { type: 'announce'; accountId: number; shareId: number; postId: number; postAuthorId: number }
  | { type: 'undo-announce'; accountId: number; shareId: number; postId: number; postAuthorId: number }
  | { type: 'create'; accountId: number; postId: number }
  | { type: 'update'; accountId: number; postId: number }
  /** The post row may be purged before the job runs: who must hear of it is decided now. */
  | { type: 'delete'; accountId: number; postId: number; recipientIds: number[]; toFollowers: boolean };

export type ActorEvent = { type: 'update-actor'; accountId: number } | { type: 'delete-actor'; accountId: number };

export type OutboundEvent = RelationEvent | PostEvent | ActorEvent;

function counterpartOf(event: OutboundEvent): number | null {
  if ('targetId' in event) return event.targetId;
  if ('postAuthorId' in event) return event.postAuthorId;
  return null;
}

export async function federate(trx: Queryable, event: OutboundEvent): Promise<void> {
  const counterpart = counterpartOf(event);
  const ids = counterpart === null ? [event.accountId] : [event.accountId, counterpart];
  const remote = await findRemoteAccountIds(trx, ids);
  // Remote actors' own activities are never re-sent by us.
  if (remote.has(event.accountId)) return;
  // Likes and shares of a local post also reach the sharer's followers (announce), so only relations need a remote target.
  if (counterpart !== null && !remote.has(counterpart) && (event.type !== 'announce' && event.type !== 'undo-announce')) return;
  await enqueue(trx, FEDERATION_SEND_JOB, event, { maxAttempts: 5 });
}
