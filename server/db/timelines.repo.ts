// SQL that reads timelines: the home feed (one range scan on home_feed's
// primary key joined to posts), the public timeline and hashtag timelines.
// Each returns post rows, newest first, paged as Mastodon pages (max_id,
// since_id, min_id); the visibility policy then runs on them in services.
import type { Knex } from 'knex';
import { isSqlite, type Queryable } from './knex.ts';
import { postFromRow, type IdPage, type Post } from './posts.repo.ts';

type Row = Record<string, unknown>;

/** Applies max_id/since_id/min_id on `column` and reads a page, newest first. */
async function readPage(q: Knex.QueryBuilder, column: string, page: IdPage): Promise<Post[]> {
  if (page.maxId !== undefined) q.where(column, '<', page.maxId);
  if (page.sinceId !== undefined) q.where(column, '>', page.sinceId);
  if (page.minId !== undefined) {
    // The page just above min_id: the oldest ones first, then turned around.
    q.where(column, '>', page.minId).orderBy(column, 'asc');
    const rows: Row[] = await q.limit(page.limit);
    return rows.map(postFromRow).reverse();
  }
  const rows: Row[] = await q.orderBy(column, 'desc').limit(page.limit);
  return rows.map(postFromRow);
}

/** The post fields a home-feed row carries: what the policy and the rendered-status cache look at. */
export interface HomeFeedPost {
  id: number;
  accountId: number;
  visibility: Post['visibility'];
  archivedAt: number | null;
  reblogOfId: number | null;
  updatedAt: number;
  likesCount: number;
  reblogsCount: number;
  commentsCount: number;
}

/** A home-feed row with what the read path needs to apply the policy and render from cache. */
export interface HomeFeedEntry {
  post: HomeFeedPost;
  author: { id: number; suspendedAt: number | null; updatedAt: number; followersCount: number; followingCount: number; postsCount: number; lastPostAt: number | null };
  /** The viewer's ties, as services/visibility's AudienceFacts counts them (following and mentioned only where the policy asks: private and direct posts). */
  facts: { following: boolean; blocked: boolean; mentioned: boolean };
  /** The viewer's own state, as viewer-post-state.repo counts it. */
  state: { liked: boolean; bookmarked: boolean; reblogged: boolean };
}

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

const PAGE_SQL = `SELECT p.id, p.account_id, p.visibility, p.archived_at, p.reblog_of_id, p.updated_at, p.likes_count, p.reblogs_count, p.comments_count,
    a.suspended_at AS a_suspended_at, a.updated_at AS a_updated_at, a.followers_count AS a_followers_count,
    a.following_count AS a_following_count, a.posts_count AS a_posts_count, a.last_post_at AS a_last_post_at
  FROM home_feed h
  JOIN posts p ON p.id = h.post_id
  JOIN accounts a ON a.id = p.account_id
  WHERE h.account_id = ? AND p.deleted_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = h.account_id AND m.target_account_id = p.account_id AND (m.expires_at IS NULL OR m.expires_at > ?))`;
// The mute is matched on the post's author, which is the row's author_account_id
// (the sharer for a share), so the scan stays on the primary-key index.

// The viewer's ties as EXISTS columns, probed only where the policy asks
// (follow: private posts; mention: private and direct ones; blocks, either
// way: every row, once the viewer is in any block at all, which the two
// uncorrelated EXISTS tell once per statement): one unique-index probe
// each, for the page's rows only. Placeholders: v ×6.
const TIE_COLUMNS = `,
    CASE WHEN p.visibility = 'private' THEN EXISTS (SELECT 1 FROM follows x WHERE x.account_id = ? AND x.target_account_id = p.account_id) ELSE false END AS v_following,
    CASE WHEN EXISTS (SELECT 1 FROM blocks y WHERE y.account_id = ?) OR EXISTS (SELECT 1 FROM blocks y WHERE y.target_account_id = ?)
      THEN (EXISTS (SELECT 1 FROM blocks x WHERE x.account_id = ? AND x.target_account_id = p.account_id)
        OR EXISTS (SELECT 1 FROM blocks x WHERE x.account_id = p.account_id AND x.target_account_id = ?))
      ELSE false END AS v_blocked,
    CASE WHEN p.visibility IN ('private', 'direct') THEN EXISTS (SELECT 1 FROM mentions x WHERE x.post_id = p.id AND x.account_id = ?) ELSE false END AS v_mentioned`;
