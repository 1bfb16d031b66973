// A hydrated post (PostView, which has passed the visibility policy) as the
// Note other servers receive, through the pure mapping in objects/. The few
// facts a PostView lacks (the parent's URI) are looked up here.
import type { DocumentLoader, Note } from '@fedify/vocab';
import { findAccountById } from '../server/db/accounts.repo.ts';
import type { Queryable } from '../server/db/knex.ts';
import { findPostById, type Post } from '../server/db/posts.repo.ts';
import type { PostView } from '../server/services/posts/post-views.ts';
import { acctOf } from '../server/api/entities/account.ts';
import { noteFromPost, type LocalNoteInput } from './objects/note-from-post.ts';
import { noteWithExtras } from './objects/note-extras.ts';
import { localUrls, type ActorUrls } from './urls.ts';

/** The ActivityPub id of any post: the stored one for remote posts, ours for local ones. */
export async function postUri(db: Queryable, urls: ActorUrls, post: Pick<Post, 'id' | 'uri' | 'accountId'>): Promise<string | null> {
  if (post.uri) return post.uri;
  const author = await findAccountById(db, post.accountId);
  return author && author.domain === null ? urls.post(author.username, post.id).href : null;
}

async function parentUri(db: Queryable, urls: ActorUrls, post: Post): Promise<string | null> {
  if (post.inReplyToUri) return post.inReplyToUri;
  if (post.inReplyToId === null) return null;
  const parent = await findPostById(db, post.inReplyToId);
  return parent ? postUri(db, urls, parent) : null;
}

/** What the pure mapping needs of a hydrated post. */
export async function noteInputOf(db: Queryable, publicUrl: string, view: PostView): Promise<LocalNoteInput> {
  const urls = localUrls(publicUrl);
  const host = new URL(publicUrl).host;
  const actorOf = (a: PostView['author']['account']) => (a.domain === null ? urls.actor(a.username).href : (a.uri ?? ''));
  const mentions = view.mentions
    .map(({ account }) => ({ uri: actorOf(account), acct: account.domain === null ? `${account.username}@${host}` : acctOf(account), url: account.url ?? undefined }))
    .filter((m) => m.uri !== '');
  return {
    post: view.post,
    author: view.author.account,
    media: view.media,
    hashtags: view.hashtags.map((tag) => tag.name),
    mentions,
    inReplyToUri: await parentUri(db, urls, view.post),
    directRecipients: view.post.visibility === 'direct' ? mentions.map((m) => m.uri) : [],
  };
}

/** The Note as typed fields (what activities embed; the send path adds the extras). */
export async function noteFromView(db: Queryable, publicUrl: string, view: PostView): Promise<Note> {
  return noteFromPost(await noteInputOf(db, publicUrl, view), localUrls(publicUrl));
}

/** The Note with blurhash, focal points and comment settings, as a GET of its id serves it. */
export async function servedNote(db: Queryable, publicUrl: string, view: PostView, contextLoader?: DocumentLoader): Promise<Note> {
  return noteWithExtras(await noteInputOf(db, publicUrl, view), localUrls(publicUrl), { contextLoader });
}
