// Renders a home-timeline page as UTF-8 JSON bytes, from a cache of rendered
// statuses where it can (docs/decisions/0005). A cached status is the
// Status JSON of a post as any signed-in reader who is not its author sees
// it, without the viewer's four flags, which are appended per request (they
// are the entity's last keys, so the bytes are the same as a fresh render's).
// Kept as bytes, a page is a concatenation of buffers: no string to build,
// flatten and encode per request.
// An entry is used only while its version matches: the post's updated_at and
// counts and its author's updated_at and counts, read with the page; it also
// expires after a minute (roles, media details). The visibility policy has
// already run on every entry (timelines.service.ts); shares, the viewer's own
// posts and misses go through visiblePostViews and serializeStatus.
import type { Config } from '../../../config/load.ts';
import type { Queryable } from '../../db/knex.ts';
import type { HomeFeedEntry } from '../../db/timelines.repo.ts';
import { postViewsFor } from '../../services/feeds/timelines.service.ts';
import { serializeStatus, type MastodonStatus } from '../entities/status.ts';

export interface HomePresenterOptions {
  maxEntries: number;
  ttlMs: number;
}

/** 20,000 statuses of about 2.5 kB: some 50 MB at most. */
export const RENDERED_STATUS_CACHE: HomePresenterOptions = { maxEntries: 20_000, ttlMs: 60_000 };

interface Rendered {
  version: string;
  /** The Status JSON without favourited/reblogged/muted/bookmarked, and without its closing brace. */
  head: Buffer;
  storedAt: number;
}

function versionOf(entry: HomeFeedEntry): string {
  const { post, author } = entry;
  return `${post.updatedAt}|${post.likesCount}|${post.reblogsCount}|${post.commentsCount}|${author.updatedAt}|${author.followersCount}|${author.followingCount}|${author.postsCount}|${author.lastPostAt}`;
}

/** The eight endings: the flags in serializeStatus' order, then the closing brace. */
const ENDINGS = new Map<string, Buffer>();
for (const liked of [false, true]) {
  for (const reblogged of [false, true]) {
    for (const bookmarked of [false, true]) {
      ENDINGS.set(`${liked}${reblogged}${bookmarked}`, Buffer.from(`,"favourited":${liked},"reblogged":${reblogged},"muted":false,"bookmarked":${bookmarked}}`));
    }
  }
}
const ending = (state: HomeFeedEntry['state']) => ENDINGS.get(`${state.liked}${state.reblogged}${state.bookmarked}`)!;
const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

function headOf(status: MastodonStatus): Buffer {
  const { favourited: _f, reblogged: _r, muted: _m, bookmarked: _b, ...rest } = status;
  const json = JSON.stringify(rest);
  return Buffer.from(json.slice(0, -1));
}

export interface HomePresenter {
  /** The page as a JSON array (UTF-8), in the entries' order. */
  render(db: Queryable, viewerId: number, entries: HomeFeedEntry[], now?: number): Promise<Buffer>;
}

export function createHomePresenter(config: Config, options: HomePresenterOptions = RENDERED_STATUS_CACHE): HomePresenter {
  const cache = new Map<number, Rendered>();
  const cacheable = (entry: HomeFeedEntry, viewerId: number) => entry.post.reblogOfId === null && entry.post.accountId !== viewerId;

  function store(id: number, rendered: Rendered): void {
    cache.delete(id);
    if (cache.size >= options.maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(id, rendered);
  }

  return {
    async render(db, viewerId, entries, now = Date.now()) {
      const parts: (Buffer[] | null)[] = new Array(entries.length).fill(null);
      const misses: number[] = [];
      entries.forEach((entry, i) => {
        if (cacheable(entry, viewerId)) {
          const hit = cache.get(entry.post.id);
          if (hit && hit.version === versionOf(entry) && now - hit.storedAt < options.ttlMs) {
            parts[i] = [hit.head, ending(entry.state)];
            return;
          }
        }
        misses.push(i);
      });
      if (misses.length > 0) {
        const views = new Map((await postViewsFor(db, viewerId, misses.map((i) => entries[i]!.post.id))).map((view) => [view.post.id, view]));
        for (const i of misses) {
          const entry = entries[i]!;
          const view = views.get(entry.post.id);
          if (!view) continue; // the policy, applied again, said no
          const status = serializeStatus(config, view);
          parts[i] = [Buffer.from(JSON.stringify(status))];
          if (cacheable(entry, viewerId)) store(entry.post.id, { version: versionOf(entry), head: headOf(status), storedAt: now });
        }
      }
      const chunks: Buffer[] = [OPEN];
      for (const part of parts) {
        if (part === null) continue;
        if (chunks.length > 1) chunks.push(COMMA);
        chunks.push(...part);
      }
      chunks.push(CLOSE);
      return Buffer.concat(chunks);
    },
  };
}