// Postgres: the viewer's own state too (each statement is a round trip there).
// Placeholders: v ×3.
const STATE_COLUMNS = `,
    EXISTS (SELECT 1 FROM likes x WHERE x.account_id = ? AND x.post_id = p.id) AS v_liked,
    EXISTS (SELECT 1 FROM bookmarks x WHERE x.account_id = ? AND x.post_id = p.id) AS v_bookmarked,
    EXISTS (SELECT 1 FROM posts x WHERE x.account_id = ? AND x.reblog_of_id = p.id AND x.deleted_at IS NULL) AS v_reblogged`;
const withColumns = (columns: string) => PAGE_SQL.replace(/\n  FROM home_feed h/, `${columns}\n  FROM home_feed h`);
/** Postgres: placeholders v ×9, then PAGE_SQL's. */
const PAGE_WITH_FACTS_SQL = withColumns(TIE_COLUMNS + STATE_COLUMNS);
/** SQLite: placeholders v ×6, then PAGE_SQL's. */
const PAGE_WITH_TIES_SQL = withColumns(TIE_COLUMNS);

// SQLite: the viewer's likes, bookmarks and shares within the page's id range,
// three index range scans in one statement (a probe per row would cost more).
// Placeholders: (v, low, high) ×3.
const STATE_SQL = `SELECT 1 AS kind, post_id AS id FROM likes WHERE account_id = ? AND post_id >= ? AND post_id <= ?
  UNION ALL SELECT 2, post_id FROM bookmarks WHERE account_id = ? AND post_id >= ? AND post_id <= ?
  UNION ALL SELECT 3, reblog_of_id FROM posts WHERE account_id = ? AND reblog_of_id >= ? AND reblog_of_id <= ? AND deleted_at IS NULL`;
const LIKED = 1;
const BOOKMARKED = 2;
const REBLOGGED = 3;

/**
 * The page statement for this dialect and set of cursors, built once per
 * shape: the same string each time, so the statement caches find it at once
 * (its hash is computed once, not over a fresh string per request).
 */
const pageSqls = new Map<number, string>();
function pageSql(sqlite: boolean, page: IdPage): string {
  const key = (sqlite ? 8 : 0) + (page.maxId !== undefined ? 4 : 0) + (page.sinceId !== undefined ? 2 : 0) + (page.minId !== undefined ? 1 : 0);
  let sql = pageSqls.get(key);
  if (sql === undefined) {
    sql = sqlite ? PAGE_WITH_TIES_SQL : PAGE_WITH_FACTS_SQL;
    if (page.maxId !== undefined) sql += ' AND h.post_id < ?';
    if (page.sinceId !== undefined) sql += ' AND h.post_id > ?';
    if (page.minId !== undefined) sql += ' AND h.post_id > ?';
    sql += ` ORDER BY h.post_id ${page.minId !== undefined ? 'ASC' : 'DESC'} LIMIT ?`;
    pageSqls.set(key, sql);
  }
  return sql;
}

/** An EXISTS column: true on Postgres, 1 on SQLite. */
const yes = (value: unknown) => value === true || value === 1;

