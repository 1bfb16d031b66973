// Mastodon's Conversation (https://docs.joinmastodon.org/entities/Conversation/)
// from a hydrated conversation view. Pure: nothing is queried here.
import type { ConversationView } from '../../services/conversations/conversations.service.ts';
import { serializeAccount, type MastodonAccount, type SerializeContext } from './account.ts';
import { serializeStatus, type MastodonStatus } from './status.ts';

export interface MastodonConversation {
  id: string;
  unread: boolean;
  /** The participants other than the viewer. */
  accounts: MastodonAccount[];
  last_status: MastodonStatus | null;
}

export function serializeConversation(ctx: SerializeContext, view: ConversationView): MastodonConversation {
  return {
    id: String(view.id),
    unread: view.unread,
    accounts: view.accounts.map(({ account, role }) => serializeAccount(ctx, account, role ? { role } : null)),
    last_status: serializeStatus(ctx, view.lastStatus),
  };
}
