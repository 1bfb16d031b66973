// The real-world fixture documents (test/fixtures/federation/*.json) name
// mastodon.example, pixelfed.example and viewfinder.example. A stub peer
// sends them with those names rewritten to the test's own: our instance's
// users and posts, and the stub's origin, so every activity keeps the shape
// Mastodon or Pixelfed gave it and only its addresses change.
import type { Json } from '../fixtures/federation/fixtures.ts';
import type { Instance } from './instances.ts';

/** Replacements applied to every string of a document, in order (put the longest, most specific first). */
export type Rewrites = ReadonlyArray<readonly [from: string, to: string]>;

/** How a document names an actor: its id, its profile page and its handle (without the leading @). */
export interface ActorAddress {
  id: string;
  profile: string;
  acct: string;
}

/** The actors the fixtures name. */
export const FIXTURE_ACTORS = {
  mastodonAlice: { id: 'https://mastodon.example/users/alice', profile: 'https://mastodon.example/@alice', acct: 'alice@mastodon.example' },
  pixelfedDana: { id: 'https://pixelfed.example/users/dana', profile: 'https://pixelfed.example/dana', acct: 'dana@pixelfed.example' },
  viewfinderCarol: { id: 'https://viewfinder.example/users/carol', profile: 'https://viewfinder.example/@carol', acct: 'carol@viewfinder.example' },
} as const satisfies Record<string, ActorAddress>;

/** carol's post on viewfinder.example that the Mastodon fixtures like, share and reply to. */
export const FIXTURE_LOCAL_POST = 'https://viewfinder.example/users/carol/statuses/4816203040522241';

/** Where the Mastodon Move fixture says alice went. */
export const FIXTURE_MOVE_TARGET = 'https://elsewhere.example/users/alice';

export function rewrite<T>(value: T, rewrites: Rewrites): T {
  if (typeof value === 'string') return rewrites.reduce<string>((text, [from, to]) => text.split(from).join(to), value) as T;
  if (Array.isArray(value)) return value.map((item) => rewrite(item, rewrites)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rewrite(item, rewrites)])) as T;
  }
  return value;
}

/** Rewrites one actor's names into another's. */
export function renameActor(from: ActorAddress, to: ActorAddress): Rewrites {
  return [
    [from.id, to.id],
    [from.profile, to.profile],
    [from.acct, to.acct],
  ];
}

/** A local user of our instance, named as other servers name it. */
export function localAddress(instance: Instance, username: string): ActorAddress {
  return { id: `${instance.url}/users/${username}`, profile: `${instance.url}/@${username}`, acct: `${username}@${instance.domain}` };
}

/** A fixture post of carol's replaced by a real post of ours, and carol by its author. */
export function ourPost(instance: Instance, author: string, post: { uri: string }): Rewrites {
  return [[FIXTURE_LOCAL_POST, post.uri], ...renameActor(FIXTURE_ACTORS.viewfinderCarol, localAddress(instance, author))];
}

/**
 * A Note wrapped in the Create its server sends (Mastodon's and Pixelfed's
 * are alike): the Note's context on the activity, its id plus `/activity`,
 * its author, publication time and audience.
 */
export function createOf(note: Json): Json {
  const { '@context': context, ...object } = note;
  return {
    '@context': context,
    id: `${String(object.id)}/activity`,
    type: 'Create',
    actor: object.attributedTo,
    published: object.published,
    to: object.to,
    cc: object.cc,
    object,
  };
}
