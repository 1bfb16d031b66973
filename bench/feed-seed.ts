// The data generator behind bench/feed.ts: 100,000 accounts, 1,000,000 posts
// (one photo each) and about 5,000,000 follows at --scale=1, with a realistic
// skew: four accounts with 80k, 70k, 60k and 50k followers, then follower
// counts falling off as 1/rank down to a handful. Rows are generated in this
// process (a seeded PRNG, so every run and both databases get the same data)
// and bulk-inserted directly: no password hashing, no keys, no API. On SQLite
// the secondary indexes are dropped during the load and rebuilt after
// (sorting once is far faster than 5M random index inserts), with journaling
// off; on Postgres rows go in 50,000 at a time through unnest() arrays.
// Every account gets a home feed built from its followees' newest posts, as
// fan-out would have left it: the readers (the accounts the benchmark reads
// as, with users rows) their full 800, the others their newest 50, so that a
// fan-out writes into feeds that exist.
import Database from 'better-sqlite3';
import { ID_EPOCH_MS } from '../server/db/ids.ts';
import type { Db } from '../server/db/knex.ts';

export interface SeedShape {
  accounts: number;
  posts: number;
  follows: number;
  /** Follower counts of the most followed accounts (indexes 0..n-1). */
  celebrities: number[];
  /** Accounts that get a user, a token and a full home feed. */
  readers: number;
  /** Entries in every other account's home feed. */
  feedFill: number;
}

export function shapeFor(scale: number): SeedShape {
  const n = (x: number) => Math.max(1, Math.round(x * scale));
  return {
    accounts: n(100_000),
    posts: n(1_000_000),
    follows: n(5_000_000),
    celebrities: [80_000, 70_000, 60_000, 50_000].map(n),
    readers: Math.max(20, n(1_000)),
    feedFill: 50,
  };
}

/** Index (into the account list) of the account with the 50k followers: the fan-out figure posts as it. */
export const FANOUT_ACCOUNT = 3;

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedData {
  shape: SeedShape;
  accountIds: Float64Array;
  followersCount: Int32Array;
  followingCount: Int32Array;
  postsCount: Int32Array;
  /** follows[k] = (followerIndex, targetIndex), grouped by target. */
  followFollower: Int32Array;
  followTarget: Int32Array;
  followIdBase: number;
  /** Posts sorted by id (time). */
  postIds: Float64Array;
  postAuthor: Int32Array;
  postVisibility: Uint8Array;
  readerIndexes: number[];
}

export const VISIBILITIES = ['public', 'unlisted', 'private'] as const;
const DAY = 86_400_000;