/**
 * A page of the account's home feed: one range scan on home_feed's primary
 * key joined to posts and authors; posts not deleted, from authors the account
 * does not mute (a mute hides at once; its removal job follows). Each row
 * carries its author's suspension and version (what a rendered status depends
 * on), the viewer's ties to the author and post (follow, block either way,
 * mention: as services/visibility's findAudienceFacts counts them, read only
 * where the policy asks) and own state (like, bookmark, share: as
 * viewer-post-state.repo counts them). The ties are EXISTS columns of the
 * page statement. On SQLite the state is one more statement (range scans
 * within the page's ids), both run prepared on the connection without the
 * query builder; on Postgres, where each statement is a round trip, the
 * state is EXISTS columns too (the hot path: docs/decisions/0005).
 */
export async function listHomeFeedEntries(db: Queryable, accountId: number, page: IdPage, now = Date.now()): Promise<HomeFeedEntry[]> {
  const v = accountId;
  const sqlite = isSqlite(db);
  const bindings: number[] = [...Array<number>(sqlite ? 7 : 10).fill(v), now];
  if (page.maxId !== undefined) bindings.push(page.maxId);
  if (page.sinceId !== undefined) bindings.push(page.sinceId);
  const ascending = page.minId !== undefined;
  if (ascending) bindings.push(page.minId!);
  bindings.push(page.limit);
  const sql = pageSql(sqlite, page);

  return withStatements(db, async (all) => {
    const rows = await all(sql, bindings);
    if (rows.length === 0) return [];
    let stateOf = (row: Row): HomeFeedEntry['state'] => ({ liked: yes(row.v_liked), bookmarked: yes(row.v_bookmarked), reblogged: yes(row.v_reblogged) });
    if (sqlite) {
      let low = Infinity;
      let high = -Infinity;
      for (const row of rows) {
        const id = Number(row.id);
        if (id < low) low = id;
        if (id > high) high = id;
      }
      const found = await all(STATE_SQL, [v, low, high, v, low, high, v, low, high]);
      const liked = new Set<number>();
      const bookmarked = new Set<number>();
      const reblogged = new Set<number>();
      for (const row of found) {
        const set = row.kind === LIKED ? liked : row.kind === BOOKMARKED ? bookmarked : row.kind === REBLOGGED ? reblogged : null;
        set?.add(Number(row.id));
      }
      stateOf = (row) => {
        const id = Number(row.id);
        return { liked: liked.has(id), bookmarked: bookmarked.has(id), reblogged: reblogged.has(id) };
      };
    }
    const entries = rows.map((row) => entryOf(row, yes(row.v_following), yes(row.v_blocked), yes(row.v_mentioned), stateOf(row)));
    return ascending ? entries.reverse() : entries;
  });
}

function entryOf(row: Row, following: boolean, blocked: boolean, mentioned: boolean, state: HomeFeedEntry['state']): HomeFeedEntry {
  const author = Number(row.account_id);
  return {
    post: {
      id: Number(row.id),
      accountId: author,
      visibility: row.visibility as Post['visibility'],
      archivedAt: numberOrNull(row.archived_at),
      reblogOfId: numberOrNull(row.reblog_of_id),
      updatedAt: Number(row.updated_at),
      likesCount: Number(row.likes_count),
      reblogsCount: Number(row.reblogs_count),
      commentsCount: Number(row.comments_count),
    },
    author: {
      id: author,
      suspendedAt: numberOrNull(row.a_suspended_at),
      updatedAt: Number(row.a_updated_at),
      followersCount: Number(row.a_followers_count),
      followingCount: Number(row.a_following_count),
      postsCount: Number(row.a_posts_count),
      lastPostAt: numberOrNull(row.a_last_post_at),
    },
    facts: { following, blocked, mentioned },
    state,
  };
}

interface SqliteConnection {
  prepare(sql: string): { all(...params: unknown[]): Row[] };
}

type All = (sql: string, bindings: number[]) => Promise<Row[]>;

/**
 * Runs read statements: on SQLite straight on one pooled connection (whose
 * prepare() caches statements, server/db/knex.ts), synchronously one after
 * another; on Postgres through knex, concurrently on the pool. On SQLite
 * every `?` becomes `+?` where the connection prepares it (knex.ts).
 */
