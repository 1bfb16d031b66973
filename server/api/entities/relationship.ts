// Mastodon's Relationship entity (https://docs.joinmastodon.org/entities/Relationship/),
// plus Viewfinder's `close_friend`: the account is on the viewer's close friends list.
import type { RelationshipFlags } from '../../db/relationships.repo.ts';

export interface MastodonRelationship {
  id: string;
  following: boolean;
  showing_reblogs: boolean;
  notifying: boolean;
  languages: string[] | null;
  followed_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
  muting: boolean;
  muting_notifications: boolean;
  requested: boolean;
  requested_by: boolean;
  domain_blocking: boolean;
  endorsed: boolean;
  note: string;
  close_friend: boolean;
}

export function serializeRelationship(targetId: number, flags: RelationshipFlags): MastodonRelationship {
  return {
    id: String(targetId),
    following: flags.following,
    showing_reblogs: flags.showingReblogs,
    notifying: flags.notifying,
    languages: null,
    followed_by: flags.followedBy,
    blocking: flags.blocking,
    blocked_by: flags.blockedBy,
    muting: flags.muting,
    muting_notifications: flags.mutingNotifications,
    requested: flags.requested,
    requested_by: flags.requestedBy,
    domain_blocking: false, // per-user domain blocks do not exist yet
    endorsed: false, // featured accounts come with the profile issue
    note: '', // private notes on accounts are not stored yet
    close_friend: flags.closeFriend,
  };
}
