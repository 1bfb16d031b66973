// Editing a post (PUT /api/v1/statuses/:id): caption, content warning,
// sensitive flag, language, location, attachments (add, remove, reorder) with
// their alt text and focal points, and the comments / like-count switches.
// A change to what people see is kept as a version in `post_edits` (the first
// edit also keeps the original), shown by GET /api/v1/statuses/:id/history.
// Visibility cannot change, as on Mastodon.
import type { Config } from '../../../config/load.ts';
import type { Db } from '../../db/knex.ts';
import { attachMedia, findMediaByPostIds, updateMediaDetails, type Media } from '../../db/media.repo.ts';
import { insertPostEdit, type MediaSnapshot } from '../../db/post-edits.repo.ts';
import { keepOriginalVersion } from './post-history.service.ts';
import { setPostHashtags, setPostMentions, upsertHashtags } from '../../db/post-tags.repo.ts';
import { findPostById, updatePost, type Post, type PostChanges } from '../../db/posts.repo.ts';
import { unprocessable } from '../../errors.ts';
import { checkDescription, type Focus } from '../media/media-details.ts';
import { deleteMediaWithFiles } from '../media/media-cleanup.job.ts';
import { renderCaption } from './caption.ts';
import { checkCaption, checkLanguage, checkLocation, checkSpoiler, kindOf, loadAttachments, type LocationInput } from './compose-rules.ts';
import { findOwnPost } from './own-post.ts';
import { notifyPostEdited } from '../notifications/notify.ts';
import { conversationPostEdited } from '../conversations/conversation-events.ts';
import { federate } from '../federation/outbound.ts';

export interface EditPostInput {
  text?: string;
  spoilerText?: string;
  sensitive?: boolean;
  language?: string | null;
  /** null removes the location. */
  location?: LocationInput | null;
  /** The full new list of attachments, in order; omitted: unchanged. */
  mediaIds?: number[];
  mediaAttributes?: { id: number; description?: string | null; focus?: Focus }[];
  commentsDisabled?: boolean;
  hideLikeCount?: boolean;
}

export async function editPost(db: Db, config: Pick<Config, 'publicUrl' | 'domain'>, accountId: number, id: number, input: EditPostInput): Promise<Post> {
  const post = await findOwnPost(db, accountId, id);
  const current = (await findMediaByPostIds(db, [id])).get(id) ?? [];
  const text = input.text === undefined ? post.caption : checkCaption(input.text);
  const spoilerText = input.spoilerText === undefined ? post.spoilerText : checkSpoiler(input.spoilerText);
  const language = input.language === undefined ? post.language : checkLanguage(input.language);
  const location =
    input.location === undefined
      ? post.locationName === null
        ? null
        : { name: post.locationName, lat: post.latitude, lon: post.longitude }
      : checkLocation(input.location);
  const media = input.mediaIds === undefined ? current : await loadAttachments(db, { id: accountId }, input.mediaIds, id);
  const attributes = new Map((input.mediaAttributes ?? []).map((attribute) => [attribute.id, attribute]));
  for (const mediaId of attributes.keys()) {
    if (!media.some((m) => m.id === mediaId)) throw unprocessable(`Validation failed: media ${mediaId} is not attached to this post`);
  }
  const descriptions = new Map([...attributes].map(([mediaId, a]) => [mediaId, a.description === undefined ? undefined : checkDescription(a.description)]));
  const keepReel = post.kind === 'reel';
  const kind = kindOf(media, {
    reel: keepReel && media.length === 1 && media[0]!.kind === 'video',
    textOnlyAllowed: post.inReplyToId !== null || post.visibility === 'direct',
    hasText: text.trim() !== '',
  });
  const sensitive = (input.sensitive ?? post.sensitive) || spoilerText !== '';

  const snapshot = (list: Media[], overrides = new Map<number, { description?: string | null; focus?: Focus }>()): MediaSnapshot[] =>
    list.map((m) => {
      const o = overrides.get(m.id);
      const description = o && descriptions.get(m.id) !== undefined ? descriptions.get(m.id)! : m.description;
      return { id: m.id, description, focusX: o?.focus?.x ?? m.focusX, focusY: o?.focus?.y ?? m.focusY };
    });
  const before = snapshot(current);
  const after = snapshot(media, attributes);
  const contentChanged =
    text !== post.caption ||
    spoilerText !== post.spoilerText ||
    sensitive !== post.sensitive ||
    (location?.name ?? null) !== post.locationName ||
    (location?.lat ?? null) !== post.latitude ||
    (location?.lon ?? null) !== post.longitude ||
    JSON.stringify(before) !== JSON.stringify(after);

  const caption = text === post.caption ? null : await renderCaption(db, config, text);
  const now = Date.now();
  await db.transaction(async (trx) => {
    if (contentChanged) await keepOriginalVersion(trx, post, before);
    const changes: PostChanges = {
      kind,
      caption: text,
      spoilerText,
      sensitive,
      language,
      locationName: location?.name ?? null,
      latitude: location?.lat ?? null,
      longitude: location?.lon ?? null,
    };
    if (caption) changes.captionHtml = caption.html;
    if (input.commentsDisabled !== undefined) changes.commentsEnabled = !input.commentsDisabled;
    if (input.hideLikeCount !== undefined) changes.hideLikeCount = input.hideLikeCount;
    if (contentChanged) changes.editedAt = now;
    await updatePost(trx, id, changes, now);

    if (input.mediaIds !== undefined) {
      const removed = current.filter((m) => !media.some((kept) => kept.id === m.id)).map((m) => m.id);
      await deleteMediaWithFiles(trx, removed);
      const attached = await attachMedia(trx, id, accountId, media.map((m) => m.id), now);
      if (attached !== media.length) throw unprocessable('Validation failed: some media is no longer available to attach');
    }
    for (const [mediaId, attribute] of attributes) {
      await updateMediaDetails(trx, mediaId, { description: descriptions.get(mediaId), focusX: attribute.focus?.x, focusY: attribute.focus?.y }, now);
    }
    if (caption) {
      const hashtags = await upsertHashtags(trx, caption.hashtags, now);
      await setPostHashtags(trx, id, hashtags.map((tag) => tag.id));
      await setPostMentions(trx, id, caption.mentions.map((account) => account.id), now);
      // Someone newly addressed by the edit finds it among their conversations too.
      if (post.visibility === 'direct') await conversationPostEdited(trx, post, caption.mentions.map((account) => account.id), now);
    }
    if (contentChanged) {
      await notifyPostEdited(trx, id, accountId);
      await insertPostEdit(trx, {
        postId: id,
        caption: text,
        captionHtml: caption?.html ?? post.captionHtml,
        spoilerText,
        sensitive,
        media: after,
        locationName: location?.name ?? null,
        createdAt: now,
      });
    }
    // Alt text and focus changes are edits other servers show too.
    await federate(trx, { type: 'update', accountId, postId: id });
  });
  return (await findPostById(db, id))!;
}
