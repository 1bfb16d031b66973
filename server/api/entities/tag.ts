// Mastodon's Tag (https://docs.joinmastodon.org/entities/Tag/): a hashtag with
// a week of use, newest day first, and whether the viewer follows it.
// Pure: the history and the follow come in, nothing is queried.
import { TAG_HISTORY_DAYS, type TagView } from '../../services/feeds/followed-tags.service.ts';

export interface MastodonTagHistory {
  /** Start of the day, UNIX seconds, as a string. */
  day: string;
  uses: string;
  accounts: string;
}

export interface MastodonTag {
  /** Empty for a tag nobody has used or followed yet (Mastodon's unsaved tag). */
  id: string;
  name: string;
  url: string;
  history: MastodonTagHistory[];
  /** Only for a signed-in viewer. */
  following?: boolean;
}

const DAY_MS = 86_400_000;

export function serializeTag(ctx: { publicUrl: string }, tag: TagView, now: number): MastodonTag {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const byDay = new Map(tag.history.map((use) => [use.day, use]));
  const history: MastodonTagHistory[] = [];
  for (let i = 0; i < TAG_HISTORY_DAYS; i++) {
    const day = today - i * DAY_MS;
    const use = byDay.get(day);
    history.push({ day: String(day / 1000), uses: String(use?.uses ?? 0), accounts: String(use?.accounts ?? 0) });
  }
  const entity: MastodonTag = {
    id: tag.id === null ? '' : String(tag.id),
    name: tag.displayName,
    url: `${ctx.publicUrl}/tags/${encodeURIComponent(tag.name)}`,
    history,
  };
  if (tag.following !== undefined) entity.following = tag.following;
  return entity;
}
