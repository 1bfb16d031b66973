// A local post → the Note other servers receive and fetch, in the shape that
// Mastodon and Pixelfed render: caption HTML with its language, content
// warning, every carousel item as an attachment with alt text and size,
// hashtags and mentions as tags, the place, and the addressing of its
// visibility. Pure: the caller loads the rows and resolves the URIs.
// What @fedify/vocab cannot hold (blurhash, focal point, Pixelfed's comment
// flags) comes from note-extras.ts as JSON-LD to merge after toJsonLd().
import { Hashtag, InteractionPolicy, InteractionRule, LanguageString, Mention, Note, Place, PUBLIC_COLLECTION, Tombstone } from '@fedify/vocab';
import type { Account } from '../../server/db/accounts.repo.ts';
import type { Media } from '../../server/db/media.repo.ts';
import type { Post } from '../../server/db/posts.repo.ts';
import { audienceFor } from './addressing.ts';
import { instantFromMs } from './instant.ts';
import type { LocalUrls } from './local-urls.ts';
import { attachmentFromMedia } from './media-attachment.ts';

export interface NoteMention {
  /** The mentioned actor's URI. */
  uri: string;
  /** user@domain */
  acct: string;
  /** The profile page, if known. */
  url?: string;
}

export interface LocalNoteInput {
  post: Post;
  /** A local account (domain null). */
  author: Account;
  /** The post's media; sent in `position` order. */
  media: Media[];
  /** Tag names without `#`. */
  hashtags: string[];
  mentions: NoteMention[];
  /** The URI of the post this one replies to (local or remote). */
  inReplyToUri: string | null;
  /** Direct posts: the addressees' actor URIs. */
  directRecipients: string[];
}

/** `content` always; `contentMap` too when the language is known (Mastodon sends both). */
function contentsOf(post: Post): (string | LanguageString)[] {
  const contents: (string | LanguageString)[] = [post.captionHtml];
  if (post.language) {
    try {
      contents.push(new LanguageString(post.captionHtml, post.language));
    } catch {
      // Not a BCP 47 tag (Intl.Locale refuses it): the plain content says it all.
    }
  }
  return contents;
}

function tagsOf(input: LocalNoteInput, urls: LocalUrls): (Hashtag | Mention)[] {
  const hashtags = input.hashtags.map((name) => new Hashtag({ href: urls.tag(name), name: `#${name}` }));
  const mentions = input.mentions.map((m) => new Mention({ href: new URL(m.uri), name: m.acct.startsWith('@') ? m.acct : `@${m.acct}` }));
  return [...hashtags, ...mentions];
}

function placeOf(post: Post): Place | null {
  if (post.locationName === null) return null;
  return new Place({ name: post.locationName, latitude: post.latitude, longitude: post.longitude });
}

/**
 * GoToSocial's reply control: with comments off, only the author may reply
 * (GoToSocial and servers that honour the policy drop other replies).
 */
function replyPolicy(post: Post, actor: URL): InteractionPolicy {
  return new InteractionPolicy({
    canReply: new InteractionRule({ automaticApprovals: [post.commentsEnabled ? PUBLIC_COLLECTION : actor] }),
  });
}

export function noteFromPost(input: LocalNoteInput, urls: LocalUrls): Note {
  const { post, author } = input;
  const actor = urls.actor(author.username);
  const audience = audienceFor(
    post.visibility,
    urls.followers(author.username),
    input.mentions.map((m) => new URL(m.uri)),
    input.directRecipients.map((uri) => new URL(uri)),
  );
  const media = [...input.media].sort((a, b) => a.position - b.position);
  return new Note({
    id: urls.post(author.username, post.id),
    url: urls.postPage(author.username, post.id),
    attribution: actor,
    contents: contentsOf(post),
    summary: post.spoilerText === '' ? null : post.spoilerText,
    sensitive: post.sensitive,
    published: instantFromMs(post.createdAt),
    updated: post.editedAt === null ? null : instantFromMs(post.editedAt),
    tos: audience.to,
    ccs: audience.cc,
    tags: tagsOf(input, urls),
    // Media still processing has nothing to send yet; the rest goes in order.
    attachments: media.map((m) => attachmentFromMedia(m, urls)).filter((a) => a !== null),
    location: placeOf(post),
    replyTarget: input.inReplyToUri === null ? null : new URL(input.inReplyToUri),
    replies: urls.replies(author.username, post.id),
    interactionPolicy: replyPolicy(post, actor),
  });
}

/** What a deleted post's URI answers with, and the object of its Delete. */
export function tombstoneForPost(post: Pick<Post, 'id' | 'deletedAt'>, author: Pick<Account, 'username'>, urls: LocalUrls): Tombstone {
  return new Tombstone({
    id: urls.post(author.username, post.id),
    formerType: Note,
    deleted: post.deletedAt === null ? null : instantFromMs(post.deletedAt),
  });
}
