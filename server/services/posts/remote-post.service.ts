// Posts arriving over ActivityPub (inbox Create of a Note): written like a
// local post and followed by the same consequences in the same transaction
// (DESIGN.md rules 1 and 4): counts, hashtags, mentions, notifications of our
// mentioned or replied-to users, home-feed fan-out to our followers of the
// author, conversations for direct posts. Attachments become pending media
// rows fetched by a job (remote-media.service.ts). Idempotent by the Note's
// id: a redelivered Create finds the post it made.
// Editing and deleting live beside it (remote-post-edit.service.ts,
// remote-post-delete.service.ts) and are exported from here too.
import type { Config } from '../../../config/load.ts';
import type { Account } from '../../db/accounts.repo.ts';
import { idFromTime } from '../../db/ids.ts';
import type { Db, Queryable } from '../../db/knex.ts';
import { findMediaByPostIds } from '../../db/media.repo.ts';
import { addPostHashtags, addPostMentions, upsertHashtags } from '../../db/post-tags.repo.ts';
import { adjustAccountPostCount, adjustCommentsCount, findPostById, findPostByUri, insertPost, updatePost, type Post } from '../../db/posts.repo.ts';
import { conversationPostAdded } from '../conversations/conversation-events.ts';
import { feedPostPublished } from '../feeds/feed-events.ts';
import { retryOnIdCollision } from '../interactions/id-collision.ts';
import { addRemoteMedia } from '../media/remote-media.service.ts';
import { notifyMany, notifySubscribers } from '../notifications/notify.ts';
import { hasSubscribers } from '../../db/notifications.repo.ts';
import { findAccountById } from '../../db/accounts.repo.ts';
import { believableTime, remoteContentOf, remoteKindOf, type IncomingNote } from './remote-post-content.ts';

export type { IncomingNote } from './remote-post-content.ts';
export { editRemotePost, type EditRemotePostInput } from './remote-post-edit.service.ts';
export { deleteAllPostsOf, deleteRemotePost } from './remote-post-delete.service.ts';

export interface CreateRemotePostInput {
  /** The remote author, resolved by the caller from the Note's attributedTo. */
  author: Account;
  note: IncomingNote;
  /** Accounts (local or remote) resolved from the Note's Mention tags. */
  mentionedAccountIds: number[];
  /** For a direct post: every account (local or remote) it is addressed to. Ignored otherwise. */
  addresseeIds: number[];
}

/** Why a Create wrote nothing; the caller logs it. */
export type RemotePostRefusal =
  /** A reply to a post of ours whose author turned comments off. */
  | 'comments-disabled'
  /** The post was deleted (its tombstone still stands): a late Create must not bring it back. */
  | 'deleted'
  /** The id is another account's post. */
  | 'not-author'
  | 'author-suspended'
  /** A local account's posts are written through createPost, never from a Note. */
  | 'not-remote';

export type CreateRemotePostResult = { post: Post; created: boolean; refused?: undefined } | { post: null; created: false; refused: RemotePostRefusal };

