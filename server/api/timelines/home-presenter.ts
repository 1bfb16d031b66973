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
  /** What the render depends on that the page's row carries (versionOf), compared field by field. */
  version: number[];
  /** The Status JSON without favourited/reblogged/muted/bookmarked, and without its closing brace. */
  head: Buffer;
  storedAt: number;
}

/**
 * The post's updated_at and counts and its author's updated_at, counts and
 * last post time: numbers read with the page, so no string is built per entry
 * and request (a miss builds this array once).
 */
function versionOf(entry: HomeFeedEntry): number[] {
  const { post, author } = entry;
  return [post.updatedAt, post.likesCount, post.reblogsCount, post.commentsCount, author.updatedAt, author.followersCount, author.followingCount, author.postsCount, author.lastPostAt ?? -1];
}

function isCurrent(version: number[], entry: HomeFeedEntry): boolean {
  const { post, author } = entry;
  return (
    version[0] === post.updatedAt &&
    version[1] === post.likesCount &&
    version[2] === post.reblogsCount &&
    version[3] === post.commentsCount &&
    version[4] === author.updatedAt &&
    version[5] === author.followersCount &&
    version[6] === author.followingCount &&
    version[7] === author.postsCount &&
    version[8] === (author.lastPostAt ?? -1)
  );
}

/** The eight endings, indexed by liked·4 + reblogged·2 + bookmarked: the flags in serializeStatus' order, then the closing brace. */
const ENDINGS: Buffer[] = [];
for (let index = 0; index < 8; index++) {
  const [liked, reblogged, bookmarked] = [(index & 4) !== 0, (index & 2) !== 0, (index & 1) !== 0];
  ENDINGS.push(Buffer.from(`,"favourited":${liked},"reblogged":${reblogged},"muted":false,"bookmarked":${bookmarked}}`));
}
const ending = (state: HomeFeedEntry['state']) => ENDINGS[(state.liked ? 4 : 0) + (state.reblogged ? 2 : 0) + (state.bookmarked ? 1 : 0)]!;
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

  /** The cached head for this entry, if current. */
  function hit(entry: HomeFeedEntry, viewerId: number, now: number): Buffer | null {
    if (!cacheable(entry, viewerId)) return null;
    const rendered = cache.get(entry.post.id);
    return rendered && now - rendered.storedAt < options.ttlMs && isCurrent(rendered.version, entry) ? rendered.head : null;
  }

  return {
    async render(db, viewerId, entries, now = Date.now()) {
      // Each entry is one buffer (a fresh render) or a head and an ending (from cache).
      const heads: (Buffer | null)[] = entries.map((entry) => hit(entry, viewerId, now));
      const fresh = new Map<number, Buffer>();
      const misses = new Map(entries.filter((_entry, i) => heads[i] === null).map((entry) => [entry.post.id, entry]));
      if (misses.size > 0) {
        for (const view of await postViewsFor(db, viewerId, [...misses.keys()])) {
          const status = serializeStatus(config, view);
          fresh.set(view.post.id, Buffer.from(JSON.stringify(status)));
          const entry = misses.get(view.post.id);
          if (entry && cacheable(entry, viewerId)) store(entry.post.id, { version: versionOf(entry), head: headOf(status), storedAt: now });
        }
      }
      const chunks: Buffer[] = [OPEN];
      entries.forEach((entry, i) => {
        const head = heads[i];
        const body = head === null ? fresh.get(entry.post.id) : head;
        if (body === undefined) return; // the policy, applied again, said no
        if (chunks.length > 1) chunks.push(COMMA);
        chunks.push(body);
        if (head !== null) chunks.push(ending(entry.state));
      });
      chunks.push(CLOSE);
      return Buffer.concat(chunks);
    },
  };
}
