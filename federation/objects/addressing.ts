// Visibility ⇄ `to`/`cc`, the way Mastodon addresses and reads posts (and
// Pixelfed and GoToSocial follow it):
//   public    to: Public       cc: followers, mentioned
//   unlisted  to: followers    cc: Public, mentioned
//   private   to: followers    cc: mentioned
//   direct    to: recipients   (no followers, no Public)
import { PUBLIC_COLLECTION } from '@fedify/vocab';
import type { PostVisibility } from '../../server/db/posts.repo.ts';

export interface Audience {
  to: URL[];
  cc: URL[];
}

function unique(urls: URL[]): URL[] {
  const seen = new Set<string>();
  return urls.filter((url) => (seen.has(url.href) ? false : (seen.add(url.href), true)));
}

export function audienceFor(visibility: PostVisibility, followers: URL, mentioned: URL[], directRecipients: URL[]): Audience {
  switch (visibility) {
    case 'public':
      return { to: [PUBLIC_COLLECTION], cc: unique([followers, ...mentioned]) };
    case 'unlisted':
      return { to: [followers], cc: unique([PUBLIC_COLLECTION, ...mentioned]) };
    case 'private':
      return { to: [followers], cc: unique(mentioned.filter((m) => m.href !== followers.href)) };
    case 'direct':
      return { to: unique(directRecipients), cc: [] };
  }
}

/** The forms of the Public collection seen in the wild (the CURIEs come from compacted documents). */
export function isPublic(uri: string): boolean {
  return uri === PUBLIC_COLLECTION.href || uri === 'as:Public' || uri === 'Public';
}

/**
 * Mastodon's reading: Public in `to` is public, in `cc` unlisted; the
 * author's followers addressed is private; a post addressed to mentioned
 * actors only is direct. Anything else addressed (a collection we cannot name,
 * e.g. the followers of an author whose followers URI we do not know yet) is
 * private, which shows it to the author's followers and the addressees.
 */
export function inferVisibility(to: string[], cc: string[], authorFollowersUri: string | null, mentionUris: string[]): PostVisibility {
  if (to.some(isPublic)) return 'public';
  if (cc.some(isPublic)) return 'unlisted';
  const addressed = [...to, ...cc];
  if (authorFollowersUri !== null && addressed.includes(authorFollowersUri)) return 'private';
  const mentioned = new Set(mentionUris);
  return addressed.every((uri) => mentioned.has(uri)) ? 'direct' : 'private';
}
