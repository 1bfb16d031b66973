// A remote author's edit of their post (inbox Update of a Note), kept and
// followed up as a local edit is (edit-post.service.ts): a change to what
// people see is kept as a version in `post_edits` (the first edit keeps the
// original too), those who shared the post are told, a direct post's newly
// addressed accounts join its conversation. Visibility never changes, as on
// Mastodon. Updates arrive out of order: one no newer than the version we
// hold changes nothing.
import type { Config } from '../../../config/load.ts';
import type { Account } from '../../db/accounts.repo.ts';
import type { Db } from '../../db/knex.ts';
import { findMediaByPostIds, type Media } from '../../db/media.repo.ts';
import { insertPostEdit, type MediaSnapshot } from '../../db/post-edits.repo.ts';
import { keepOriginalVersion } from './post-history.service.ts';
import { findMentionsByPostIds, setPostHashtags, setPostMentions, upsertHashtags } from '../../db/post-tags.repo.ts';
import { findPostById, findPostByUri, updatePost, type Post } from '../../db/posts.repo.ts';
import { conversationPostEdited } from '../conversations/conversation-events.ts';
import { replaceRemoteMedia } from '../media/remote-media.service.ts';
import { notifyPostEdited } from '../notifications/notify.ts';
import { believableTime, remoteContentOf, remoteKindOf, type IncomingNote } from './remote-post-content.ts';

export interface EditRemotePostInput {
  author: Account;
  /** The Note as it is now. */
  note: IncomingNote;
  /** Accounts (local or remote) resolved from the Note's Mention tags. */
  mentionedAccountIds: number[];
  /** For a direct post: who it is addressed to now, if the caller resolved them (those addressed before stay addressed). */
  addresseeIds?: number[];
}

/**
 * The post as edited; null when nothing was applied: no live post with this
 * id, someone else's, or an Update no newer than the version we hold.
 * (`_config` is unused for now: the listeners call create and edit alike.)
 */
export async function editRemotePost(db: Db, config: Pick<Config, 'publicUrl' | 'federation'>, input: EditRemotePostInput): Promise<Post | null> {
  const { author, note } = input;
  const post = await findPostByUri(db, note.uri);
  if (!post || post.accountId !== author.id || post.reblogOfId !== null) return null;
  if (isStale(post, note)) return null;
  const content = remoteContentOf(note);
  const now = Date.now();
  const editedAt = believableTime(note.updated, now);

  await db.transaction(async (trx) => {
    const before = snapshot((await findMediaByPostIds(trx, [post.id])).get(post.id) ?? []);
    await replaceRemoteMedia(trx, { accountId: author.id, postId: post.id, attachments: note.attachments }, { fetch: config.federation.remoteMedia === 'cache' });
    const media = (await findMediaByPostIds(trx, [post.id])).get(post.id) ?? [];
    const after = snapshot(media);
    const contentChanged =
      content.captionHtml !== post.captionHtml ||
      content.spoilerText !== post.spoilerText ||
      content.sensitive !== post.sensitive ||
      content.locationName !== post.locationName ||
      content.latitude !== post.latitude ||
      content.longitude !== post.longitude ||
      JSON.stringify(before) !== JSON.stringify(after);

    if (contentChanged) await keepOriginalVersion(trx, post, before);
    await updatePost(
      trx,
      post.id,
      {
        kind: remoteKindOf(media),
        caption: content.caption,
        captionHtml: content.captionHtml,
        spoilerText: content.spoilerText,
        sensitive: content.sensitive,
        language: content.language,
        locationName: content.locationName,
        latitude: content.latitude,
        longitude: content.longitude,
        commentsEnabled: content.commentsEnabled,
        ...(contentChanged ? { editedAt } : {}),
      },
      now,
    );
    const hashtags = await upsertHashtags(trx, content.hashtags, now);
    await setPostHashtags(
      trx,
      post.id,
      hashtags.map((tag) => tag.id),
    );
    // A direct post's addressees are its mentions (what lets them see it):
    // an edit may address more people, never fewer, as the Note's audience
    // does not change with an edit.
    const previously = post.visibility === 'direct' ? ((await findMentionsByPostIds(trx, [post.id])).get(post.id) ?? []) : [];
    const mentioned = [...new Set([...previously, ...input.mentionedAccountIds, ...(post.visibility === 'direct' ? (input.addresseeIds ?? []) : [])])];
    await setPostMentions(trx, post.id, mentioned, now);
    if (post.visibility === 'direct') await conversationPostEdited(trx, post, mentioned, now);

    if (contentChanged) {
      await notifyPostEdited(trx, post.id, author.id);
      await insertPostEdit(trx, {
        postId: post.id,
        caption: content.caption,
        captionHtml: content.captionHtml,
        spoilerText: content.spoilerText,
        sensitive: content.sensitive,
        media: after,
        locationName: content.locationName,
        createdAt: editedAt,
      });
    }
  });
  return (await findPostById(db, post.id)) ?? null;
}

/**
 * An Update no newer than the version we hold (a late or replayed delivery).
 * Without an `updated` on either side there is no telling: it is applied, and
 * an unchanged Note changes nothing anyway.
 */
function isStale(post: Post, note: IncomingNote): boolean {
  return post.editedAt !== null && note.updated !== null && note.updated <= post.editedAt;
}

function snapshot(media: Media[]): MediaSnapshot[] {
  return media.map((m) => ({ id: m.id, description: m.description, focusX: m.focusX, focusY: m.focusY }));
}
