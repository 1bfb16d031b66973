// The inbox listeners: the personal inboxes and the shared inbox take the same
// activities. Fedify verifies every signature before a listener runs (an
// unsigned or forged POST is answered 401 and stores nothing), remembers each
// activity id so a duplicate delivery changes nothing, and queues the work to
// the job worker. Unknown types are logged at debug level and dropped.
import { Accept, Activity, Announce, Block, Create, Delete, Flag, Follow, Like, Move, Reject, Undo, Update } from '@fedify/vocab';
import type { FederationBuilder } from '@fedify/fedify';
import { INSTANCE_ACTOR, type FederationData } from '../context.ts';
import { PATHS } from '../urls.ts';
import { onBlock } from './block.ts';
import { inboxLog } from './common.ts';
import { onAccept, onReject } from './follow-answers.ts';
import { onFollow } from './follow.ts';
import { onFlag } from './flag.ts';
import { onAnnounce, onLike } from './like.ts';
import { onMove } from './move.ts';
import { onCreate, onDelete, onUpdate } from './notes.ts';
import { onUndo } from './undo.ts';

export function registerInboxListeners(builder: FederationBuilder<FederationData>): void {
  builder
    .setInboxListeners(PATHS.inbox, PATHS.sharedInbox)
    .withIdempotency('global')
    // Keys are fetched signed by the instance actor, for servers that require signed fetches.
    .setSharedKeyDispatcher(() => ({ identifier: INSTANCE_ACTOR }))
    .on(Follow, onFollow)
    .on(Accept, onAccept)
    .on(Reject, onReject)
    .on(Undo, onUndo)
    .on(Create, onCreate)
    .on(Update, onUpdate)
    .on(Delete, onDelete)
    .on(Like, onLike)
    .on(Announce, onAnnounce)
    .on(Block, onBlock)
    .on(Flag, onFlag)
    .on(Move, onMove)
    .on(Activity, (_ctx, activity) => inboxLog.debug('Ignoring an activity of type {type}', { type: activity.constructor.name }))
    .onError((_ctx, error) => inboxLog.warn('Inbox listener failed: {error}', { error }));
}
