// Creating notifications, in the transaction of the write they follow from.
// Contract for issue 5: the notifications work fills this in (never from
// blocked or muted accounts, never to oneself, one per dedupe key).
import type { Queryable } from '../../db/knex.ts';

export type NotificationType = 'follow' | 'follow_request' | 'favourite' | 'reblog' | 'mention' | 'status' | 'update';

export interface NewNotification {
  type: NotificationType;
  /** Who is notified. */
  recipientId: number;
  /** Who did it. */
  fromAccountId: number;
  postId?: number | null;
}

export async function notify(_trx: Queryable, _notification: NewNotification): Promise<void> {}

/** A post was published: followers who asked to be notified (`notify` on their follow) get a `status` notification. */
export async function notifySubscribers(_trx: Queryable, _postId: number, _authorId: number): Promise<void> {}

/** A post was edited: those who shared it get an `update` notification. */
export async function notifyPostEdited(_trx: Queryable, _postId: number, _authorId: number): Promise<void> {}
