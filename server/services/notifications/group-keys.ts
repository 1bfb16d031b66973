// Group keys for grouped notifications (Mastodon 4.3's /api/v2/notifications):
// likes of one post, shares of one post and follows, each within a 12-hour
// span, share a key; everything else stands alone as `ungrouped-<id>`.
// Computed from the row itself (type, post, time), so no column keeps them and
// a key can be turned back into the query that finds its notifications.
import type { Notification, NotificationFilter, NotificationType } from '../../db/notifications.repo.ts';

export const GROUPABLE_TYPES: readonly NotificationType[] = ['favourite', 'reblog', 'follow'];
export const GROUP_SPAN_MS = 12 * 60 * 60 * 1000;

export function groupKeyOf(n: Pick<Notification, 'id' | 'type' | 'postId' | 'createdAt'>, groupedTypes: readonly NotificationType[] = GROUPABLE_TYPES): string {
  if (!groupedTypes.includes(n.type)) return `ungrouped-${n.id}`;
  const bucket = Math.floor(n.createdAt / GROUP_SPAN_MS);
  return n.type === 'follow' ? `follow-${bucket}` : `${n.type}-${n.postId}-${bucket}`;
}

export type ParsedGroupKey = { ungroupedId: number } | { filter: NotificationFilter & { types: NotificationType[] } };

/** The notifications a key stands for, as a filter; null for a key we never give out. */
export function parseGroupKey(key: string): ParsedGroupKey | null {
  const ungrouped = /^ungrouped-(\d{1,16})$/.exec(key);
  if (ungrouped) return { ungroupedId: Number(ungrouped[1]) };
  const span = (bucket: string) => ({ createdFrom: Number(bucket) * GROUP_SPAN_MS, createdBefore: (Number(bucket) + 1) * GROUP_SPAN_MS });
  const follow = /^follow-(\d{1,10})$/.exec(key);
  if (follow) return { filter: { types: ['follow'], ...span(follow[1]!) } };
  const post = /^(favourite|reblog)-(\d{1,16})-(\d{1,10})$/.exec(key);
  if (post) return { filter: { types: [post[1] as NotificationType], postId: Number(post[2]), ...span(post[3]!) } };
  return null;
}
