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

// Postgres: the viewer's ties and state as EXISTS columns of the same
// statement (one round trip; each an index probe for the page's rows only).
// Placeholders: v ×8, then PAGE_SQL's.
const FACT_COLUMNS = `,
    CASE WHEN p.visibility = 'private' THEN EXISTS (SELECT 1 FROM follows x WHERE x.account_id = ? AND x.target_account_id = p.account_id) ELSE false END AS v_following,
    (EXISTS (SELECT 1 FROM blocks x WHERE x.account_id = ? AND x.target_account_id = p.account_id)
      OR EXISTS (SELECT 1 FROM blocks x WHERE x.account_id = p.account_id AND x.target_account_id = ?)) AS v_blocked,
    CASE WHEN p.visibility IN ('private', 'direct') THEN EXISTS (SELECT 1 FROM mentions x WHERE x.post_id = p.id AND x.account_id = ?) ELSE false END AS v_mentioned,
    EXISTS (SELECT 1 FROM likes x WHERE x.account_id = ? AND x.post_id = p.id) AS v_liked,
    EXISTS (SELECT 1 FROM bookmarks x WHERE x.account_id = ? AND x.post_id = p.id) AS v_bookmarked,
    EXISTS (SELECT 1 FROM posts x WHERE x.account_id = ? AND x.reblog_of_id = p.id AND x.deleted_at IS NULL) AS v_reblogged
  FROM home_feed h`;
const PAGE_WITH_FACTS_SQL = PAGE_SQL.replace(/\n  FROM home_feed h/, FACT_COLUMNS);

const list = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * A page of the account's home feed: one range scan on home_feed's primary
 * key joined to posts and authors; posts not deleted, from authors the account
 * does not mute (a mute hides at once; its removal job follows). Each row
 * carries its author's suspension and version (what a rendered status depends
 * on) and the viewer's ties to the author and post (follow, block either way,
 * mention: as services/visibility's findAudienceFacts counts them, read only
 * where the policy asks) and own state (like, bookmark, share: as
 * viewer-post-state.repo counts them). On SQLite, a fixed number of
 * statements run prepared on the connection, without the query builder: the
 * page, then the viewer's likes, bookmarks and shares within the page's id
 * range (index range scans) and blocks, follows and mentions for the page's
 * authors and posts. On Postgres, where each statement is a round trip, one
 * statement with those as EXISTS columns (the hot path: docs/decisions/0005).
 */
export async function listHomeFeedEntries(db: Queryable, accountId: number, page: IdPage, now = Date.now()): Promise<HomeFeedEntry[]> {
  const v = accountId;
  const oneStatement = !isSqlite(db);
  const bindings: number[] = oneStatement ? [v, v, v, v, v, v, v, v, now] : [v, now];
  let sql = oneStatement ? PAGE_WITH_FACTS_SQL : PAGE_SQL;
  if (page.maxId !== undefined) {
    sql += ' AND h.post_id < ?';
    bindings.push(page.maxId);
  }
  if (page.sinceId !== undefined) {
    sql += ' AND h.post_id > ?';
    bindings.push(page.sinceId);
  }
  const ascending = page.minId !== undefined;
  if (ascending) {
    sql += ' AND h.post_id > ?';
    bindings.push(page.minId!);
  }
  sql += ` ORDER BY h.post_id ${ascending ? 'ASC' : 'DESC'} LIMIT ?`;
  bindings.push(page.limit);

  return withStatements(db, async (all) => {
    const rows = await all(sql, bindings);
    if (rows.length === 0) return [];
    if (oneStatement) {
      const entries = rows.map((row) =>
        entryOf(row, row.v_following === true, row.v_blocked === true, row.v_mentioned === true, {
          liked: row.v_liked === true,
          bookmarked: row.v_bookmarked === true,
          reblogged: row.v_reblogged === true,
        }),
      );
      return ascending ? entries.reverse() : entries;
    }
    const ids = rows.map((row) => Number(row.id));
    const low = Math.min(...ids);
    const high = Math.max(...ids);
    const authors = [...new Set(rows.map((row) => Number(row.account_id)).filter((id) => id !== v))];
    const privateAuthors = [...new Set(rows.filter((row) => row.visibility === 'private').map((row) => Number(row.account_id)).filter((id) => id !== v))];
    const addressed = rows.filter((row) => row.visibility === 'private' || row.visibility === 'direct').map((row) => Number(row.id));
    const ofColumn = (column: string) => (found: Row[]) => new Set(found.map((row) => Number(row[column])));
    const none = async () => new Set<number>();
    const [liked, bookmarked, reblogged, blocked, following, mentioned] = await Promise.all([
      all('SELECT post_id FROM likes WHERE account_id = ? AND post_id >= ? AND post_id <= ?', [v, low, high]).then(ofColumn('post_id')),
      all('SELECT post_id FROM bookmarks WHERE account_id = ? AND post_id >= ? AND post_id <= ?', [v, low, high]).then(ofColumn('post_id')),
      all('SELECT reblog_of_id FROM posts WHERE account_id = ? AND reblog_of_id >= ? AND reblog_of_id <= ? AND deleted_at IS NULL', [v, low, high]).then(ofColumn('reblog_of_id')),
      authors.length === 0
        ? none()
        : all(
            `SELECT target_account_id AS id FROM blocks WHERE account_id = ? AND target_account_id IN (${list(authors.length)})
             UNION ALL SELECT account_id AS id FROM blocks WHERE target_account_id = ? AND account_id IN (${list(authors.length)})`,
            [v, ...authors, v, ...authors],
          ).then(ofColumn('id')),
      privateAuthors.length === 0
        ? none()
        : all(`SELECT target_account_id FROM follows WHERE account_id = ? AND target_account_id IN (${list(privateAuthors.length)})`, [v, ...privateAuthors]).then(ofColumn('target_account_id')),
      addressed.length === 0 ? none() : all(`SELECT post_id FROM mentions WHERE account_id = ? AND post_id IN (${list(addressed.length)})`, [v, ...addressed]).then(ofColumn('post_id')),
    ]);
    const entries = rows.map((row) => {
      const id = Number(row.id);
      const author = Number(row.account_id);
      return entryOf(row, following.has(author), blocked.has(author), mentioned.has(id), { liked: liked.has(id), bookmarked: bookmarked.has(id), reblogged: reblogged.has(id) });
    });
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
 * another; on Postgres through knex, concurrently on the pool.
 */
async function withStatements<T>(db: Queryable, work: (all: All) => Promise<T>): Promise<T> {
  if (!isSqlite(db) || db.isTransaction) {
    return work(async (sql, bindings) => {
      const result = await db.raw(sql, bindings);
      return Array.isArray(result) ? (result as Row[]) : (result as { rows: Row[] }).rows;
    });
  }
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

/** Public posts that are listed publicly: never unlisted, archived, deleted or reblogs. */
function publicPosts(db: Queryable, filter: PublicFilter): Knex.QueryBuilder {
  const q = db('posts').where('posts.visibility', 'public').whereNull('posts.deleted_at').whereNull('posts.archived_at').whereNull('posts.reblog_of_id');
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
