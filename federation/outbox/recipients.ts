// Who receives an activity: remote accounts as Fedify recipients (actor id,
// inbox, shared inbox). Fedify groups them by shared inbox, so a post to many
// followers on one server is delivered there once.
import type { Recipient } from '@fedify/vocab';
import type { Queryable } from '../../server/db/knex.ts';
import { findRemoteFollowerInboxes, findRemoteInboxes, type InboxRow } from '../../server/db/federation.repo.ts';

function recipientOf(row: InboxRow): Recipient | null {
  if (!row.inboxUrl && !row.sharedInboxUrl) return null;
  return {
    id: new URL(row.uri),
    inboxId: row.inboxUrl ? new URL(row.inboxUrl) : null,
    endpoints: { sharedInbox: row.sharedInboxUrl ? new URL(row.sharedInboxUrl) : null },
  };
}

export async function recipientsFor(db: Queryable, options: { followersOf?: number; accountIds?: number[] }): Promise<Recipient[]> {
  const rows: InboxRow[] = [];
  if (options.followersOf !== undefined) rows.push(...(await findRemoteFollowerInboxes(db, options.followersOf)));
  if (options.accountIds?.length) rows.push(...(await findRemoteInboxes(db, options.accountIds)));
  const byActor = new Map<string, Recipient>();
  for (const row of rows) {
    const recipient = recipientOf(row);
    if (recipient) byActor.set(row.uri, recipient);
  }
  return [...byActor.values()];
}
