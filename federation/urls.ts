// Our ActivityPub URLs (objects/local-urls.ts builds them from the public
// URL) and the dispatcher paths they must match, which are also the `uri`/
// `url` the Mastodon API gives (server/api/entities): one post, one id.
import { createLocalUrls, type LocalActorUrls } from './objects/local-urls.ts';

export const PATHS = {
  actor: '/users/{identifier}',
  inbox: '/users/{identifier}/inbox',
  sharedInbox: '/inbox',
  outbox: '/users/{identifier}/outbox',
  followers: '/users/{identifier}/followers',
  following: '/users/{identifier}/following',
  featured: '/users/{identifier}/collections/featured',
  post: '/users/{identifier}/statuses/{id}',
  nodeInfo: '/nodeinfo/2.1',
} as const;

export interface ActorUrls extends LocalActorUrls {
  /** A fresh id for an activity of ours that has no row of its own (Undo, Accept, Update…). */
  activity(username: string, kind: string, id: number | string): URL;
}

export function localUrls(publicUrl: string): ActorUrls {
  const urls = createLocalUrls(publicUrl);
  return { ...urls, activity: (username, kind, id) => new URL(`${urls.actor(username).href}#${kind}/${id}`) };
}
