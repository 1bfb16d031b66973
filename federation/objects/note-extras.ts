// The parts of an outgoing Note that @fedify/vocab 2.3.6 has no property for,
// as JSON-LD to merge with withExtras() after noteFromPost(...).toJsonLd():
// - Mastodon's `blurhash` and `focalPoint` on each attachment (toot: terms);
// - Pixelfed's `commentsEnabled` and `capabilities` on the Note (pixelfed:
//   terms, defined as Pixelfed defines them). Pixelfed stores a remote post's
//   comments as disabled when `commentsEnabled` is false.
// GoToSocial's `interactionPolicy` is in the vocabulary and set by noteFromPost.
import { Note, PUBLIC_COLLECTION, type DocumentLoader } from '@fedify/vocab';
import type { Media } from '../../server/db/media.repo.ts';
import type { Post } from '../../server/db/posts.repo.ts';
import { withExtras, type JsonLdExtras } from './json-ld-extras.ts';
import type { LocalUrls } from './local-urls.ts';
import { attachmentExtras } from './media-attachment.ts';
import { refuseFetch } from './no-fetch.ts';
import { noteFromPost, type LocalNoteInput } from './note-from-post.ts';

export const EXTRAS_CONTEXT = {
  toot: 'http://joinmastodon.org/ns#',
  blurhash: 'toot:blurhash',
  focalPoint: { '@container': '@list', '@id': 'toot:focalPoint' },
  pixelfed: 'http://pixelfed.org/ns#',
  commentsEnabled: { '@id': 'pixelfed:commentsEnabled', '@type': 'http://schema.org/Boolean' },
  capabilities: { '@id': 'pixelfed:capabilities', '@container': '@set' },
  announce: { '@id': 'pixelfed:canAnnounce', '@type': '@id' },
  like: { '@id': 'pixelfed:canLike', '@type': '@id' },
  reply: { '@id': 'pixelfed:canReply', '@type': '@id' },
} as const;

export function extraJsonLd(input: { post: Post; media: Media[] }, urls: LocalUrls): JsonLdExtras {
  const { post } = input;
  const everyone = PUBLIC_COLLECTION.href;
  // Only public and unlisted posts can be shared; an empty set says "nobody".
  const shareable = post.visibility === 'public' || post.visibility === 'unlisted';
  return {
    context: { ...EXTRAS_CONTEXT },
    properties: {
      commentsEnabled: post.commentsEnabled,
      capabilities: {
        announce: shareable ? everyone : [],
        like: everyone,
        reply: post.commentsEnabled ? everyone : [],
      },
    },
    attachments: input.media.map((m) => attachmentExtras(m, urls)).filter((a) => a !== null),
  };
}

/**
 * The Note an object dispatcher returns: noteFromPost with the extras, parsed
 * back from the merged JSON, which Fedify then serves unchanged. (Wrapped in
 * an activity and sent with sendActivity it is re-serialized without them.)
 */
export async function noteWithExtras(input: LocalNoteInput, urls: LocalUrls, options: { contextLoader?: DocumentLoader } = {}): Promise<Note> {
  const { contextLoader } = options;
  const json = withExtras(await noteFromPost(input, urls).toJsonLd({ contextLoader }), extraJsonLd(input, urls));
  return Note.fromJsonLd(json, { contextLoader, documentLoader: refuseFetch });
}