export function generate(shape: SeedShape, now = Date.now()): SeedData {
  const random = prng(20261202);
  const n = shape.accounts;
  const int = (limit: number) => Math.floor(random() * limit);

  // Accounts were created over the last two years; ids one millisecond apart.
  const accountIds = new Float64Array(n);
  const accountStart = now - 730 * DAY - ID_EPOCH_MS;
  for (let i = 0; i < n; i++) accountIds[i] = (accountStart + i) * 4096 + 1;

  // Follower counts: the celebrities, then c(r) = A / (r + 10), summing to the total.
  const counts = new Int32Array(n);
  let left = shape.follows;
  for (let i = 0; i < shape.celebrities.length && i < n; i++) {
    counts[i] = Math.min(shape.celebrities[i]!, n - 1);
    left -= counts[i]!;
  }
  let harmonic = 0;
  for (let r = shape.celebrities.length; r < n; r++) harmonic += 1 / (r + 10);
  const a = Math.max(0, left) / harmonic;
  for (let r = shape.celebrities.length; r < n; r++) counts[r] = Math.min(n - 1, Math.max(1, Math.round(a / (r + 10))));
  let total = 0;
  for (let r = 0; r < n; r++) total += counts[r]!;

  // Each target's followers: distinct accounts drawn uniformly (the complement when more than half).
  const followFollower = new Int32Array(total);
  const followTarget = new Int32Array(total);
  const followingCount = new Int32Array(n);
  const mark = new Uint8Array(n);
  let k = 0;
  for (let target = 0; target < n; target++) {
    const want = counts[target]!;
    const invert = want > n / 2;
    const draws = invert ? n - 1 - want : want;
    mark[target] = 1;
    const drawn: number[] = [];
    while (drawn.length < draws) {
      const candidate = int(n);
      if (mark[candidate]) continue;
      mark[candidate] = 1;
      drawn.push(candidate);
    }
    const chosen = invert ? Array.from({ length: n }, (_, i) => i).filter((i) => !mark[i]) : drawn;
    for (const follower of chosen) {
      followFollower[k] = follower;
      followTarget[k] = target;
      followingCount[follower]! += 1;
      k += 1;
    }
    // Only what was marked is cleared: clearing all of it per target would be n² writes.
    mark[target] = 0;
    for (const index of drawn) mark[index] = 0;
  }

  // Posts: 0–20 per account (about 10 on average), spread over the last 60 days.
  const perAccount = new Int32Array(n);
  for (let i = 0; i < shape.posts; i++) perAccount[int(n)]! += 1;
  const times = new Float64Array(shape.posts);
  const authors = new Int32Array(shape.posts);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < perAccount[i]!; j++) {
      times[p] = now - 60 * DAY + random() * 60 * DAY - 60_000;
      authors[p] = i;
      p += 1;
    }
  }
  const order = Array.from({ length: shape.posts }, (_, i) => i).sort((x, y) => times[x]! - times[y]!);
  const postIds = new Float64Array(shape.posts);
  const postAuthor = new Int32Array(shape.posts);
  const postVisibility = new Uint8Array(shape.posts);
  let last = 0;
  for (let i = 0; i < order.length; i++) {
    const id = Math.max(last + 1, Math.floor(times[order[i]!]! - ID_EPOCH_MS) * 4096);
    postIds[i] = id;
    last = id;
    postAuthor[i] = authors[order[i]!]!;
    const roll = random();
    postVisibility[i] = roll < 0.85 ? 0 : roll < 0.9 ? 1 : 2;
  }

  // Readers: ordinary accounts (not the celebrities), spread over the list.
  const readerIndexes: number[] = [];
  const step = Math.max(1, Math.floor((n - 100) / shape.readers));
  for (let i = 0; i < shape.readers; i++) readerIndexes.push(Math.min(n - 1, 100 + i * step));

  return {
    shape,
    accountIds,
    followersCount: counts,
    followingCount,
    postsCount: perAccount,
    followFollower,
    followTarget,
    followIdBase: (now - 365 * DAY - ID_EPOCH_MS) * 4096,
    postIds,
    postAuthor,
    postVisibility,
    readerIndexes,
  };
}

export const usernameOf = (index: number) => `u${index}`;

/** Row builders shared by both loaders: column order matters. */
const accountColumns = ['id', 'username', 'display_name', 'note', 'note_html', 'followers_count', 'following_count', 'posts_count', 'created_at', 'updated_at'];
function accountRow(d: SeedData, i: number, now: number): unknown[] {
  return [d.accountIds[i], usernameOf(i), `User ${i}`, '', '', d.followersCount[i], d.followingCount[i], d.postsCount[i], now, now];
}
const followColumns = ['id', 'account_id', 'target_account_id', 'created_at'];
function followRow(d: SeedData, k: number, now: number): unknown[] {
  return [d.followIdBase + k, d.accountIds[d.followFollower[k]!], d.accountIds[d.followTarget[k]!], now];
}
const postColumns = ['id', 'account_id', 'kind', 'caption', 'caption_html', 'visibility', 'created_at', 'updated_at'];
function postRow(d: SeedData, i: number): unknown[] {
  const created = Math.floor(d.postIds[i]! / 4096) + ID_EPOCH_MS;
  return [d.postIds[i], d.accountIds[d.postAuthor[i]!], 'photo', `Photo ${i}`, `<p>Photo ${i} from the bench</p>`, VISIBILITIES[d.postVisibility[i]!], created, created];
}
const mediaColumns = ['id', 'account_id', 'post_id', 'position', 'kind', 'state', 'mime_type', 'variants', 'width', 'height', 'blurhash', 'processed_at', 'created_at', 'updated_at'];
function mediaRow(d: SeedData, i: number): unknown[] {
  const id = d.postIds[i]!;
  const created = Math.floor(id / 4096) + ID_EPOCH_MS;
  const key = (name: string, ext: string) => `m/${id}/${name}.${ext}`;
  const variants = JSON.stringify({
    original: { key: key('original', 'jpg'), width: 2048, height: 1536 },
    large: { key: key('large', 'jpg'), width: 1440, height: 1080 },
    small: { key: key('small', 'jpg'), width: 640, height: 480 },
    thumbnail: { key: key('thumbnail', 'jpg'), width: 320, height: 240 },
    largeWebp: { key: key('large', 'webp'), width: 1440, height: 1080 },
    smallWebp: { key: key('small', 'webp'), width: 640, height: 480 },
  });
  return [id, d.accountIds[d.postAuthor[i]!], id, 0, 'image', 'ready', 'image/jpeg', variants, 2048, 1536, 'LEHV6nWB2yk8pyo0adR*.7kCMdnj', created, created, created];
}
const userColumns = ['id', 'account_id', 'email', 'role', 'approved', 'confirmed_at', 'created_at', 'updated_at'];
function userRow(d: SeedData, index: number, now: number, sqlite: boolean): unknown[] {
  return [d.accountIds[index]! + 7, d.accountIds[index], `${usernameOf(index)}@bench.example`, 'user', sqlite ? 1 : true, now, now, now];
}

