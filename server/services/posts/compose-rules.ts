// What makes a post valid, shared by posting and editing: caption and spoiler
// lengths, location, the attachments (the uploader's own, processed, 1–20),
// and the kind that follows from them. Every problem is a 422 with a message
// the composer can show.
import type { Account } from '../../db/accounts.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { findMediaByIds, type Media } from '../../db/media.repo.ts';
import type { PostKind } from '../../db/posts.repo.ts';
import { unprocessable } from '../../errors.ts';

export const MAX_CAPTION_LENGTH = 2200;
export const MAX_SPOILER_LENGTH = 500;
export const MAX_MEDIA = 20;
export const MAX_LOCATION_NAME_LENGTH = 200;

export interface LocationInput {
  name: string;
  lat: number | null;
  lon: number | null;
}

// Length as people count it: code points, not UTF-16 units.
const length = (text: string) => [...text].length;

export function checkCaption(text: string): string {
  if (length(text) > MAX_CAPTION_LENGTH) throw unprocessable(`Validation failed: Text character limit of ${MAX_CAPTION_LENGTH} exceeded`);
  return text;
}

export function checkSpoiler(text: string): string {
  if (length(text) > MAX_SPOILER_LENGTH) throw unprocessable(`Validation failed: Content warning is too long (maximum is ${MAX_SPOILER_LENGTH} characters)`);
  return text.trim();
}

export function checkLanguage(language: string | null | undefined): string | null {
  if (language === undefined || language === null || language === '') return null;
  if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(language)) throw unprocessable(`Validation failed: Language ${JSON.stringify(language)} is not an ISO 639 code`);
  return language;
}

export function checkLocation(location: LocationInput | null | undefined): LocationInput | null {
  if (!location) return null;
  const name = location.name.trim();
  if (name === '') throw unprocessable('Validation failed: a location needs a name');
  if (length(name) > MAX_LOCATION_NAME_LENGTH) throw unprocessable(`Validation failed: Location name is too long (maximum is ${MAX_LOCATION_NAME_LENGTH} characters)`);
  const { lat, lon } = location;
  if ((lat === null) !== (lon === null)) throw unprocessable('Validation failed: give both lat and lon for a location, or neither');
  if (lat !== null && !(Number.isFinite(lat) && lat >= -90 && lat <= 90)) throw unprocessable('Validation failed: lat must be from -90 to 90');
  if (lon !== null && !(Number.isFinite(lon) && lon >= -180 && lon <= 180)) throw unprocessable('Validation failed: lon must be from -180 to 180');
  return { name, lat, lon };
}

/**
 * The attachments for `mediaIds`, in that order: each must be the author's,
 * processed, and not part of another post (`postId` may own them already when editing).
 */
export async function loadAttachments(db: Queryable, author: Pick<Account, 'id'>, mediaIds: number[], postId: number | null = null): Promise<Media[]> {
  const ids = [...new Set(mediaIds)];
  if (ids.length !== mediaIds.length) throw unprocessable('Validation failed: the same media is attached twice');
  if (ids.length > MAX_MEDIA) throw unprocessable(`Validation failed: a post has at most ${MAX_MEDIA} photos or videos`);
  const found = new Map((await findMediaByIds(db, ids)).map((media) => [media.id, media]));
  return ids.map((id) => {
    const media = found.get(id);
    // Someone else's upload is reported like a missing one: its existence is not ours to reveal.
    if (!media || media.accountId !== author.id) throw unprocessable(`Validation failed: unknown media id ${id}`);
    if (media.postId !== null && media.postId !== postId) throw unprocessable(`Validation failed: media ${id} is already part of another post`);
    if (media.state === 'failed') throw unprocessable(`Validation failed: media ${id} could not be processed: ${media.error ?? 'unknown error'}`);
    if (media.state !== 'ready') throw unprocessable('Cannot attach files that have not finished processing. Try again in a moment!');
    return media;
  });
}

/**
 * The kind that follows from the attachments. A top-level post that is not a
 * direct message needs a photo or video (as on Instagram and Pixelfed);
 * comments and direct messages may be text only. A reel is one vertical video.
 */
export function kindOf(media: Media[], options: { reel: boolean; textOnlyAllowed: boolean; hasText: boolean }): PostKind {
  if (media.length === 0) {
    if (!options.textOnlyAllowed) throw unprocessable('Validation failed: a post needs at least one photo or video');
    if (!options.hasText) throw unprocessable("Validation failed: Text can't be blank");
    if (options.reel) throw unprocessable('Validation failed: a reel is one vertical video');
    return 'text';
  }
  if (options.reel) {
    const [video] = media;
    if (media.length !== 1 || video!.kind !== 'video' || !(video!.height! > video!.width!)) throw unprocessable('Validation failed: a reel is one vertical video');
    return 'reel';
  }
  if (media.length > 1) return 'carousel';
  return media[0]!.kind === 'image' ? 'photo' : 'video';
}
