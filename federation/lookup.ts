// Finding remote accounts and posts for Mastodon apps (search with
// resolve=true, accounts/lookup): a handle goes through WebFinger to its actor,
// a URL is fetched directly; what is found is stored like anything arriving
// in the inbox. Fedify's WebFinger lookup assumes https for acct: handles; a
// local trial (private addresses allowed, http public URL) asks over http.
import { lookupWebFinger, type ResourceDescriptor } from '@fedify/webfinger';
import { Note, isActor, type Actor } from '@fedify/vocab';
import type { Federation } from '@fedify/fedify';
import type { Account } from '../server/db/accounts.repo.ts';
import { findPostByUri, type Post } from '../server/db/posts.repo.ts';
import { getLogger } from '../server/logging.ts';
import { safeFetch } from '../server/net/safe-fetch.ts';
import { createRemotePost } from '../server/services/posts/remote-post.service.ts';
import { INSTANCE_ACTOR, type FedContext, type FederationData } from './context.ts';
import { readNote } from './objects/post-from-note.ts';
import { remoteAccount, storeActor } from './remote/remote-accounts.ts';
import { postFor } from './inbox/common.ts';

const log = getLogger('federation');
const HANDLE = /^@?([^@\s/]+)@([^@\s/]+)$/;
const WEBFINGER_MAX_BYTES = 64 * 1024;

export interface Resolved {
  account?: Account;
  post?: Post;
}

async function webFinger(ctx: FedContext, username: string, host: string): Promise<ResourceDescriptor | null> {
  const { config } = ctx.data;
  const resource = `acct:${username}@${host}`;
  if (config.allowPrivateAddresses && config.publicUrl.startsWith('http:')) {
    const url = `http://${host}/.well-known/webfinger?resource=${encodeURIComponent(resource)}`;
    const response = await safeFetch(url, { allowPrivateAddresses: true, maxBytes: WEBFINGER_MAX_BYTES, timeoutMs: 10_000, accept: 'application/jrd+json' });
    return JSON.parse(response.body.toString('utf8')) as ResourceDescriptor;
  }
  return lookupWebFinger(resource, { allowPrivateAddress: config.allowPrivateAddresses });
}

function actorLink(jrd: ResourceDescriptor | null): string | null {
  const link = jrd?.links?.find((l) => l.rel === 'self' && /activity\+json|ld\+json/.test(l.type ?? ''));
  return link?.href ?? null;
}

/** The account a handle (`@user@host`, `user@host`) names, fetched and stored when new. */
export async function resolveHandle(ctx: FedContext, handle: string): Promise<Account | null> {
  const match = HANDLE.exec(handle.trim());
  if (!match) return null;
  const [, username, host] = match as unknown as [string, string, string];
  if (host.toLowerCase() === ctx.data.config.domain.toLowerCase()) return null;
  try {
    const href = actorLink(await webFinger(ctx, username, host));
    return href ? await remoteAccount(ctx, href) : null;
  } catch (error) {
    log.debug('WebFinger lookup of {handle} failed: {error}', { handle, error });
    return null;
  }
}

/** What a URL is: an actor (stored as an account) or a Note (stored as a post). */
export async function resolveUrl(ctx: FedContext, text: string): Promise<Resolved> {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return {};
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return {};
  const known = await postFor(ctx, url);
  if (known) return { post: known };
  let object: unknown;
  try {
    const documentLoader = await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
    object = await ctx.lookupObject(url, { documentLoader });
  } catch (error) {
    log.debug('Lookup of {url} failed: {error}', { url: url.href, error });
    return {};
  }
  if (isActor(object)) {
    const account = await storeActor(ctx, object as Actor);
    return account ? { account } : {};
  }
  if (object instanceof Note && object.id && object.attributionId) {
    const author = await remoteAccount(ctx, object.attributionId);
    if (!author || author.domain === null) return {};
    const note = await readNote(object, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader, authorFollowersUri: author.followersUrl, json: await object.toJsonLd() });
    // Only what anyone may see is stored from a lookup: the fetch was not made for a follower.
    if (note.visibility !== 'public' && note.visibility !== 'unlisted') return {};
    await createRemotePost(ctx.data.db, ctx.data.config, { author, note, mentionedAccountIds: [], addresseeIds: [] });
    const post = await findPostByUri(ctx.data.db, note.uri);
    return post ? { post } : {};
  }
  return {};
}

export function lookupContext(federation: Federation<FederationData>, data: FederationData): FedContext {
  return federation.createContext(new URL(data.config.publicUrl), data);
}