/** Accounts that get users: the readers and the fan-out poster. */
export function userIndexes(d: SeedData): number[] {
  return [...new Set([FANOUT_ACCOUNT, ...d.readerIndexes])];
}

const FEED_SIZE = 800;

/** SQLite: everything in big transactions on one raw connection, indexes rebuilt at the end. */
export function loadSqlite(filename: string, d: SeedData, log: (m: string) => void, now = Date.now()): void {
  const db = new Database(filename);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = OFF');
  const tables = ['accounts', 'users', 'follows', 'posts', 'media', 'home_feed'];
  const indexes = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables.map(() => '?').join(',')})`).all(...tables) as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);

  const bulk = (table: string, columns: string[], count: number, row: (i: number) => unknown[]) => {
    const started = performance.now();
    const perStatement = Math.floor(30_000 / columns.length);
    const placeholders = (rows: number) => Array.from({ length: rows }, () => `(${columns.map(() => '?').join(',')})`).join(',');
    const full = db.prepare(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${placeholders(perStatement)}`);
    db.transaction(() => {
      for (let start = 0; start < count; start += perStatement) {
        const rows = Math.min(perStatement, count - start);
        const values: unknown[] = [];
        for (let i = start; i < start + rows; i++) values.push(...row(i));
        (rows === perStatement ? full : db.prepare(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${placeholders(rows)}`)).run(...values);
      }
    })();
    log(`${table}: ${count} rows in ${Math.round(performance.now() - started)} ms`);
  };
  bulk('accounts', accountColumns, d.shape.accounts, (i) => accountRow(d, i, now));
  const users = userIndexes(d);
  bulk('users', userColumns, users.length, (i) => userRow(d, users[i]!, now, true));
  bulk('follows', followColumns, d.followFollower.length, (k) => followRow(d, k, now));
  bulk('posts', postColumns, d.postIds.length, (i) => postRow(d, i));
  bulk('media', mediaColumns, d.postIds.length, (i) => mediaRow(d, i));

  // Everything but home_feed's own indexes first: the feeds are built from follows and posts.
  let started = performance.now();
  const feedIndexes = indexes.filter((index) => index.sql.includes('"home_feed"') || / on [`"]?home_feed[`"]? /i.test(index.sql));
  for (const index of indexes) if (!feedIndexes.includes(index)) db.exec(index.sql);
  log(`indexes rebuilt in ${Math.round(performance.now() - started)} ms`);

  started = performance.now();
  const feed = db.prepare(`INSERT INTO home_feed (account_id, post_id, author_account_id, reason)
    SELECT f.account_id, p.id, p.account_id, 'follow' FROM follows f CROSS JOIN posts p ON p.account_id = f.target_account_id
    WHERE f.account_id = ? AND +p.visibility IN ('public', 'unlisted', 'private') ORDER BY p.id DESC LIMIT ?`);
  // CROSS JOIN keeps follows outside and the unary + keeps the planner off the
  // visibility index: without statistics yet, SQLite would otherwise walk all
  // posts newest first looking for the followees'.
  const readers = new Set(d.readerIndexes);
  db.transaction(() => {
    for (let i = 0; i < d.shape.accounts; i++) feed.run(d.accountIds[i], readers.has(i) ? FEED_SIZE : d.shape.feedFill);
  })();
  log(`home feeds: ${d.readerIndexes.length} readers × ≤${FEED_SIZE}, others × ≤${d.shape.feedFill}, in ${Math.round(performance.now() - started)} ms`);
  started = performance.now();
  for (const index of feedIndexes) db.exec(index.sql);
  log(`home_feed indexes rebuilt in ${Math.round(performance.now() - started)} ms`);
  db.exec('ANALYZE');
  db.pragma('journal_mode = WAL');
  db.close();
}

/** Postgres: 50,000 rows per INSERT … SELECT FROM unnest(arrays); plain indexes rebuilt at the end. */
export async function loadPostgres(db: Db, d: SeedData, log: (m: string) => void, now = Date.now()): Promise<void> {
  const tables = ['follows', 'posts', 'media', 'home_feed'];
  const { rows: indexes } = (await db.raw(
    `SELECT i.indexname AS name, i.indexdef AS sql FROM pg_indexes i
     WHERE i.schemaname = current_schema() AND i.tablename = ANY(?)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [tables],
  )) as { rows: { name: string; sql: string }[] };
  for (const index of indexes) await db.raw(`DROP INDEX "${index.name}"`);

  const types: Record<string, string> = { id: 'bigint', account_id: 'bigint', target_account_id: 'bigint', post_id: 'bigint', created_at: 'bigint', updated_at: 'bigint', processed_at: 'bigint', confirmed_at: 'bigint', followers_count: 'int', following_count: 'int', posts_count: 'int', position: 'int', width: 'int', height: 'int', approved: 'boolean' };
  const bulk = async (table: string, columns: string[], count: number, row: (i: number) => unknown[]) => {
    const started = performance.now();
    const chunk = 50_000;
    for (let start = 0; start < count; start += chunk) {
      const arrays: unknown[][] = columns.map(() => []);
      for (let i = start; i < Math.min(count, start + chunk); i++) row(i).forEach((value, c) => arrays[c]!.push(value));
      const casts = columns.map((column) => `?::${types[column] ?? 'text'}[]`).join(', ');
      await db.raw(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${casts})`, arrays as never);
    }
    log(`${table}: ${count} rows in ${Math.round(performance.now() - started)} ms`);
  };
  await bulk('accounts', accountColumns, d.shape.accounts, (i) => accountRow(d, i, now));
  const users = userIndexes(d);
  await bulk('users', userColumns, users.length, (i) => userRow(d, users[i]!, now, false));
  await bulk('follows', followColumns, d.followFollower.length, (k) => followRow(d, k, now));
  await bulk('posts', postColumns, d.postIds.length, (i) => postRow(d, i));
  await bulk('media', mediaColumns, d.postIds.length, (i) => mediaRow(d, i));

  let started = performance.now();
  const feedIndexes = indexes.filter((index) => / ON (\S+\.)?home_feed /.test(index.sql));
  for (const index of indexes) if (!feedIndexes.includes(index)) await db.raw(index.sql);
  await db.raw('ANALYZE');
  log(`indexes rebuilt in ${Math.round(performance.now() - started)} ms`);
  started = performance.now();
  const readers = new Set(d.readerIndexes);
  for (let start = 0; start < d.shape.accounts; start += 10_000) {
    const ids: number[] = [];
    const sizes: number[] = [];
    for (let i = start; i < Math.min(d.shape.accounts, start + 10_000); i++) {
      ids.push(d.accountIds[i]!);
      sizes.push(readers.has(i) ? FEED_SIZE : d.shape.feedFill);
    }
    // Per followee its newest posts (posts_account_id_index), then the newest of those: no plan can walk all posts.
    await db.raw(
      `INSERT INTO home_feed (account_id, post_id, author_account_id, reason)
       SELECT r.id, x.post_id, x.author, 'follow' FROM unnest(?::bigint[], ?::int[]) AS r(id, size)
       CROSS JOIN LATERAL (
         SELECT p.id AS post_id, p.account_id AS author FROM follows f
         CROSS JOIN LATERAL (SELECT id, account_id FROM posts WHERE account_id = f.target_account_id AND visibility IN ('public', 'unlisted', 'private')
                             ORDER BY id DESC LIMIT r.size) p
         WHERE f.account_id = r.id ORDER BY p.id DESC LIMIT r.size) x`,
      [ids, sizes],
    );
  }
  log(`home feeds: ${d.readerIndexes.length} readers × ≤${FEED_SIZE}, others × ≤${d.shape.feedFill}, in ${Math.round(performance.now() - started)} ms`);
  started = performance.now();
  for (const index of feedIndexes) await db.raw(index.sql);
  log(`home_feed indexes rebuilt in ${Math.round(performance.now() - started)} ms`);
  await db.raw('ANALYZE');
}
