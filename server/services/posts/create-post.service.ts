// Posting (POST /api/v1/statuses): a photo, video, carousel or reel, or a
// text-only comment or direct message. Checks everything first, then writes
// the post, its attachments, hashtags, mentions and counts in one transaction.
import type { Config } from '../../../config/load.ts';
import type { Account } from '../../db/accounts.repo.ts';
import { newId } from '../../db/ids.ts';
import type { Db } from '../../db/knex.ts';
import { attachMedia } from '../../db/media.repo.ts';
import { addPostHashtags, addPostMentions, upsertHashtags } from '../../db/post-tags.repo.ts';
import { adjustAccountPostCount, adjustCommentsCount, findPostById, insertPost, POST_VISIBILITIES, type Post, type PostVisibility } from '../../db/posts.repo.ts';
import { findAccountById } from '../../db/accounts.repo.ts';
import type { User } from '../../db/users.repo.ts';
import { unprocessable } from '../../errors.ts';
import { postingDefaultsOf } from '../accounts/profile-preferences.ts';
import { mayViewPost } from '../visibility/post-visibility.ts';
import { renderCaption } from './caption.ts';
import { feedPostPublished } from '../feeds/feed-events.ts';
import { notify, notifySubscribers } from '../notifications/notify.ts';
import { conversationPostAdded } from '../conversations/conversation-events.ts';
import { federate } from '../federation/outbound.ts';
import { checkCaption, checkLanguage, checkLocation, checkSpoiler, kindOf, loadAttachments, type LocationInput } from './compose-rules.ts';

export interface NewPostInput {
  text?: string;
  mediaIds?: number[];
  sensitive?: boolean;
  spoilerText?: string;
  visibility?: string;
  language?: string | null;
  inReplyToId?: number | null;
  location?: LocationInput | null;
  commentsDisabled?: boolean;
  hideLikeCount?: boolean;
  reel?: boolean;
}

export interface Author {
  account: Account;
  user: User;
  /** The OAuth app posting, shown as the status' application. */
  appId: number | null;
}

export async function createPost(db: Db, config: Pick<Config, 'publicUrl' | 'domain'>, author: Author, input: NewPostInput): Promise<Post> {
  const defaults = postingDefaultsOf(author.user);
  const visibility = (input.visibility ?? defaults.privacy) as PostVisibility;
  if (!POST_VISIBILITIES.includes(visibility)) throw unprocessable(`Validation failed: Visibility must be one of ${POST_VISIBILITIES.join(', ')}`);
  const text = checkCaption(input.text ?? '');
  const spoilerText = checkSpoiler(input.spoilerText ?? '');
  const language = checkLanguage(input.language === undefined ? defaults.language : input.language);
  const location = checkLocation(input.location);
  const parent = input.inReplyToId ? await findReplyParent(db, author.account, input.inReplyToId) : null;
  const media = await loadAttachments(db, author.account, input.mediaIds ?? []);
  const kind = kindOf(media, { reel: input.reel ?? false, textOnlyAllowed: parent !== null || visibility === 'direct', hasText: text.trim() !== '' });
  const caption = await renderCaption(db, config, text);

  const now = Date.now();
  const id = newId(now);
  await db.transaction(async (trx) => {
    await insertPost(trx, {
      id,
      accountId: author.account.id,
      kind,
      caption: text,
      captionHtml: caption.html,
      spoilerText,
      // A content warning implies sensitive media, as on Mastodon.
      sensitive: (input.sensitive ?? (media.length > 0 && defaults.sensitive)) || spoilerText !== '',
      visibility,
      language,
      locationName: location?.name ?? null,
      latitude: location?.lat ?? null,
      longitude: location?.lon ?? null,
      inReplyToId: parent?.id ?? null,
      inReplyToAccountId: parent?.accountId ?? null,
      applicationId: author.appId,
      commentsEnabled: !(input.commentsDisabled ?? false),
      hideLikeCount: input.hideLikeCount ?? false,
      createdAt: now,
      updatedAt: now,
    });
    const attached = await attachMedia(trx, id, author.account.id, media.map((m) => m.id), now);
    // Lost a race with another post taking the same upload, or with the orphan cleanup.
    if (attached !== media.length) throw unprocessable('Validation failed: some media is no longer available to attach');
    const hashtags = await upsertHashtags(trx, caption.hashtags, now);
    await addPostHashtags(trx, id, hashtags.map((tag) => tag.id));
    await addPostMentions(trx, id, caption.mentions.map((account) => account.id), now);
    await adjustAccountPostCount(trx, author.account.id, 1, now);
    if (parent) await adjustCommentsCount(trx, parent.id, 1);
    const post = (await findPostById(trx, id))!;
    const mentioned = caption.mentions.map((account) => account.id);
    // A comment notifies the post's author as a mention does, as on Mastodon and Instagram.
    const notified = new Set([...mentioned, ...(parent ? [parent.accountId] : [])]);
    for (const recipientId of notified) await notify(trx, { type: 'mention', recipientId, fromAccountId: author.account.id, postId: id });
    if (visibility === 'direct') await conversationPostAdded(trx, post, mentioned);
    else {
      await feedPostPublished(trx, post);
      if (!parent) await notifySubscribers(trx, id, author.account.id);
    }
    await federate(trx, { type: 'create', accountId: author.account.id, postId: id });
  });
  return (await findPostById(db, id))!;
}

/** The post being replied to: it must exist, be visible to the replier and take comments. */
async function findReplyParent(db: Db, replier: Account, parentId: number): Promise<Post> {
  const parent = await findPostById(db, parentId);
  const parentAuthor = parent ? await findAccountById(db, parent.accountId) : undefined;
  if (!parent || !parentAuthor || !(await mayViewPost(db, replier.id, parent, parentAuthor))) {
    throw unprocessable('The post you are trying to reply to does not appear to exist.');
  }
  if (!parent.commentsEnabled && parent.accountId !== replier.id) throw unprocessable('Comments are turned off for this post');
  return parent;
}
