// Muting: the muted account's posts leave the muter's home feed, and (by
// default) its notifications stop; with a duration the mute ends by itself
// (reads compare expires_at with now). Muting again changes the settings.
import type { Db } from '../../db/knex.ts';
import { findFollowersAmong, lockAccounts } from '../../db/follows.repo.ts';
import { deleteMute, findActiveMute, upsertMute } from '../../db/mutes.repo.ts';
import type { RelationshipFlags } from '../../db/relationships.repo.ts';
import { feedAuthorRemoved, feedFollowStarted } from '../feeds/feed-events.ts';
import { refuseSelf, relationshipWith, requireTarget } from './social-target.ts';

export interface MuteOptions {
  /** Hide notifications from the account too; default true. */
  notifications?: boolean;
  /** Seconds; 0 or absent: until unmuted. */
  duration?: number;
}

export async function muteAccount(db: Db, actorId: number, targetId: number, options: MuteOptions = {}, now = Date.now()): Promise<RelationshipFlags> {
  refuseSelf(actorId, targetId, 'mute');
  const duration = options.duration ?? 0;
  await db.transaction(async (trx) => {
    await lockAccounts(trx, [actorId, targetId]);
    await requireTarget(trx, targetId);
    const wasMuted = (await findActiveMute(trx, actorId, targetId, now)) !== undefined;
    await upsertMute(trx, actorId, targetId, { hideNotifications: options.notifications ?? true, expiresAt: duration > 0 ? now + duration * 1000 : null }, now);
    if (!wasMuted) await feedAuthorRemoved(trx, actorId, targetId);
  });
  return relationshipWith(db, actorId, targetId);
}

export async function unmuteAccount(db: Db, actorId: number, targetId: number): Promise<RelationshipFlags> {
  await requireTarget(db, targetId);
  await db.transaction(async (trx) => {
    // As on Mastodon, an unmuted account one still follows comes back into the home feed.
    if ((await deleteMute(trx, actorId, targetId)) && (await findFollowersAmong(trx, targetId, [actorId])).has(actorId)) {
      await feedFollowStarted(trx, actorId, targetId);
    }
  });
  return relationshipWith(db, actorId, targetId);
}
