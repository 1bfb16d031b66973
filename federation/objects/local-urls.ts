// Where our own ActivityPub objects live. The mapping functions take these as
// an argument instead of building strings themselves, so the dispatchers can
// hand in Fedify's `ctx.getActorUri()` & co. and the mapping never disagrees
// with the routes. `createLocalUrls` gives the same paths for tests and for
// code that runs outside a Fedify context (the Mastodon entities in
// server/api/entities/ already serve these paths as `uri` and `url`).

export interface LocalUrls {
  actor(username: string): URL;
  followers(username: string): URL;
  post(username: string, id: number): URL;
  /** The post's web page (`url`, what Mastodon links to). */
  postPage(username: string, id: number): URL;
  replies(username: string, id: number): URL;
  media(key: string): URL;
  /** The tag's web page (a Hashtag's `href`). */
  tag(name: string): URL;
}

/** What an actor document needs on top of LocalUrls. */
export interface LocalActorUrls extends LocalUrls {
  /** The profile's web page (the actor's `url`). */
  profile(username: string): URL;
  inbox(username: string): URL;
  sharedInbox: URL;
  outbox(username: string): URL;
  following(username: string): URL;
  featured(username: string): URL;
}

/** The paths Viewfinder serves, under `publicUrl` (no trailing slash needed). */
export function createLocalUrls(publicUrl: string): LocalActorUrls {
  const base = publicUrl.replace(/\/+$/, '');
  const at = (path: string) => new URL(`${base}${path}`);
  const user = (username: string) => `/users/${encodeURIComponent(username)}`;
  return {
    actor: (username) => at(user(username)),
    followers: (username) => at(`${user(username)}/followers`),
    following: (username) => at(`${user(username)}/following`),
    inbox: (username) => at(`${user(username)}/inbox`),
    outbox: (username) => at(`${user(username)}/outbox`),
    featured: (username) => at(`${user(username)}/collections/featured`),
    sharedInbox: at('/inbox'),
    profile: (username) => at(`/@${encodeURIComponent(username)}`),
    post: (username, id) => at(`${user(username)}/statuses/${id}`),
    postPage: (username, id) => at(`/@${encodeURIComponent(username)}/${id}`),
    replies: (username, id) => at(`${user(username)}/statuses/${id}/replies`),
    // Keys are `ab/cd/hash-rand.ext`: their slashes are path separators.
    media: (key) => at(`/media/${key}`),
    tag: (name) => at(`/tags/${encodeURIComponent(name)}`),
  };
}