export async function createRemotePost(db: Db, config: Pick<Config, 'publicUrl' | 'federation'>, input: CreateRemotePostInput): Promise<CreateRemotePostResult> {
  const { author, note } = input;
  if (author.domain === null) return refuse('not-remote');
  if (author.suspendedAt !== null) return refuse('author-suspended');
  const content = remoteContentOf(note);
  // A second delivery racing this one takes the same uri: its insert fails on
  // the unique index, and the retry finds the post the first one wrote. A
  // drawn id already taken is retried the same way.
  return retryOnIdCollision(async () => {
    const existing = await findPostByUri(db, note.uri, { withDeleted: true });
    if (existing) {
      if (existing.accountId !== author.id) return refuse('not-author');
      if (existing.deletedAt !== null) return refuse('deleted');
      return { post: existing, created: false };
    }
    const parent = note.inReplyToUri === null ? undefined : await findParent(db, config, note.inReplyToUri);
    // Only our own posts' switch is ours to enforce; a remote one's server decides for it.
    if (parent && parent.uri === null && !parent.commentsEnabled && parent.accountId !== author.id) return refuse('comments-disabled');

    const now = Date.now();
    const published = believableTime(note.published, now);
    const id = idFromTime(published);
    const hintedKind = remoteKindOf(note.attachments);
    const post = await db.transaction(async (trx) => {
      await insertPost(trx, {
        id,
        accountId: author.id,
        kind: hintedKind,
        caption: content.caption,
        captionHtml: content.captionHtml,
        spoilerText: content.spoilerText,
        sensitive: content.sensitive,
        visibility: note.visibility,
        language: content.language,
        locationName: content.locationName,
        latitude: content.latitude,
        longitude: content.longitude,
        inReplyToId: parent?.id ?? null,
        inReplyToAccountId: parent?.accountId ?? null,
        inReplyToUri: note.inReplyToUri,
        commentsEnabled: content.commentsEnabled,
        uri: note.uri,
        url: content.url,
        createdAt: published,
        updatedAt: now,
      });
      await addRemoteMedia(trx, { accountId: author.id, postId: id, attachments: note.attachments }, { fetch: config.federation.remoteMedia === 'cache' });
      await settleKind(trx, id, hintedKind);
      const hashtags = await upsertHashtags(trx, content.hashtags, now);
      await addPostHashtags(
        trx,
        id,
        hashtags.map((tag) => tag.id),
      );
      // A direct post is seen by those it mentions (the visibility policy):
      // every addressee counts as mentioned, tagged or not.
      const mentioned = [...new Set([...input.mentionedAccountIds, ...(note.visibility === 'direct' ? input.addresseeIds : [])])];
      await addPostMentions(trx, id, mentioned, now);
      await adjustAccountPostCount(trx, author.id, 1, now);
      if (parent) await adjustCommentsCount(trx, parent.id, 1);
      const written = (await findPostById(trx, id))!;

      // As for a local post: a comment notifies the parent's author like a
      // mention. notify leaves out remote accounts, blocks and hiding mutes.
      await notifyMany(trx, 'mention', [...mentioned, ...(parent ? [parent.accountId] : [])], author.id, id, now);
      if (note.visibility === 'direct') {
        // Every addressee, ours and other servers', names the conversation, so
        // all our users in a group DM share one, and their replies join it.
        await conversationPostAdded(trx, written, mentioned, now);
      } else if (note.inReplyToUri === null || parent) {
        // A reply to a post we do not know is kept from home feeds, as
        // Mastodon does: its followers would see half a conversation with a
        // stranger (the followed-the-parent's-author rule cannot be applied).
        await feedPostPublished(trx, written);
        // Most remote authors have no subscriber here: no job to find that out.
        if (note.inReplyToUri === null && (await hasSubscribers(trx, author.id))) await notifySubscribers(trx, id, author.id);
      }
      return written;
    });
    // A direct post's row changed after it was read (it joined its conversation).
    return { post: note.visibility === 'direct' ? ((await findPostById(db, post.id)) ?? post) : post, created: true };
  });
}

/** The kind follows the attachments addRemoteMedia kept (it drops unusable URLs and any past our limit). */
async function settleKind(trx: Queryable, postId: number, insertedKind: Post['kind']): Promise<void> {
  const media = (await findMediaByPostIds(trx, [postId])).get(postId) ?? [];
  const kind = remoteKindOf(media);
  if (kind === insertedKind) return;
  const post = await findPostById(trx, postId);
  if (post) await updatePost(trx, postId, { kind }, post.updatedAt);
}

/**
 * The post a Note replies to: a remote one by its id, or one of ours by its
 * ActivityPub id (`${publicUrl}/users/<username>/statuses/<id>`, stored as
 * null for local posts). Deleted posts and shares are no parents.
 */
async function findParent(db: Queryable, config: Pick<Config, 'publicUrl'>, uri: string): Promise<Post | undefined> {
  const remote = await findPostByUri(db, uri);
  if (remote) return remote.reblogOfId === null ? remote : undefined;
  const local = localPostRef(config.publicUrl, uri);
  if (!local) return undefined;
  const post = await findPostById(db, local.id);
  if (!post || post.uri !== null || post.reblogOfId !== null) return undefined;
  const author = await findAccountById(db, post.accountId);
  return author && author.domain === null && author.username.toLowerCase() === local.username.toLowerCase() ? post : undefined;
}

/** Our ActivityPub id of a local post, taken apart; null for anything else. */
export function localPostRef(publicUrl: string, uri: string): { username: string; id: number } | null {
  const prefix = `${publicUrl.replace(/\/$/, '')}/users/`;
  if (!uri.startsWith(prefix)) return null;
  const match = /^([^/?#]+)\/statuses\/(\d{1,16})$/.exec(uri.slice(prefix.length));
  if (!match) return null;
  const id = Number(match[2]);
  if (!Number.isSafeInteger(id)) return null;
  try {
    return { username: decodeURIComponent(match[1]!), id };
  } catch {
    return null; // a malformed %-escape is no username of ours
  }
}

function refuse(refused: RemotePostRefusal): CreateRemotePostResult {
  return { post: null, created: false, refused };
}
