// Mastodon's Status (https://docs.joinmastodon.org/entities/Status/) from a
// hydrated post, plus Viewfinder's fields beside Mastodon's (apps ignore what
// they do not know): kind, place, comments_disabled, hide_like_count.
// A share is Mastodon's reblog wrapper: the sharer's own Status, empty, with
// the original (counts and all) nested in `reblog`.
// Pure: the view carries everything; nothing is queried here.
import type { Post } from '../../db/posts.repo.ts';
import type { AccountView, PostView } from '../../services/posts/post-views.ts';
import type { PostVersion } from '../../services/posts/post-history.service.ts';
import { acctOf, profileUrl, serializeAccount, type MastodonAccount, type SerializeContext } from './account.ts';
import { serializeMediaAttachment, type MastodonMediaAttachment } from './media-attachment.ts';

export interface MastodonPlace {
  name: string;
  lat: number | null;
  lon: number | null;
}

export interface MastodonStatus {
  id: string;
  uri: string;
  url: string;
  created_at: string;
  edited_at: string | null;
  account: MastodonAccount;
  content: string;
  visibility: Post['visibility'];
  sensitive: boolean;
  spoiler_text: string;
  media_attachments: MastodonMediaAttachment[];
  application: { name: string; website: string | null } | null;
  mentions: { id: string; username: string; url: string; acct: string }[];
  tags: { name: string; url: string }[];
  emojis: never[];
  reblogs_count: number;
  favourites_count: number;
  replies_count: number;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  reblog: MastodonStatus | null;
  poll: null;
  card: null;
  language: string | null;
  /** Only on delete and source: the caption as typed. */
  text?: string;
  favourited?: boolean;
  reblogged?: boolean;
  muted?: boolean;
  bookmarked?: boolean;
  pinned?: boolean;
  // Viewfinder
  kind: Post['kind'];
  place: MastodonPlace | null;
  comments_disabled: boolean;
  hide_like_count: boolean;
  archived?: boolean;
}

export interface MastodonStatusEdit {
  content: string;
  spoiler_text: string;
  sensitive: boolean;
  created_at: string;
  account: MastodonAccount;
  poll: null;
  media_attachments: MastodonMediaAttachment[];
  emojis: never[];
  place: MastodonPlace | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The ActivityPub id and the web page of a post: ours for local posts, the origin's for remote ones. */
export function postUris(ctx: SerializeContext, post: Post, author: AccountView['account']): { uri: string; url: string } {
  if (author.domain === null && post.reblogOfId !== null) {
    // A share is an Announce activity, as Mastodon names it.
    const activity = `${ctx.publicUrl}/users/${author.username}/statuses/${post.id}/activity`;
    return { uri: activity, url: activity };
  }
  if (author.domain === null) {
    return { uri: `${ctx.publicUrl}/users/${author.username}/statuses/${post.id}`, url: `${ctx.publicUrl}/@${author.username}/${post.id}` };
  }
  return { uri: post.uri ?? '', url: post.url ?? post.uri ?? '' };
}

export function placeOf(post: Pick<Post, 'locationName' | 'latitude' | 'longitude'>): MastodonPlace | null {
  return post.locationName === null ? null : { name: post.locationName, lat: post.latitude, lon: post.longitude };
}

function account(ctx: SerializeContext, view: AccountView): MastodonAccount {
  return serializeAccount(ctx, view.account, view.role ? { role: view.role } : null);
}

export function serializeStatus(ctx: SerializeContext, view: PostView, options: { withSource?: boolean } = {}): MastodonStatus {
  if (view.reblog) return serializeReblog(ctx, view, serializeStatus(ctx, view.reblog));
  const { post, viewer } = view;
  // Hiding the like count hides it from everyone but the author, as on Instagram.
  const likeCountHidden = post.hideLikeCount && !viewer.isAuthor;
  const status: MastodonStatus = {
    id: String(post.id),
    ...postUris(ctx, post, view.author.account),
    created_at: iso(post.createdAt),
    edited_at: post.editedAt === null ? null : iso(post.editedAt),
    account: account(ctx, view.author),
    content: post.captionHtml,
    visibility: post.visibility,
    sensitive: post.sensitive,
    spoiler_text: post.spoilerText,
    media_attachments: view.media.map((media) => serializeMediaAttachment(ctx, media)),
    application: view.application,
    mentions: view.mentions.map(({ account: a }) => ({ id: String(a.id), username: a.username, url: profileUrl(ctx, a), acct: acctOf(a) })),
    tags: view.hashtags.map((tag) => ({ name: tag.name, url: `${ctx.publicUrl}/tags/${encodeURIComponent(tag.name)}` })),
    emojis: [],
    reblogs_count: post.reblogsCount,
    favourites_count: likeCountHidden ? 0 : post.likesCount,
    replies_count: post.commentsCount,
    in_reply_to_id: post.inReplyToId === null ? null : String(post.inReplyToId),
    in_reply_to_account_id: post.inReplyToAccountId === null ? null : String(post.inReplyToAccountId),
    reblog: null,
    poll: null,
    card: null,
    language: post.language,
    kind: post.kind,
    place: placeOf(post),
    comments_disabled: !post.commentsEnabled,
    hide_like_count: post.hideLikeCount,
  };
  if (options.withSource) status.text = post.caption;
  // Mastodon sends the viewer's flags only to a signed-in viewer.
  if (viewer.signedIn) {
    status.favourited = viewer.liked;
    status.reblogged = viewer.reblogged;
    status.muted = false;
    status.bookmarked = viewer.bookmarked;
  }
  if (viewer.isAuthor) {
    status.pinned = post.pinnedAt !== null;
    status.archived = post.archivedAt !== null;
  }
  return status;
}

/**
 * The wrapper of a share. Counts stay on the original; the viewer's flags are
 * the original's too, so an app that reads them off the wrapper acts on the
 * right post (liking a share likes the original).
 */
function serializeReblog(ctx: SerializeContext, view: PostView, original: MastodonStatus): MastodonStatus {
  const { post } = view;
  const status: MastodonStatus = {
    id: String(post.id),
    ...postUris(ctx, post, view.author.account),
    created_at: iso(post.createdAt),
    edited_at: null,
    account: account(ctx, view.author),
    content: '',
    visibility: post.visibility,
    sensitive: false,
    spoiler_text: '',
    media_attachments: [],
    application: null,
    mentions: [],
    tags: [],
    emojis: [],
    reblogs_count: 0,
    favourites_count: 0,
    replies_count: 0,
    in_reply_to_id: null,
    in_reply_to_account_id: null,
    reblog: original,
    poll: null,
    card: null,
    language: null,
    kind: original.kind,
    place: null,
    comments_disabled: original.comments_disabled,
    hide_like_count: original.hide_like_count,
  };
  if (original.favourited !== undefined) {
    status.favourited = original.favourited;
    status.reblogged = original.reblogged;
    status.muted = false;
    status.bookmarked = original.bookmarked;
  }
  if (view.viewer.isAuthor) status.pinned = false;
  return status;
}

export function serializeStatusEdits(ctx: SerializeContext, view: PostView, versions: PostVersion[]): MastodonStatusEdit[] {
  const author = account(ctx, view.author);
  return versions.map(({ edit, media }) => ({
    content: edit.captionHtml,
    spoiler_text: edit.spoilerText,
    sensitive: edit.sensitive,
    created_at: iso(edit.createdAt),
    account: author,
    poll: null,
    media_attachments: media.map((m) => serializeMediaAttachment(ctx, m)),
    emojis: [],
    place: edit.locationName === null ? null : { name: edit.locationName, lat: null, lon: null },
  }));
}