async function withStatements<T>(db: Queryable, work: (all: All) => Promise<T>): Promise<T> {
  if (!isSqlite(db)) {
    return work(async (sql, bindings) => ((await db.raw(sql, bindings)) as { rows: Row[] }).rows);
  }
  if (db.isTransaction) return work(async (sql, bindings) => (await db.raw(sql, bindings)) as Row[]);
  const client = db.client as { acquireConnection(): Promise<SqliteConnection>; releaseConnection(conn: SqliteConnection): Promise<void> };
  const conn = await client.acquireConnection();
  try {
    return await work(async (sql, bindings) => conn.prepare(sql).all(...bindings));
  } finally {
    await client.releaseConnection(conn);
  }
}

export interface PublicFilter {
  /** Only posts of this server's accounts. */
  local?: boolean;
  /** Only posts of other servers' accounts. */
  remote?: boolean;
  /** Only posts with photos or videos. */
  onlyMedia?: boolean;
}

/**
 * Public posts that are listed publicly: never unlisted, archived, deleted or
 * reblogs, nor by a silenced account (an admin's silence or domain silence
 * keeps an account off the public timelines, as on Mastodon).
 */
function publicPosts(db: Queryable, filter: PublicFilter): Knex.QueryBuilder {
  const q = db('posts').where('posts.visibility', 'public').whereNull('posts.deleted_at').whereNull('posts.archived_at').whereNull('posts.reblog_of_id');
  q.whereNotExists((s) => s.select(db.raw('1')).from('accounts as silenced').whereRaw('silenced.id = posts.account_id').whereNotNull('silenced.silenced_at'));
  if (filter.local || filter.remote) {
    q.join('accounts', 'accounts.id', 'posts.account_id');
    if (filter.local) q.whereNull('accounts.domain');
    else q.whereNotNull('accounts.domain');
  }
  if (filter.onlyMedia) q.whereNot('posts.kind', 'text');
  return q.select('posts.*');
}

/**
 * The public timeline: public posts, not replies to others (comments stay
 * under their post, as on Mastodon's public timelines).
 */
export async function listPublicPosts(db: Queryable, filter: PublicFilter, page: IdPage): Promise<Post[]> {
  const q = publicPosts(db, filter).where((w) => w.whereNull('posts.in_reply_to_account_id').orWhereRaw('posts.in_reply_to_account_id = posts.account_id'));
  return readPage(q, 'posts.id', page);
}

export interface TagFilter extends PublicFilter {
  /** Hashtag ids: posts with any of them (the timeline's own tag and `any[]`). */
  anyIds: number[];
  /** Each of these must be on the post too (`all[]`). */
  allIds: number[];
  /** None of these may be (`none[]`). */
  noneIds: number[];
}

/** A hashtag timeline: public posts with the tags asked for, replies included. */
export async function listTagPosts(db: Queryable, filter: TagFilter, page: IdPage): Promise<Post[]> {
  if (filter.anyIds.length === 0) return [];
  const q = publicPosts(db, filter);
  const tagged = (ids: number[]) => (s: Knex.QueryBuilder) =>
    s.select(db.raw('1')).from('post_hashtags').whereRaw('post_hashtags.post_id = posts.id').whereIn('post_hashtags.hashtag_id', ids);
  if (filter.anyIds.length === 1) {
    // One tag: walk its index (hashtag_id, post_id) newest first.
    q.join('post_hashtags', 'post_hashtags.post_id', 'posts.id').where('post_hashtags.hashtag_id', filter.anyIds[0]!);
  } else {
    q.whereExists(tagged(filter.anyIds));
  }
  for (const id of filter.allIds) q.whereExists(tagged([id]));
  if (filter.noneIds.length > 0) q.whereNotExists(tagged(filter.noneIds));
  return readPage(q, filter.anyIds.length === 1 ? 'post_hashtags.post_id' : 'posts.id', page);
}
