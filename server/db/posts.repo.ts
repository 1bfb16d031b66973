// SQL for `posts`: local and remote posts, comments (replies) among them.
// Rows are mapped to camelCase objects with real booleans (SQLite gives 0/1).
import { createRowMapper } from './row-mapper.ts';
import type { Queryable } from './knex.ts';
import { noteAuthChange } from './auth-changes.ts';

export type PostKind = 'photo' | 'video' | 'carousel' | 'reel' | 'text';
/** Mastodon's names; `private` is followers-only. */
export type PostVisibility = 'public' | 'unlisted' | 'private' | 'direct';
export const POST_VISIBILITIES: readonly PostVisibility[] = ['public', 'unlisted', 'private', 'direct'];

export interface Post {
  id: number;
  accountId: number;
  kind: PostKind;
  caption: string;
  captionHtml: string;
  spoilerText: string;
  sensitive: boolean;
  visibility: PostVisibility;
  language: string | null;
  locationName: string | null;
  latitude: number | null;
  longitude: number | null;
  inReplyToId: number | null;
  inReplyToAccountId: number | null;
  inReplyToUri: string | null;
  reblogOfId: number | null;
  conversationId: number | null;
  applicationId: number | null;
  commentsEnabled: boolean;
  hideLikeCount: boolean;
  likesCount: number;
  commentsCount: number;
  reblogsCount: number;
  uri: string | null;
  url: string | null;
  pinnedAt: number | null;
  archivedAt: number | null;
  editedAt: number | null;
  deletedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

type Row = Record<string, unknown>;

const columns: Record<keyof Post, string> = {
  id: 'id',
  accountId: 'account_id',
  kind: 'kind',
  caption: 'caption',
  captionHtml: 'caption_html',
  spoilerText: 'spoiler_text',
  sensitive: 'sensitive',
  visibility: 'visibility',
  language: 'language',
  locationName: 'location_name',
  latitude: 'latitude',
  longitude: 'longitude',
  inReplyToId: 'in_reply_to_id',
  inReplyToAccountId: 'in_reply_to_account_id',
  inReplyToUri: 'in_reply_to_uri',
  reblogOfId: 'reblog_of_id',
  conversationId: 'conversation_id',
  applicationId: 'application_id',
  commentsEnabled: 'comments_enabled',
  hideLikeCount: 'hide_like_count',
  likesCount: 'likes_count',
  commentsCount: 'comments_count',
  reblogsCount: 'reblogs_count',
  uri: 'uri',
  url: 'url',
  pinnedAt: 'pinned_at',
  archivedAt: 'archived_at',
  editedAt: 'edited_at',
  deletedAt: 'deleted_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};
const booleans = new Set<keyof Post>(['sensitive', 'commentsEnabled', 'hideLikeCount']);

const mapper = createRowMapper<Post>(columns, booleans);
export const postFromRow = mapper.fromRow;
const toRow = mapper.toRow;


export type NewPost = Pick<Post, 'id' | 'accountId' | 'kind' | 'visibility' | 'createdAt' | 'updatedAt'> &
  Partial<Omit<Post, 'id' | 'accountId' | 'kind' | 'visibility' | 'createdAt' | 'updatedAt'>>;

export async function insertPost(db: Queryable, post: NewPost): Promise<void> {
  await db('posts').insert(toRow(post));
}

export async function findPostById(db: Queryable, id: number): Promise<Post | undefined> {
  const row = await db('posts').where({ id }).whereNull('deleted_at').first();
  return row ? postFromRow(row) : undefined;
}

/** A post by its ActivityPub id (remote posts; local ones have none stored). Deleted ones only when asked: a tombstone until purged. */
export async function findPostByUri(db: Queryable, uri: string, options: { withDeleted?: boolean } = {}): Promise<Post | undefined> {
  const q = db('posts').where({ uri });
  if (!options.withDeleted) q.whereNull('deleted_at');
  const row = await q.first();
  return row ? postFromRow(row) : undefined;
}

/** Ids of an account's live posts (shares too) after `afterId`, oldest first: batches for removing them all. */
export async function listLivePostIdsOf(db: Queryable, accountId: number, afterId: number, limit: number): Promise<number[]> {
  const rows: Row[] = await db('posts').where({ account_id: accountId }).whereNull('deleted_at').where('id', '>', afterId).orderBy('id', 'asc').limit(limit).select('id');
  return rows.map((row) => Number(row.id));
}

/** The posts with these ids that exist (deleted ones left out), in no particular order. */
export async function findPostsByIds(db: Queryable, ids: number[]): Promise<Post[]> {
  if (ids.length === 0) return [];
  const rows: Row[] = await db('posts').whereIn('id', ids).whereNull('deleted_at');
  return rows.map(postFromRow);
}

export type PostChanges = Partial<
  Pick<
    Post,
    | 'kind'
    | 'caption'
    | 'captionHtml'
    | 'spoilerText'
    | 'sensitive'
    | 'language'
    | 'locationName'
    | 'latitude'
    | 'longitude'
    | 'commentsEnabled'
    | 'hideLikeCount'
    | 'pinnedAt'
    | 'archivedAt'
    | 'editedAt'
  >
>;

export async function updatePost(db: Queryable, id: number, changes: PostChanges, now = Date.now()): Promise<void> {
  await db('posts').where({ id }).update({ ...toRow(changes), updated_at: now });
}

/** Hides the post from every read at once; purgePost removes it for good later. */
export async function markPostDeleted(db: Queryable, id: number, now = Date.now()): Promise<void> {
  await db('posts').where({ id }).update({ deleted_at: now, pinned_at: null, updated_at: now });
}

/**
 * Marks those of the posts not yet deleted as deleted (hidden from every read
 * at once) and returns them as they were: only the rows this call marked, so
 * two deletions racing (a redelivered Delete) count each post once.
 */
export async function markPostsDeleted(db: Queryable, ids: number[], now = Date.now()): Promise<Post[]> {
  if (ids.length === 0) return [];
  const rows: Row[] = await db('posts').whereIn('id', ids).whereNull('deleted_at').update({ deleted_at: now, pinned_at: null, updated_at: now }).returning('*');
  return rows.map(postFromRow);
}

/**
 * Removes up to `batch` home-feed rows of a deleted post; once none are left,
 * the row itself (hashtags, mentions and edits cascade). True when it is gone.
 */
export async function purgeDeletedPost(db: Queryable, id: number, batch: number): Promise<boolean> {
  const removed = await db('home_feed')
    .whereIn(['account_id', 'post_id'], db('home_feed').where({ post_id: id }).select('account_id', 'post_id').limit(batch))
    .delete();
  if (removed >= batch) return false;
  await db('posts').where({ id }).whereNotNull('deleted_at').delete();
  return true;
}

/** Keeps an account's post count and last-post time right, in the write's transaction. */
export async function adjustAccountPostCount(db: Queryable, accountId: number, delta: 1 | -1, now = Date.now()): Promise<void> {
  const changes: Row = { posts_count: db.raw('case when posts_count + ? < 0 then 0 else posts_count + ? end', [delta, delta]), updated_at: now };
  if (delta > 0) changes.last_post_at = now;
  await db('accounts').where({ id: accountId }).update(changes);
  noteAuthChange(db); // verify_credentials shows statuses_count from the cached account
}

export async function adjustCommentsCount(db: Queryable, postId: number, delta: 1 | -1): Promise<void> {
  await db('posts')
    .where({ id: postId })
    .update({ comments_count: db.raw('case when comments_count + ? < 0 then 0 else comments_count + ? end', [delta, delta]) });
}

/** Takes `count` posts off an account's post count at once (never below zero). */
export async function decreaseAccountPostCount(db: Queryable, accountId: number, count: number, now = Date.now()): Promise<void> {
  if (count <= 0) return;
  await db('accounts')
    .where({ id: accountId })
    .update({ posts_count: db.raw('case when posts_count - ? < 0 then 0 else posts_count - ? end', [count, count]), updated_at: now });
  noteAuthChange(db);
}

/** Takes `count` comments off a post's count at once (never below zero). */
export async function decreaseCommentsCount(db: Queryable, postId: number, count: number): Promise<void> {
  if (count <= 0) return;
  await db('posts')
    .where({ id: postId })
    .update({ comments_count: db.raw('case when comments_count - ? < 0 then 0 else comments_count - ? end', [count, count]) });
}

export async function countPinnedPosts(db: Queryable, accountId: number): Promise<number> {
  const row = await db('posts').where({ account_id: accountId }).whereNotNull('pinned_at').whereNull('deleted_at').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/**
 * Which posts of an author a viewer may be shown in a list, as SQL: the
 * visibilities the policy allows (services/visibility decides them), plus
 * direct posts that mention the viewer. Archived posts are never listed.
 */
export interface AuthorListFilter {
  visibilities: readonly PostVisibility[];
  /** Also private and direct posts mentioning this account (null: anonymous viewer). */
  mentionedAccountId: number | null;
  onlyMedia?: boolean;
  excludeReplies?: boolean;
  pinned?: boolean;
  /** Lower-cased hashtag name. */
  tagged?: string;
}

export interface IdPage {
  maxId?: number;
  minId?: number;
  sinceId?: number;
  limit: number;
}

/** A page of an author's posts, newest first (oldest first with min_id, then reversed), as Mastodon pages. */
export async function listAuthorPosts(db: Queryable, accountId: number, filter: AuthorListFilter, page: IdPage): Promise<Post[]> {
  const q = db('posts').where('posts.account_id', accountId).whereNull('posts.deleted_at').whereNull('posts.archived_at').whereNull('posts.reblog_of_id');
  q.where((w) => {
    if (filter.visibilities.length > 0) w.whereIn('posts.visibility', filter.visibilities as PostVisibility[]);
    else w.whereRaw('1 = 0');
    if (filter.mentionedAccountId !== null) {
      w.orWhere((d) =>
        d
          .whereIn('posts.visibility', ['private', 'direct'])
          .whereExists((m) => m.select(db.raw('1')).from('mentions').whereRaw('mentions.post_id = posts.id').where('mentions.account_id', filter.mentionedAccountId!)),
      );
    }
  });
  if (filter.onlyMedia) q.whereNot('posts.kind', 'text');
  if (filter.excludeReplies) q.where((w) => w.whereNull('posts.in_reply_to_id').orWhere('posts.in_reply_to_account_id', accountId));
  if (filter.pinned) q.whereNotNull('posts.pinned_at');
  if (filter.tagged) {
    q.whereExists((s) =>
      s.select(db.raw('1')).from('post_hashtags').join('hashtags', 'hashtags.id', 'post_hashtags.hashtag_id').whereRaw('post_hashtags.post_id = posts.id').where('hashtags.name', filter.tagged!),
    );
  }
  return pageById(q, page, filter.pinned ? 'posts.pinned_at' : undefined);
}

/** Direct replies of each of `parentIds`, oldest first. */
export async function findRepliesTo(db: Queryable, parentIds: number[], limit: number): Promise<Post[]> {
  if (parentIds.length === 0) return [];
  const rows: Row[] = await db('posts').whereIn('in_reply_to_id', parentIds).whereNull('deleted_at').orderBy('id', 'asc').limit(limit);
  return rows.map(postFromRow);
}

/** An account's archived posts, newest first (only their owner lists them). */
export async function listArchivedPosts(db: Queryable, accountId: number, page: IdPage): Promise<Post[]> {
  const q = db('posts').where('posts.account_id', accountId).whereNull('posts.deleted_at').whereNotNull('posts.archived_at');
  return pageById(q, page);
}

async function pageById(q: ReturnType<Queryable>, page: IdPage, orderColumn?: string): Promise<Post[]> {
  if (page.maxId !== undefined) q.where('posts.id', '<', page.maxId);
  if (page.sinceId !== undefined) q.where('posts.id', '>', page.sinceId);
  if (page.minId !== undefined) {
    q.where('posts.id', '>', page.minId).orderBy('posts.id', 'asc');
    const rows: Row[] = await q.limit(page.limit).select('posts.*');
    return rows.map(postFromRow).reverse();
  }
  if (orderColumn) q.orderBy(orderColumn, 'desc');
  const rows: Row[] = await q.orderBy('posts.id', 'desc').limit(page.limit).select('posts.*');
  return rows.map(postFromRow);
}
